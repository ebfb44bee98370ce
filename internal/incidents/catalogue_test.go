package incidents_test

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
)

func importCSV(t *testing.T, w *world, src string) (incidents.ImportResult, error) {
	t.Helper()
	rows, err := incidents.ParseCatalogue(strings.NewReader(src))
	if err != nil {
		return incidents.ImportResult{}, err
	}
	return w.svc.ImportCatalogue(context.Background(), system, rows, false)
}

func auditRows(t *testing.T) int {
	t.Helper()
	var n int
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT count(*) FROM audit_log WHERE target_type = 'incident_category'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportingTheNationalCatalogueTwiceChangesNothingTheSecondTime(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rows, err := incidents.ParseCatalogue(bytes.NewReader(incidents.NationalCatalogue()))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 50 {
		t.Fatalf("national catalogue has %d rows", len(rows))
	}
	if _, err := w.svc.ImportCatalogue(ctx, system, rows, false); err != nil {
		t.Fatal(err)
	}
	audits := auditRows(t)
	again, err := w.svc.ImportCatalogue(ctx, system, rows, false)
	if err != nil || again.Created != 0 || again.Changed != 0 || again.Retired != 0 || again.Unchanged != len(rows) {
		t.Fatalf("second import %+v %v", again, err)
	}
	if n := auditRows(t); n != audits {
		t.Fatalf("second import wrote %d audit rows", n-audits)
	}
	gas, err := w.svc.Category(ctx, "04-03")
	if err != nil || gas.NameZh != "燃气泄漏" || gas.Parent != "04" || gas.Escalation != incidents.ToStreetChief || !gas.Selectable {
		t.Fatalf("04-03 %+v %v", gas, err)
	}
	// The seven first categories are still there, now under 大类.
	if c, err := w.svc.Category(ctx, "street_occupying"); err != nil || c.Parent != "05" || !c.Selectable {
		t.Fatalf("street_occupying %+v %v", c, err)
	}

	// An export reads back as the same catalogue.
	var buf bytes.Buffer
	if err := w.svc.ExportCatalogue(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	exported, err := incidents.ParseCatalogue(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := w.svc.ImportCatalogue(ctx, system, exported, false); err != nil || res.Created+res.Changed+res.Retired != 0 {
		t.Fatalf("re-importing the export %+v %v", res, err)
	}
}

func TestBadCatalogueRowsAreAllReportedWithTheirLinesAndNothingIsWritten(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const header = "code,parent,name_zh,name_en,ack_hours,start_hours,resolve_hours,escalation,after_photo_required,departments,retired_reason\n"
	checkLines := func(err error, want ...string) {
		t.Helper()
		if err == nil {
			t.Fatal("the import was accepted")
		}
		var ce *incidents.CatalogueError
		if !errors.As(err, &ce) {
			t.Fatalf("want a catalogue error, got %v", err)
		}
		if len(ce.Rows) != len(want) {
			t.Fatalf("%d bad rows reported, want %d: %v", len(ce.Rows), len(want), err)
		}
		for i, r := range ce.Rows {
			if got := strings.Join([]string{strconv.Itoa(r.Line), r.Reason}, " "); !strings.HasPrefix(got, want[i]) && !strings.Contains(got, want[i]) {
				t.Errorf("row %d: %q does not say %q", i, got, want[i])
			}
		}
	}
	// Rows wrong on their own: found while reading the file.
	_, err := importCSV(t, w, header+
		"b1,,坏大类,Bad group,2,8,48,stepwise,false,,\n"+
		"b1-01,b1,好的,Good,1,2,4,stepwise,true,urban_management,\n"+
		"b1-02,b1,坏时限,Bad hours,x,2,4,stepwise,false,,\n"+
		"b1-03,b1,坏时限,Bad hours,0,2,4,stepwise,false,,\n"+
		"b1-01,b1,重复,Duplicate,1,2,4,stepwise,false,,\n"+
		"B1/04,b1,坏代码,Bad code,1,2,4,stepwise,false,,\n"+
		"b1-05,b1,坏升级,Bad escalation,1,2,4,mayor,false,,\n"+
		"b1-06,b1,少列,Too few fields\n")
	checkLines(err, "4 ack_hours", "5 ack_hours", "6 code also on line 3", "7 code", "8 escalation", "9 4 fields; the header has 11")

	// Rows wrong against the database: found in the import's transaction, which then writes nothing.
	_, err = importCSV(t, w, header+
		"b2,,大类,Group,2,8,48,stepwise,false,,\n"+
		"b2-01,b2,好的,Good,1,2,4,stepwise,true,urban_management,\n"+
		"b2-02,b2,坏部门,Bad department,1,2,4,stepwise,false,urban_management|nope,\n"+
		"b2-03,zz,无大类,No parent,1,2,4,stepwise,false,,\n"+
		"b2-04,b2-01,三级,Three levels,1,2,4,stepwise,false,,\n")
	checkLines(err, "4 unknown department", "5 parent", "6 category b2-04: parent b2-01 of b2-04 is itself a subcategory")
	for _, code := range []string{"b1", "b1-01", "b2", "b2-01"} {
		if _, err := w.svc.Category(ctx, code); err == nil {
			t.Fatalf("%s was written by a refused import", code)
		}
	}

	// Both kinds in one file: one run reports them all.
	_, _, err = w.svc.ImportCatalogueFile(ctx, system, strings.NewReader(header+
		"b3,,大类,Group,2,8,48,stepwise,false,,\n"+
		"b3-01,b3,坏部门,Bad department,1,2,4,stepwise,false,nope,\n"+
		"b3-02,b3,坏时限,Bad hours,1,2,99999,stepwise,false,,\n"), false)
	checkLines(err, "3 unknown department", "4 resolve_hours")
	if _, err := w.svc.Category(ctx, "b3"); err == nil {
		t.Fatal("b3 was written by a refused import")
	}

	_, err = importCSV(t, w, "code,name_zh,colour\n")
	checkLines(err, "1 unknown column", "1 column \"parent\" is missing", "1 column \"name_en\"", "1 column \"ack_hours\"",
		"1 column \"start_hours\"", "1 column \"resolve_hours\"", "1 column \"escalation\"", "1 column \"after_photo_required\"", "1 column \"departments\"")
}

func TestEscalationsMatchTheDatabaseCheck(t *testing.T) {
	var def string
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'incident_category'::regclass AND conname = 'incident_category_escalation_check'`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	for _, e := range incidents.Escalations {
		if !strings.Contains(def, "'"+string(e)+"'") {
			t.Errorf("escalation %q is not allowed by %s", e, def)
		}
	}
	if n := strings.Count(def, "'"); n != 2*len(incidents.Escalations) {
		t.Errorf("the check %s allows other values than %v", def, incidents.Escalations)
	}
}

// FuzzParseCatalogue: any file is read without a panic, and every row it accepts is a valid category.
func FuzzParseCatalogue(f *testing.F) {
	f.Add(incidents.NationalCatalogue())
	f.Add([]byte("code,parent,name_zh,name_en,ack_hours,start_hours,resolve_hours,escalation,after_photo_required,departments\n" +
		"x,,甲,A,1,1,1,stepwise,true,a|b\n\"broken"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := incidents.ParseCatalogue(bytes.NewReader(b))
		var ce *incidents.CatalogueError
		if err != nil && !errors.As(err, &ce) {
			t.Fatalf("not a catalogue error: %v", err)
		}
		for _, r := range rows {
			c := r.Category
			if c.Code == "" || c.NameZh == "" || c.NameEn == "" || c.AckHours < 1 || c.ResolveHours > incidents.MaxCategoryHours || r.Line < 2 {
				t.Fatalf("accepted %+v", r)
			}
		}
	})
}
