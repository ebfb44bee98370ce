package merchants_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"streetchief/geo"
	"streetchief/internal/apperr"
	"streetchief/internal/merchants"
)

func importCSV(t *testing.T, w *world, csv string, opt merchants.ImportOptions) (merchants.ImportReport, error) {
	t.Helper()
	rows, pre, err := merchants.ReadTable(strings.NewReader(csv), merchants.FormatCSV, geo.WGS84)
	if err != nil {
		t.Fatal(err)
	}
	return w.store.ImportRows(context.Background(), system, rows, pre, opt)
}

func TestImportTwiceChangesNothingTheSecondTime(t *testing.T) {
	w := newWorld(t)
	a, b := w.inA(), w.inB()
	csv := fmt.Sprintf("\ufeffname,licence,address,lon,lat,crs\n"+
		"老王理发店,%s,中山路 1 号,%.6f,%.6f,WGS-84\n"+
		"红星超市,,中山路 3 号,%.6f,%.6f,wgs84\n", licence(11), a[0], a[1], b[0], b[1])
	first, err := importCSV(t, w, csv, merchants.ImportOptions{})
	if err != nil || first.Created != 2 || !first.Complete() {
		t.Fatalf("first import: %+v %v", first, err)
	}
	before := rowCounts(t)
	second, err := importCSV(t, w, csv, merchants.ImportOptions{})
	if err != nil || second.Unchanged != 2 || second.Created+second.Updated != 0 {
		t.Fatalf("second import: %+v %v", second, err)
	}
	// Only the import's own audit row is new.
	if after := rowCounts(t); after == before {
		t.Fatalf("the second import left no audit row: %s", after)
	}
	// A changed address updates the licensed shop in place; the other, keyed by name and address,
	// is a new shop when its address changes.
	changed := strings.Replace(csv, "中山路 1 号", "中山路 1-2 号", 1)
	third, err := importCSV(t, w, changed, merchants.ImportOptions{})
	if err != nil || third.Updated != 1 || third.Unchanged != 1 {
		t.Fatalf("third import: %+v %v", third, err)
	}
	list, _, _ := w.store.ListMerchants(context.Background(), system, merchants.Filter{Name: "老王"})
	if len(list) != 1 || list[0].Address != "中山路 1-2 号" || list[0].LicenceNo != licence(11) {
		t.Fatalf("updated in place: %+v", list)
	}
}

func TestImportReportsEveryBadRowAndWritesNoneOfThem(t *testing.T) {
	w := newWorld(t)
	a := w.inA()
	good := fmt.Sprintf("好店,,中山路 9 号,%.6f,%.6f,WGS-84", a[0], a[1])
	csv := "name,licence,address,lon,lat,crs\n" +
		good + "\n" +
		fmt.Sprintf("错码店,%s,中山路 2 号,%.6f,%.6f,WGS-84\n", licence(3)[:17]+wrongCheck(licence(3)), a[0], a[1]) +
		"境外店,,几内亚湾,0.5,0.5,WGS-84\n" +
		fmt.Sprintf("无经度店,,中山路 4 号,NaN,%.6f,WGS-84\n", a[1]) +
		fmt.Sprintf("怪坐标店,,中山路 5 号,%.6f,%.6f,Beijing54\n", a[0], a[1]) +
		fmt.Sprintf(",,中山路 6 号,%.6f,%.6f,WGS-84\n", a[0], a[1]) +
		fmt.Sprintf("%s,,中山路 7 号,%.6f,%.6f,WGS-84\n", strings.Repeat("长", 300), a[0], a[1]) +
		good + "\n"
	before := rowCounts(t)
	if _, err := importCSV(t, w, csv, merchants.ImportOptions{Strict: true}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("strict import of bad rows: %v", err)
	}
	if after := rowCounts(t); after != before {
		t.Fatalf("strict refusal wrote: %s → %s", before, after)
	}
	rep, err := importCSV(t, w, csv, merchants.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Created != 1 || len(rep.Rejected) != 7 {
		t.Fatalf("report: %+v", rep)
	}
	want := map[int]string{3: "check character", 4: "outside every subdistrict", 5: "lon", 6: "coordinate system", 7: "name is required",
		8: "characters", 9: "the same shop"}
	for _, r := range rep.Rejected {
		if !strings.Contains(r.Reason, want[r.Line]) {
			t.Errorf("line %d: %q, want it to say %q", r.Line, r.Reason, want[r.Line])
		}
		delete(want, r.Line)
	}
	if len(want) != 0 {
		t.Errorf("lines not reported: %v", want)
	}
}

func wrongCheck(s string) string {
	if s[17] == '0' {
		return "1"
	}
	return "0"
}

// A sheet kept in GCJ-02 (points picked on AMap) lands where the same shop's WGS-84 point does.
func TestImportXLSXInGCJ02(t *testing.T) {
	w := newWorld(t)
	wgs := w.inA()
	gcj := geo.FromWGS84(wgs, geo.GCJ02)
	f := excelize.NewFile()
	rows := [][]any{{"商户名称", "统一社会信用代码", "地址", "经度", "纬度", "坐标系"},
		{"高德店", licence(21), "中山路 10 号", gcj[0], gcj[1], "GCJ-02"}}
	for i, r := range rows {
		if err := f.SetSheetRow("Sheet1", fmt.Sprintf("A%d", i+1), &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	in, pre, err := merchants.ReadTable(&buf, merchants.FormatXLSX, geo.WGS84)
	if err != nil || len(pre) != 0 || len(in) != 1 {
		t.Fatalf("read: %v %v %v", in, pre, err)
	}
	rep, err := w.store.ImportRows(context.Background(), system, in, pre, merchants.ImportOptions{})
	if err != nil || rep.Created != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	got, _, _ := w.store.ListMerchants(context.Background(), system, merchants.Filter{Name: "高德店"})
	if len(got) != 1 || geo.DistanceMetres(got[0].Location, wgs) > 0.5 || got[0].CommunityID != w.comA.ID {
		t.Fatalf("stored at %v, want %v: %+v", got[0].Location, wgs, got)
	}
}

func TestReadTableRefusesAFileWithoutItsColumns(t *testing.T) {
	for _, s := range []string{"", "名称,地址\n甲,乙\n", "name,lon\nx,1\n"} {
		if _, _, err := merchants.ReadTable(strings.NewReader(s), merchants.FormatCSV, geo.WGS84); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%q: %v", s, err)
		}
	}
	if _, _, err := merchants.ReadTable(strings.NewReader("PK not a workbook"), merchants.FormatXLSX, geo.WGS84); !apperr.Is(err, apperr.Malformed) {
		t.Errorf("broken xlsx: %v", err)
	}
}
