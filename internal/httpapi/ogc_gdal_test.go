package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/incidents"
	"streetchief/internal/registry"
)

// GDAL's OAPIF driver is what QGIS and ogr2ogr read OGC API – Features with, and it is stricter than
// our own tests about media types and links; so the real ogrinfo and ogr2ogr read the real server.

// gdalTool finds a GDAL program; under make test (STREETCHIEF_REQUIRE_DB=1) a missing one fails,
// because a skip there would hide a broken feature service.
func gdalTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("STREETCHIEF_REQUIRE_DB") == "1" {
			t.Fatalf("%s is missing (Debian's gdal-bin; scripts/deps.sh installs it)", name)
		}
		t.Skipf("%s is missing: install gdal-bin", name)
	}
	return p
}

// gdalComplaint matches the lines GDAL prints when it has trouble with a server: errors, warnings
// and the Content-Type check. No warning is acceptable: each one has meant a broken client so far.
var gdalComplaint = regexp.MustCompile(`(?im)^.*(ERROR|Warning|Unexpected Content-Type).*$`)

// runGDAL runs a GDAL program and fails on a non-zero exit or any complaint on stderr.
func runGDAL(t *testing.T, token string, name string, args ...string) string {
	t.Helper()
	if token != "" {
		args = append([]string{"--config", "GDAL_HTTP_HEADERS", "Authorization: Bearer " + token}, args...)
	}
	cmd := exec.Command(gdalTool(t, name), args...)
	// No proxy, no cache between runs: each run must see the server as it is.
	cmd.Env = append(os.Environ(), "GDAL_HTTP_PROXY=", "http_proxy=", "HTTP_PROXY=", "no_proxy=127.0.0.1", "CPL_VSIL_CURL_NON_CACHED=/vsicurl/")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s\nstdout:\n%.2000s", name, strings.Join(args, " "), err, stderr.String(), stdout.String())
	}
	if bad := gdalComplaint.FindAllString(stderr.String(), -1); len(bad) > 0 {
		t.Fatalf("%s %s complained:\n%s", name, strings.Join(args, " "), strings.Join(bad, "\n"))
	}
	return stdout.String()
}

var gdalFeatureCount = regexp.MustCompile(`(?m)^Feature Count: (\d+)$`)

// ogr2ogrCount converts a layer to GeoJSON with ogr2ogr and counts the features written.
func ogr2ogrCount(t *testing.T, token, url, layer string) int {
	t.Helper()
	out := filepath.Join(t.TempDir(), layer+".geojson")
	runGDAL(t, token, "ogr2ogr", "-f", "GeoJSON", out, "OAPIF:"+url+"/ogc", layer)
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var fc struct {
		Features []struct {
			Geometry *struct{ Type string }
		}
	}
	if err := json.Unmarshal(raw, &fc); err != nil {
		t.Fatalf("ogr2ogr wrote %s: %v", out, err)
	}
	for i, f := range fc.Features {
		if f.Geometry == nil {
			t.Fatalf("feature %d of %s has no geometry", i, layer)
		}
	}
	return len(fc.Features)
}

func dbCount(t *testing.T, table string) int {
	t.Helper()
	var n int
	if err := dbtest.Pool(t).QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestGDALReadsTheFeatureServiceAcrossPages(t *testing.T) {
	gdalTool(t, "ogrinfo")
	pool := dbtest.Pool(t)
	authSvc := auth.NewService(pool, auth.Options{})
	api := httpapi.New(httpapi.Deps{DB: pool, Registry: registry.NewStore(pool), Auth: authSvc,
		Incidents: incidents.NewService(pool, routingEngine(t, pool), incidents.Options{})})
	// Pages after the first carry offset= (areas) or before= (incidents); counting them shows that
	// GDAL followed the next links rather than reading one big page.
	var laterPages, laterIncidentPages atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.Query(); q.Get("offset") != "" {
			laterPages.Add(1)
		} else if q.Get("before") != "" {
			laterIncidentPages.Add(1)
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	admin := asUser(t, srv, authSvc, "gdal-admin", access.Admin, 0)
	// More areas than one default page (100), so GDAL must follow the next links.
	var features []string
	for i := range 250 {
		features = append(features, areaFeature("park", fmt.Sprintf("GDAL公园%d", i), sqAt(150+float64(i%50)*0.01, 45+float64(i/50)*0.01, 0.002)))
	}
	if status, doc := admin.do("POST", "/api/v1/areas:import", featureCollection(features...)); status != http.StatusOK {
		t.Fatalf("seeding areas: %d %v", status, doc)
	}
	for i := range 25 {
		body := fmt.Sprintf(`{"category":"street_occupying","lon":%g,"lat":45.001,"description":"GDAL %d"}`, 150+float64(i)*0.01, i)
		if status, doc := admin.do("POST", "/api/v1/incidents", body); status >= 300 {
			t.Fatalf("reporting: %d %v", status, doc)
		}
	}

	summary := runGDAL(t, "", "ogrinfo", "-ro", "-so", "OAPIF:"+srv.URL+"/ogc")
	for _, layer := range []string{"admin_units", "areas"} {
		if !strings.Contains(summary, layer) {
			t.Errorf("anonymous ogrinfo does not list %s:\n%s", layer, summary)
		}
	}
	if strings.Contains(summary, "incidents") {
		t.Errorf("anonymous ogrinfo lists incidents, which it may not read:\n%s", summary)
	}

	detail := runGDAL(t, "", "ogrinfo", "-ro", "-so", "OAPIF:"+srv.URL+"/ogc", "areas")
	if m := gdalFeatureCount.FindStringSubmatch(detail); m == nil || m[1] != fmt.Sprint(dbCount(t, "area")) {
		t.Errorf("ogrinfo areas: feature count %v, database has %d:\n%s", m, dbCount(t, "area"), detail)
	}
	runGDAL(t, "", "ogrinfo", "-ro", "OAPIF:"+srv.URL+"/ogc", "areas")
	if got, want := ogr2ogrCount(t, "", srv.URL, "areas"), dbCount(t, "area"); got != want {
		t.Errorf("ogr2ogr wrote %d areas, the database has %d", got, want)
	}
	if laterPages.Load() == 0 {
		t.Errorf("GDAL read %d areas without following a next link", dbCount(t, "area"))
	}
	if got, want := ogr2ogrCount(t, "", srv.URL, "admin_units"), dbCount(t, "admin_unit"); got != want {
		t.Errorf("ogr2ogr wrote %d admin units, the database has %d", got, want)
	}

	signedIn := runGDAL(t, admin.token, "ogrinfo", "-ro", "-so", "OAPIF:"+srv.URL+"/ogc")
	if !strings.Contains(signedIn, "incidents") {
		t.Errorf("ogrinfo with a token does not list incidents:\n%s", signedIn)
	}
	runGDAL(t, admin.token, "ogrinfo", "-ro", "OAPIF:"+srv.URL+"/ogc", "incidents")
	if got, want := ogr2ogrCount(t, admin.token, srv.URL, "incidents"), dbCount(t, "incident"); got != want {
		t.Errorf("ogr2ogr wrote %d incidents, the database has %d", got, want)
	}
	if laterIncidentPages.Load() == 0 {
		t.Errorf("GDAL read %d incidents without following a next link", dbCount(t, "incident"))
	}
}
