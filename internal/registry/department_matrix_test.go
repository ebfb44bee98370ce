package registry_test

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/registry"
)

// matrixFixture is two subdistricts, East and West, with hand-placed department posts; see
// TestDepartmentMatrixShowsEachCellsPostsAndItsVacancies for what each cell holds.
type matrixFixture struct {
	store      *registry.Store
	east, west registry.AdminUnit
	eastCom    registry.AdminUnit
	depts      []registry.Department
	people     map[string]registry.Person
	ended      time.Time // when West's earlier responsible person for the second department left
}

func newMatrixFixture(t *testing.T, code string, x float64) matrixFixture {
	t.Helper()
	ctx := context.Background()
	f := matrixFixture{store: registry.NewStore(dbtest.Pool(t)), people: map[string]registry.Person{}}
	s := f.store
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	box := func(x float64) orb.MultiPolygon { return square(x, 30, 0.01) }
	x0 := x
	city, err := s.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "city", Code: code + "-c", Name: "矩阵市" + code, Boundary: square(x0, 30, 0.02)})
	must(err)
	dist, err := s.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "district", ParentID: city.ID, Code: code + "-d", Name: "矩阵区" + code, Boundary: square(x0, 30, 0.02)})
	must(err)
	f.east, err = s.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: code + "-1", Name: "东街道" + code, Boundary: box(x0)})
	must(err)
	f.west, err = s.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: code + "-2", Name: "西街道" + code, Boundary: box(x0 + 0.01)})
	must(err)
	f.eastCom, err = s.CreateAdminUnit(ctx, admin, registry.AdminUnitInput{Level: "community", ParentID: f.east.ID, Code: code + "-1a", Name: "东社区" + code, Boundary: box(x0)})
	must(err)
	f.depts, err = s.Departments(ctx)
	must(err)
	if len(f.depts) < 3 {
		t.Fatalf("want the seeded departments, have %d", len(f.depts))
	}
	long := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	post := func(name string, unit registry.AdminUnit, role registry.PostRole, dept int, level registry.Level, primary bool) registry.Assignment {
		t.Helper()
		p, ok := f.people[name]
		if !ok {
			p, err = s.CreatePerson(ctx, admin, registry.PersonInput{Name: name, Phone: "1380000" + string(rune('0'+len(f.people)/10)) + string(rune('0'+len(f.people)%10)) + "00", Active: true})
			must(err)
			f.people[name] = p
		}
		in := registry.AssignmentInput{AdminUnitID: unit.ID, PersonID: p.ID, Role: role, Level: level, Primary: primary, From: &long}
		if dept >= 0 {
			in.DepartmentID = f.depts[dept].ID
		}
		a, err := s.CreateAssignment(ctx, admin, in)
		must(err)
		return a
	}
	// East, first department: a city leader, a district deputy leader, a district responsible person.
	post("东一市领导", f.east, registry.DepartmentLeader, 0, registry.CityLevel, true)
	post("东一区副领导", f.east, registry.DepartmentLeader, 0, registry.DistrictLevel, false)
	post("东一负责人", f.east, registry.DepartmentLiaison, 0, registry.DistrictLevel, true)
	// East, second department: a responsible person but no leader.
	post("东二负责人", f.east, registry.DepartmentLiaison, 1, registry.DistrictLevel, true)
	// East, third department: only a deputy leader — still no leader — and a responsible person.
	post("东三副领导", f.east, registry.DepartmentLeader, 2, registry.DistrictLevel, false)
	post("东三负责人", f.east, registry.DepartmentLiaison, 2, registry.CityLevel, true)
	// Above East's column: its street chief, a city leader linked for the first department, a cross-appointee.
	post("东街长", f.east, registry.StreetChief, -1, "", true)
	post("东挂钩市领导", f.east, registry.LinkedLeader, 0, registry.CityLevel, true)
	post("东交叉任职", f.east, registry.CrossAppointee, -1, registry.DistrictLevel, true)
	// West, first department: filled at district level.
	post("西一领导", f.west, registry.DepartmentLeader, 0, registry.DistrictLevel, true)
	post("西一负责人", f.west, registry.DepartmentLiaison, 0, registry.DistrictLevel, true)
	// West, second department: a responsible person who has left, and a leader entered by mistake.
	gone := post("西二前负责人", f.west, registry.DepartmentLiaison, 1, registry.DistrictLevel, true)
	f.ended = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	_, err = s.EndAssignment(ctx, admin, gone.ID, &f.ended)
	must(err)
	wrong := post("西二误录领导", f.west, registry.DepartmentLeader, 1, registry.DistrictLevel, true)
	_, err = s.VoidAssignment(ctx, admin, wrong.ID, "录入错误")
	must(err)
	return f
}

// cell finds a subdistrict's cell of the i-th department.
func cell(t *testing.T, m registry.DepartmentMatrix, dept int, sub int64) registry.MatrixCell {
	t.Helper()
	for _, c := range m.Departments[dept].Cells {
		if c.SubdistrictID == sub {
			return c
		}
	}
	t.Fatalf("no cell for subdistrict %d in department %s", sub, m.Departments[dept].Name)
	return registry.MatrixCell{}
}

func names(ps []registry.PostHolder) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func column(m registry.DepartmentMatrix, id int64) *registry.MatrixColumn {
	for i := range m.Subdistricts {
		if m.Subdistricts[i].ID == id {
			return &m.Subdistricts[i]
		}
	}
	return nil
}

func TestDepartmentMatrixShowsEachCellsPostsAndItsVacancies(t *testing.T) {
	ctx := context.Background()
	f := newMatrixFixture(t, "mxa", 150)
	m, err := f.store.DepartmentMatrix(ctx, admin, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Departments) != len(f.depts) {
		t.Fatalf("%d rows, want one per department (%d)", len(m.Departments), len(f.depts))
	}
	for i, d := range m.Departments {
		if d.ID != f.depts[i].ID || len(d.Cells) != len(m.Subdistricts) {
			t.Fatalf("row %d is %s with %d cells, want %s with %d", i, d.Name, len(d.Cells), f.depts[i].Name, len(m.Subdistricts))
		}
	}
	east := cell(t, m, 0, f.east.ID)
	if got := names(east.Leaders); !slices.Equal(got, []string{"东一市领导", "东一区副领导"}) {
		t.Errorf("East's first leaders %v, want the city leader before the district deputy", got)
	}
	if east.Leaders[0].Level != registry.CityLevel || !east.Leaders[0].Primary || east.Leaders[1].Primary {
		t.Errorf("East's first leaders: %+v", east.Leaders)
	}
	if east.Vacant || len(east.Missing) != 0 || !slices.Equal(names(east.Responsible), []string{"东一负责人"}) {
		t.Errorf("East's first cell: %+v, want filled", east)
	}
	if east.Leaders[0].Phone == "" {
		t.Error("the administrator is not shown the phones")
	}
	for _, tc := range []struct {
		dept    int
		sub     int64
		missing []registry.PostRole
	}{
		{1, f.east.ID, []registry.PostRole{registry.DepartmentLeader}},
		{2, f.east.ID, []registry.PostRole{registry.DepartmentLeader}},
		{0, f.west.ID, nil},
		{1, f.west.ID, []registry.PostRole{registry.DepartmentLeader, registry.DepartmentLiaison}},
		{3, f.west.ID, []registry.PostRole{registry.DepartmentLeader, registry.DepartmentLiaison}},
	} {
		c := cell(t, m, tc.dept, tc.sub)
		if c.Vacant != (len(tc.missing) > 0) || !slices.Equal(c.Missing, append([]registry.PostRole{}, tc.missing...)) {
			t.Errorf("%s in subdistrict %d: vacant %v missing %v, want %v", m.Departments[tc.dept].Name, tc.sub, c.Vacant, c.Missing, tc.missing)
		}
	}
	if c := cell(t, m, 1, f.west.ID); len(c.Leaders)+len(c.Responsible) != 0 {
		t.Errorf("West's second cell shows an ended or voided post: %+v", c)
	}
	vacant := 0
	for _, d := range m.Departments {
		for _, c := range d.Cells {
			if c.Vacant && (c.SubdistrictID == f.east.ID || c.SubdistrictID == f.west.ID) {
				vacant++
			}
		}
	}
	if want := 2*len(f.depts) - 2; vacant != want { // all but East's and West's first departments
		t.Errorf("%d vacant cells in the fixture, want %d", vacant, want)
	}
	col := column(m, f.east.ID)
	if col == nil || !slices.Equal(names(col.StreetChiefs), []string{"东街长"}) ||
		!slices.Equal(names(col.LinkedLeaders), []string{"东挂钩市领导"}) || !slices.Equal(names(col.CrossAppointees), []string{"东交叉任职"}) {
		t.Fatalf("East's column: %+v", col)
	}
	if l := col.LinkedLeaders[0]; l.Level != registry.CityLevel || l.DepartmentID != f.depts[0].ID || l.Department != f.depts[0].Name {
		t.Errorf("linked leader %+v, want the city's, for %s", l, f.depts[0].Name)
	}

	// Before West's earlier responsible person left, their cell had them.
	then, err := f.store.DepartmentMatrix(ctx, admin, f.ended.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := names(cell(t, then, 1, f.west.ID).Responsible); !slices.Equal(got, []string{"西二前负责人"}) {
		t.Errorf("West's second responsible people before the end: %v", got)
	}
}

func TestDepartmentMatrixShowsOnlyTheCallersSubdistrictsAndPhonesInScope(t *testing.T) {
	ctx := context.Background()
	f := newMatrixFixture(t, "mxb", 151)
	for _, tc := range []struct {
		name   string
		who    access.Principal
		want   []int64
		phones bool
	}{
		{"street chief of East", access.Principal{Role: access.StreetChief, Username: "e",
			Scope: access.Scope{Subdistricts: []int64{f.east.ID}, Communities: []int64{f.eastCom.ID}}}, []int64{f.east.ID}, true},
		{"liaison in West", access.Principal{Role: access.DepartmentLiaison, Username: "w",
			Scope: access.Scope{Subdistricts: []int64{f.west.ID}, Departments: []int64{f.depts[0].ID}}}, []int64{f.west.ID}, true},
		{"lane chief in East", access.Principal{Role: access.LaneChief, Username: "l",
			Scope: access.Scope{Communities: []int64{f.eastCom.ID}}}, []int64{f.east.ID}, false},
		{"inspector without territory", access.Principal{Role: access.Inspector, Username: "i"}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := f.store.DepartmentMatrix(ctx, tc.who, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, c := range m.Subdistricts {
				got = append(got, c.ID)
				if c.PhonesShown != tc.phones {
					t.Errorf("column %s: phones shown %v, want %v", c.Name, c.PhonesShown, tc.phones)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("columns %v, want %v", got, tc.want)
			}
			for _, d := range m.Departments {
				if len(d.Cells) != len(tc.want) {
					t.Fatalf("%s has %d cells for %d columns", d.Name, len(d.Cells), len(tc.want))
				}
				for _, c := range d.Cells {
					for _, p := range append(c.Leaders, c.Responsible...) {
						if (p.Phone != "") != tc.phones {
							t.Errorf("%s: phone %q, want shown %v", p.Name, p.Phone, tc.phones)
						}
					}
				}
			}
		})
	}
	if _, err := f.store.DepartmentMatrix(ctx, access.Anonymous(""), time.Time{}); err == nil {
		t.Error("the public read the department posts")
	}
}

// TestDepartmentMatrixWorkbookIsLaidOutAsTheTable reads the workbook back: subdistricts across,
// departments down, holders with level and deputy mark, vacant cells red saying what they lack.
func TestDepartmentMatrixWorkbookIsLaidOutAsTheTable(t *testing.T) {
	ctx := context.Background()
	f := newMatrixFixture(t, "mxc", 152)
	who := access.Principal{Role: access.StreetChief, Username: "e", Scope: access.Scope{Subdistricts: []int64{f.east.ID}}}
	m, err := f.store.DepartmentMatrix(ctx, who, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := m.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	get := func(at string) string {
		t.Helper()
		v, err := x.GetCellValue("定岗定人", at)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if get("B2") != f.east.Name || get("A6") != f.depts[0].Name {
		t.Fatalf("B2 %q, A6 %q: want East's name across and the first department down", get("B2"), get("A6"))
	}
	if got := get("B3"); got != "东街长 "+f.people["东街长"].Phone {
		t.Errorf("street chief %q", got)
	}
	if got := get("B4"); got != "市级 东挂钩市领导（"+f.depts[0].Name+"）"+" "+f.people["东挂钩市领导"].Phone {
		t.Errorf("linked leader %q", got)
	}
	first := get("B6")
	for _, want := range []string{"负责领导：市级 东一市领导", "区级 东一区副领导（副）", "负责人：区级 东一负责人"} {
		if !strings.Contains(first, want) {
			t.Errorf("first cell %q lacks %q", first, want)
		}
	}
	if strings.Contains(first, "缺") {
		t.Errorf("a filled cell says it lacks something: %q", first)
	}
	if got := get("B7"); !strings.HasSuffix(got, "缺：负责领导") {
		t.Errorf("second cell %q does not say it lacks its leader", got)
	}
	fill := func(at string) []string {
		t.Helper()
		id, err := x.GetCellStyle("定岗定人", at)
		if err != nil {
			t.Fatal(err)
		}
		st, err := x.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		return st.Fill.Color
	}
	if len(fill("B6")) != 0 || len(fill("B7")) == 0 {
		t.Errorf("fills: filled cell %v, vacant cell %v; want only the vacant one coloured", fill("B6"), fill("B7"))
	}
}
