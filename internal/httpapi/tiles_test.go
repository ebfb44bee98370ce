package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/lookup"
	"streetchief/internal/maptiles"
	"streetchief/internal/registry"
	"streetchief/tiles"
)

// tileWorld is a subdistrict with one community and a park whose manager has a phone number, in
// its own corner of the map, served with vector tiles.
type tileWorld struct {
	srv    *httptest.Server
	token  string // an administrator's bearer token
	park   registry.Area
	centre orb.Point
}

func newTileWorld(t testing.TB) *tileWorld {
	t.Helper()
	ctx := context.Background()
	pool := dbtest.Pool(t)
	store := registry.NewStore(pool)
	n := tileUsers.Add(1)
	x, y := 140.0+float64(n), 40.0 // each world in its own corner
	code := func(s string) string { return fmt.Sprintf("tiles%d-%s", n, s) }
	sq := func(x, y, d float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	city, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "city", Code: code("c"), Name: "图城", Boundary: sq(x, y, 0.1)})
	must(err)
	dist, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "district", ParentID: city.ID, Code: code("d"), Name: "图区", Boundary: sq(x, y, 0.1)})
	must(err)
	sub, err := store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "subdistrict", ParentID: dist.ID, Code: code("s"), Name: "图街道", Boundary: sq(x, y, 0.1)})
	must(err)
	_, err = store.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: "community", ParentID: sub.ID, Code: code("a"), Name: "图社区", Boundary: sq(x, y, 0.05)})
	must(err)
	park, err := store.CreateArea(ctx, system, registry.AreaInput{Kind: "park", Name: "图公园", Geom: sq(x+0.01, y+0.01, 0.01)})
	must(err)
	manager, err := store.CreatePerson(ctx, system, registry.PersonInput{Name: "园长", Phone: "13912345678", Active: true})
	must(err)
	_, err = store.CreateAssignment(ctx, system, registry.AssignmentInput{AreaID: park.ID, PersonID: manager.ID, Role: "area_manager", Primary: true})
	must(err)
	engine := lookup.New(store)
	must(engine.Load(ctx))
	svc := auth.NewService(pool, auth.Options{})
	inc := incidentService(t, pool, engine)
	srv := httptest.NewServer(httpapi.New(httpapi.Deps{DB: pool, Registry: store, Lookup: engine, Auth: svc, Incidents: inc,
		Tiles: maptiles.NewService(engine, inc, pool, maptiles.Options{})}))
	t.Cleanup(srv.Close)
	u, err := svc.AddUser(ctx, system, auth.UserInput{Username: code("admin"), Password: "correct horse battery", Role: access.Admin})
	must(err)
	tok, _, err := svc.IssueToken(ctx, system, u.ID, "test", 3600e9)
	must(err)
	return &tileWorld{srv: srv, token: tok, park: park, centre: orb.Point{x + 0.015, y + 0.015}}
}

var tileUsers atomic.Int64

// get fetches path with the given request headers; the body is returned as sent (no transparent
// decompression, since the test sets Accept-Encoding itself).
func (w *tileWorld) get(t testing.TB, path string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", w.srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept-Encoding", "identity")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := w.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func tilePath(layer string, tile maptile.Tile, ext string) string {
	return fmt.Sprintf("/tiles/%s/%d/%d/%d.%s", layer, tile.Z, tile.X, tile.Y, ext)
}

func TestTileEndpointServesGzipETagsAnd304(t *testing.T) {
	w := newTileWorld(t)
	tile := maptile.At(w.centre, 14)
	for _, ext := range []string{"mvt", "pbf"} {
		resp, body := w.get(t, tilePath("areas", tile, ext), "Accept-Encoding", "gzip, deflate")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Content-Type") != "application/vnd.mapbox-vector-tile" {
			t.Fatalf(".%s: %d %v", ext, resp.StatusCode, resp.Header)
		}
		ls, err := tiles.Check(body, maptiles.Schema())
		if err != nil {
			t.Fatal(err)
		}
		f := ls[0].Features[0]
		if f.Properties["name"] != "图公园" || f.Properties["responsible"] != "园长" || f.Properties["covered"] != true {
			t.Fatalf("park properties %v", f.Properties)
		}
		if strings.Contains(string(body), "13912345678") {
			t.Fatal("a phone number in a public tile")
		}
		etag := resp.Header.Get("ETag")
		if etag == "" || resp.Header.Get("Cache-Control") == "" {
			t.Fatalf("no ETag or Cache-Control: %v", resp.Header)
		}
		if again, _ := w.get(t, tilePath("areas", tile, ext), "Accept-Encoding", "gzip", "If-None-Match", etag); again.StatusCode != http.StatusNotModified {
			t.Fatalf("If-None-Match %s: %d", etag, again.StatusCode)
		}
		plain, raw := w.get(t, tilePath("areas", tile, ext))
		if plain.StatusCode != 200 || plain.Header.Get("Content-Encoding") != "" || plain.Header.Get("ETag") == etag {
			t.Fatalf("identity: %d %v", plain.StatusCode, plain.Header)
		}
		if _, err := tiles.Check(raw, maptiles.Schema()); err != nil || raw[0] == 0x1f {
			t.Fatalf("identity body: %v", err)
		}
	}
}

func TestTileEndpointAnswersProblemsAndNoContent(t *testing.T) {
	w := newTileWorld(t)
	for _, tc := range []struct {
		name, path string
		status     int
		auth       bool
	}{
		{"empty tile", "/tiles/areas/14/0/0.mvt", http.StatusNoContent, false},
		{"zoom out of range", "/tiles/areas/23/0/0.mvt", http.StatusBadRequest, false},
		{"x past the edge", "/tiles/areas/2/4/0.mvt", http.StatusBadRequest, false},
		{"malformed y", "/tiles/areas/2/1/zz.mvt", http.StatusBadRequest, false},
		{"unknown layer", "/tiles/parking/2/1/1.mvt", http.StatusNotFound, false},
		{"unknown status, as the incident list answers it", "/tiles/heat_incidents/12/0/0.mvt?status=lost", http.StatusUnprocessableEntity, true},
		{"malformed time", "/tiles/heat_incidents/12/0/0.mvt?from=yesterday", http.StatusBadRequest, true},
		{"incidents need sign-in", "/tiles/incidents/12/0/0.mvt", http.StatusUnauthorized, false},
		{"incidents signed in", "/tiles/incidents/12/0/0.mvt", http.StatusNoContent, true},
		{"heat signed in", "/tiles/heat_incidents/12/0/0.mvt?from=2026-01-01", http.StatusNoContent, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h []string
			if tc.auth {
				h = []string{"Authorization", "Bearer " + w.token}
			}
			resp, body := w.get(t, tc.path, h...)
			if resp.StatusCode != tc.status {
				t.Fatalf("%s: %d %s, want %d", tc.path, resp.StatusCode, body, tc.status)
			}
			if tc.status >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d without a problem document: %v", resp.StatusCode, resp.Header)
			}
		})
	}
}

func TestTileJSONDescribesEveryLayer(t *testing.T) {
	w := newTileWorld(t)
	resp, body := w.get(t, "/tiles/index.json")
	var index struct {
		Layers []maptiles.IndexEntry `json:"layers"`
	}
	if err := json.Unmarshal(body, &index); err != nil || resp.StatusCode != 200 || len(index.Layers) != len(maptiles.Layers()) {
		t.Fatalf("index: %d %s %v", resp.StatusCode, body, err)
	}
	for _, l := range index.Layers {
		var h []string
		if l.Access != "public" {
			h = []string{"Authorization", "Bearer " + w.token}
		}
		resp, body := w.get(t, strings.TrimPrefix(l.TileJSON, w.srv.URL)+"?category=sanitation", h...)
		var doc maptiles.TileJSON
		if err := json.Unmarshal(body, &doc); err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", l.TileJSON, resp.StatusCode, body)
		}
		if doc.TileJSON != "3.0.0" || len(doc.Tiles) != 1 || !strings.HasPrefix(doc.Tiles[0], w.srv.URL+"/tiles/"+l.Name+"/{z}/{x}/{y}.mvt") ||
			len(doc.VectorLayers) == 0 || len(doc.VectorLayers[0].Fields) == 0 || doc.MinZoom > doc.MaxZoom {
			t.Fatalf("%s: %+v", l.Name, doc)
		}
		if filtered := strings.Contains(doc.Tiles[0], "category=sanitation"); filtered != (len(l.Filters) > 0) {
			t.Fatalf("%s: filter in tile URL %q", l.Name, doc.Tiles[0])
		}
		if doc.Bounds[0] > w.centre[0] || doc.Bounds[2] < w.centre[0] {
			t.Fatalf("%s: bounds %v leave out the world's centre %v", l.Name, doc.Bounds, w.centre)
		}
	}
}

// BenchmarkCachedTileRequests measures cached tile requests per second over HTTP with parallel
// clients: the steady state of a map being panned over the same streets.
func BenchmarkCachedTileRequests(b *testing.B) {
	w := newTileWorld(b)
	tile := maptile.At(w.centre, 14)
	path := w.srv.URL + tilePath("areas", tile, "mvt")
	client := w.srv.Client()
	client.Transport.(*http.Transport).MaxIdleConnsPerHost = 64
	if resp, _ := w.get(b, tilePath("areas", tile, "mvt"), "Accept-Encoding", "gzip"); resp.StatusCode != 200 {
		b.Fatalf("warm-up: %d", resp.StatusCode)
	}
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("GET", path, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			resp, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("status %d", resp.StatusCode)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
