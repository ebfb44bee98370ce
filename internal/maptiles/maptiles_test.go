package maptiles_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/maptiles"
	"streetchief/tiles"
)

var admin = access.System("test")

func mustTile(t *testing.T, svc *maptiles.Service, who access.Principal, layer string, tile maptile.Tile, f maptiles.Filter) (maptiles.Tile, mvt.Layers) {
	t.Helper()
	got, err := svc.Tile(context.Background(), who, maptiles.Request{Layer: layer, Tile: tile, Filter: f})
	if err != nil {
		t.Fatalf("%s %v: %v", layer, tile, err)
	}
	if got.Gzipped == nil {
		return got, nil
	}
	ls, err := tiles.Check(got.Gzipped, maptiles.Schema())
	if err != nil {
		t.Fatalf("%s %v: %v", layer, tile, err)
	}
	return got, ls
}

func TestEveryLayerDrawsValidTilesOverTheDemoCity(t *testing.T) {
	c := demoCity(t)
	svc := newService(loadedEngine(t), dbtest.Pool(t), maptiles.Options{})
	b := cityBound(c)
	for _, l := range maptiles.Layers() {
		t.Run(l.Name, func(t *testing.T) {
			features := 0
			for _, z := range []maptile.Zoom{10, 12, 13, 15} {
				for _, tile := range tilesOver(b, z)[:min(6, len(tilesOver(b, z)))] {
					_, ls := mustTile(t, svc, admin, l.Name, tile, maptiles.Filter{})
					for _, ml := range ls {
						features += len(ml.Features)
					}
				}
			}
			if features == 0 {
				t.Fatal("no features in any tile over the city")
			}
		})
	}
}

func TestPublicTilesCarryNoPhoneNumbers(t *testing.T) {
	c := demoCity(t)
	svc := newService(loadedEngine(t), dbtest.Pool(t), maptiles.Options{})
	var raw bytes.Buffer
	for _, layer := range []string{maptiles.LayerAdmin, maptiles.LayerAreas} {
		for _, tile := range tilesOver(cityBound(c), 13) {
			got, _ := mustTile(t, svc, access.Anonymous(""), layer, tile, maptiles.Filter{})
			if got.Gzipped != nil {
				zr, err := gzip.NewReader(bytes.NewReader(got.Gzipped))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := io.Copy(&raw, zr); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if raw.Len() == 0 {
		t.Fatal("no public tiles drawn")
	}
	for _, p := range c.People {
		if p.Phone != "" && bytes.Contains(raw.Bytes(), []byte(p.Phone)) {
			t.Fatalf("%s's phone number is in a public tile", p.Name)
		}
	}
}

// heatCount adds up the incidents a heat tile counts.
func heatCount(ls mvt.Layers) int {
	n := 0
	for _, l := range ls {
		for _, f := range l.Features {
			n += int(f.Properties["count"].(float64))
		}
	}
	return n
}

func TestIncidentTilesCountOnlyWhatTheCallerMaySeeAndWhatTheFilterAsks(t *testing.T) {
	c := demoCity(t)
	pool := dbtest.Pool(t)
	svc := newService(loadedEngine(t), pool, maptiles.Options{})
	ctx := context.Background()
	var community, subdistrict int64
	if err := pool.QueryRow(ctx, `SELECT community_id, subdistrict_id FROM incident WHERE community_id IS NOT NULL
		GROUP BY 1, 2 ORDER BY count(*) DESC LIMIT 1`).Scan(&community, &subdistrict); err != nil {
		t.Fatal(err)
	}
	lane := access.Principal{Role: access.LaneChief, UserID: 1, Scope: access.Scope{Communities: []int64{community}}}
	// A lane chief also sees what is assigned to them elsewhere, as in the incident list; the tile
	// cache must keep them apart from a colleague of the same scope.
	assignee := lane
	if err := pool.QueryRow(ctx, `SELECT assignee_person_id FROM incident
		WHERE assignee_person_id IS NOT NULL AND community_id IS DISTINCT FROM $1 LIMIT 1`, community).Scan(&assignee.PersonID); err != nil {
		t.Fatal(err)
	}
	from := time.Now().AddDate(0, 0, -60)
	for _, tc := range []struct {
		name  string
		who   access.Principal
		f     maptiles.Filter
		where string
		args  []any
	}{
		{"whole district", admin, maptiles.Filter{}, "TRUE", nil},
		{"one community", lane, maptiles.Filter{}, "community_id = $1", []any{community}},
		{"one community and what is assigned to its chief elsewhere", assignee, maptiles.Filter{},
			"(community_id = $1 OR assignee_person_id = $2)", []any{community, assignee.PersonID}},
		{"one category in the last 60 days", admin, maptiles.Filter{Category: "05-02", From: from},
			"category = '05-02' AND reported_at >= $1", []any{from}},
		{"one group (大类) of categories: its subcategories", admin, maptiles.Filter{Category: "05"},
			"category IN (SELECT code FROM incident_category WHERE parent = '05')", nil},
		{"finished statuses of one community", lane, maptiles.Filter{Statuses: []string{"closed", "resolved"}},
			"community_id = $1 AND status IN ('resolved', 'closed')", []any{community}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want int
			if err := pool.QueryRow(ctx, `SELECT count(*) FROM incident WHERE `+tc.where, tc.args...).Scan(&want); err != nil {
				t.Fatal(err)
			}
			got := 0
			for _, tile := range tilesOver(cityBound(c), 11) {
				_, ls := mustTile(t, svc, tc.who, maptiles.LayerHeatIncidents, tile, tc.f)
				got += heatCount(ls)
			}
			if got != want || want == 0 {
				t.Fatalf("heat tiles count %d incidents, the database %d", got, want)
			}
		})
	}
	if _, err := svc.Tile(ctx, access.Anonymous(""), maptiles.Request{Layer: maptiles.LayerIncidents, Tile: maptile.New(0, 0, 0)}); !apperr.Is(err, apperr.Unauthorized) {
		t.Fatalf("anonymous incident tile: %v", err)
	}
}

func TestIncidentsClusterBelowZoom14AndKeepTheirCount(t *testing.T) {
	c := demoCity(t)
	svc := newService(loadedEngine(t), dbtest.Pool(t), maptiles.Options{})
	open := maptiles.Filter{Statuses: []string{"reported", "assigned", "in_progress", "escalated", "joint_enforcement", "reopened"}}
	count := func(z maptile.Zoom) (total, clusters int) {
		for _, tile := range tilesOver(cityBound(c), z) {
			_, ls := mustTile(t, svc, admin, maptiles.LayerIncidents, tile, open)
			for _, l := range ls {
				for _, f := range l.Features {
					n := int(f.Properties["count"].(float64))
					total += n
					if _, single := f.Properties["id"]; !single {
						clusters++
					}
				}
			}
		}
		return total, clusters
	}
	low, lowClusters := count(12)
	if lowClusters == 0 {
		t.Fatal("no clusters at zoom 12")
	}
	heat := 0
	for _, tile := range tilesOver(cityBound(c), 12) {
		_, ls := mustTile(t, svc, admin, maptiles.LayerHeatIncidents, tile, open)
		heat += heatCount(ls)
	}
	if low != heat {
		t.Fatalf("clusters at zoom 12 count %d open incidents, the heat grid %d", low, heat)
	}
	if _, clusters := count(14); clusters != 0 {
		t.Fatalf("%d clusters at zoom 14", clusters)
	}
}

func TestFiltersAndTileCoordinatesAreValidated(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		code        apperr.Code
	}{
		{"bad time", "from=yesterday", apperr.Malformed},
		// The rest are the incident list's own rules, answered the same way.
		{"from after to", "from=2026-02-01&to=2026-01-01", apperr.Invalid},
		{"bad category", "category=DROP%20TABLE", apperr.Invalid},
		{"unknown status", "status=reported,lost", apperr.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			if _, err := maptiles.ParseFilter(q); !apperr.Is(err, tc.code) {
				t.Fatalf("%s: %v", tc.query, err)
			}
		})
	}
	// A URL full of statuses is refused in time linear in its length, not quadratic.
	many := make([]string, 200_000)
	for i := range many {
		many[i] = "s" + strconv.Itoa(i)
	}
	start := time.Now()
	if _, err := maptiles.ParseFilter(url.Values{"status": {strings.Join(many, ",")}}); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("200,000 unknown statuses: %v", err)
	} else if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("200,000 statuses took %v", took)
	}
	q, _ := url.ParseQuery("from=2026-01-01&status=reported&status=escalated,reported&category=sanitation")
	f, err := maptiles.ParseFilter(q)
	if err != nil || f.Query().Encode() != "category=sanitation&from=2026-01-01T00%3A00%3A00Z&status=escalated%2Creported" {
		t.Fatalf("%v %q", err, f.Query().Encode())
	}
	for _, zxy := range [][3]string{{"23", "0", "0"}, {"2", "4", "0"}, {"a", "0", "0"}, {"-1", "0", "0"}, {"01", "0", "0"}} {
		if _, err := maptiles.ParseTile(zxy[0], zxy[1], zxy[2]); !apperr.Is(err, apperr.Malformed) {
			t.Fatalf("%s: %v", strings.Join(zxy[:], "/"), err)
		}
	}
}
