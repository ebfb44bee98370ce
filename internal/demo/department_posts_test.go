package demo

import (
	"context"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/registry"
)

// TestDemoFillsTheFixedPostsMatrixWithAFewVacancies: every subdistrict has each department's posts
// at the department's level — the city's for the police, traffic police and fire brigade, both for
// urban management — some deputies, exactly the vacancies the generated city holds (a few), one or
// two linked leaders and, across the district, three cross-appointees.
func TestDemoFillsTheFixedPostsMatrixWithAFewVacancies(t *testing.T) {
	pool, c := mustLoad(t)
	m, err := registry.NewStore(pool).DepartmentMatrix(context.Background(), access.System("test"), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	subs := 0
	for _, u := range c.AdminUnits {
		if u.Level == LevelSubdistrict {
			subs++
		}
	}
	if len(m.Subdistricts) != subs || len(m.Departments) != len(departments) {
		t.Fatalf("%d columns × %d rows, want %d × %d", len(m.Subdistricts), len(m.Departments), subs, len(departments))
	}
	// The vacancies the generator made: a (subdistrict, department, role) with no current primary holder.
	type post struct {
		sub  string
		dept string
		role registry.PostRole
	}
	held := map[post]bool{}
	for _, a := range c.Assignments {
		if a.Current() && !a.Deputy && a.Department != "" && (a.Role == registry.DepartmentLeader || a.Role == registry.DepartmentLiaison) {
			held[post{c.AdminUnits[a.AdminUnit-1].Name, a.Department, a.Role}] = true
		}
	}
	want, deputies, cross := 0, 0, 0
	levels := map[string]map[registry.Level]bool{}
	for i, row := range m.Departments {
		code := departments[i].code
		if row.Code != code {
			t.Fatalf("row %d is %s, want %s", i, row.Code, code)
		}
		levels[code] = map[registry.Level]bool{}
		for j, cell := range row.Cells {
			sub := m.Subdistricts[j].Name
			if !held[post{sub, code, registry.DepartmentLeader}] || !held[post{sub, code, registry.DepartmentLiaison}] {
				want++
			}
			for _, p := range append(cell.Leaders, cell.Responsible...) {
				levels[code][p.Level] = true
				if !p.Primary {
					deputies++
				}
			}
		}
	}
	if m.VacantCells != want || want == 0 || want > len(m.Departments)*subs/4 {
		t.Errorf("%d vacant cells, the city holds %d; want a few (1 to a quarter of %d)", m.VacantCells, want, len(m.Departments)*subs)
	}
	if deputies == 0 {
		t.Error("no deputies in the matrix")
	}
	for code, got := range levels {
		city, district := got[registry.CityLevel], got[registry.DistrictLevel]
		switch code {
		case "urban_management":
			if !city || !district {
				t.Errorf("%s has levels %v, want both", code, got)
			}
		case "public_security", "traffic_police", "fire":
			if !city || district {
				t.Errorf("%s has levels %v, want the city's only", code, got)
			}
		default:
			if city || !district {
				t.Errorf("%s has levels %v, want the district's only", code, got)
			}
		}
	}
	for _, col := range m.Subdistricts {
		if n := len(col.LinkedLeaders); n < 1 || n > 2 || col.LinkedLeaders[0].Level != registry.CityLevel {
			t.Errorf("%s has linked leaders %+v, want a city leader and perhaps a district one", col.Name, col.LinkedLeaders)
		}
		if len(col.StreetChiefs) == 0 {
			t.Errorf("%s has no street chief", col.Name)
		}
		cross += len(col.CrossAppointees)
	}
	if cross != 3 {
		t.Errorf("%d cross-appointees in the district, want 3", cross)
	}
}
