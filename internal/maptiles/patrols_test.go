package maptiles_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/fieldproof"
	"streetchief/internal/maptiles"
	"streetchief/internal/patrols"
)

func trackFeatures(ls mvt.Layers) []*mvtFeature {
	var out []*mvtFeature
	for _, l := range ls {
		if l.Name != maptiles.LayerPatrols {
			continue
		}
		for _, f := range l.Features {
			out = append(out, &mvtFeature{props: f.Properties, geom: f.Geometry})
		}
	}
	return out
}

func findTrack(fs []*mvtFeature, id string) *mvtFeature {
	for _, f := range fs {
		if f.props["id"] == id {
			return f
		}
	}
	return nil
}

type mvtFeature struct {
	props map[string]any
	geom  orb.Geometry
}

// A patrol walked in a community shows on the patrols layer as a line with its person and suspect
// flag, to whoever may read it; a lane chief of another community sees none of it.
func TestPatrolTracksShowOnlyInScope(t *testing.T) {
	demoCity(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	var at orb.Point
	var com, other, person int64
	var name string
	if err := pool.QueryRow(ctx, `SELECT ST_X(ST_PointOnSurface(boundary)), ST_Y(ST_PointOnSurface(boundary)), id,
			(SELECT o.id FROM unit_directory o WHERE o.level = 'community' AND o.id <> u.id ORDER BY o.id LIMIT 1),
			(SELECT p.id FROM person_directory p ORDER BY p.id LIMIT 1), (SELECT p.name FROM person_directory p ORDER BY p.id LIMIT 1)
		FROM unit_directory u WHERE u.level = 'community' ORDER BY u.id LIMIT 1`).Scan(&at[0], &at[1], &com, &other, &person, &name); err != nil {
		t.Fatal(err)
	}
	store := patrols.NewStore(pool, fieldproof.DefaultRules().Patrol, patrols.Options{})
	walker := access.Principal{Username: "walker", Role: access.LaneChief, PersonID: person, Scope: access.Scope{Communities: []int64{com}}}
	now := time.Now()
	start := now.Add(-3 * time.Hour).UTC().Truncate(time.Second)
	id := "0b6f7c1e-2d3a-4e5f-8a9b-0c1d2e3f4a5b"
	in, err := patrols.DecodeStart(id, []byte(`{"started_at": "`+start.Format(time.RFC3339)+`"}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := store.Start(ctx, walker, in); err != nil {
		t.Fatal(err)
	}
	var parts []string
	for i := range 90 {
		parts = append(parts, fmt.Sprintf(`{"seq": %d, "lon": %.7f, "lat": %.7f, "accuracy_m": 6, "at": %q}`, i,
			at[0]+float64(i%30)*12/(111_320*math.Cos(at[1]*math.Pi/180)), at[1]+float64(i/30)*0.0001, start.Add(time.Duration(10*i+1)*time.Second).Format(time.RFC3339)))
	}
	fixes, err := patrols.DecodeFixes([]byte(`{"fixes": [`+strings.Join(parts, ",")+`]}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AddFixes(ctx, walker, id, fixes); err != nil {
		t.Fatal(err)
	}
	end, _ := patrols.DecodeEnd([]byte(`{"ended_at": "`+start.Add(16*time.Minute).Format(time.RFC3339)+`"}`), now)
	p, err := store.End(ctx, walker, id, end)
	if err != nil {
		t.Fatal(err)
	}
	svc := newService(loadedEngine(t), pool, maptiles.Options{CacheBytes: -1})
	tile := maptile.At(at, 16)
	_, ls := mustTile(t, svc, access.System("test"), maptiles.LayerPatrols, tile, maptiles.Filter{})
	f := findTrack(trackFeatures(ls), id)
	if f == nil || f.props["person"] != name || f.props["suspect"] != p.Suspect {
		t.Fatalf("the patrols layer at %v: %+v, want patrol %s of %s (suspect %v)", tile, f, id, name, p.Suspect)
	}
	if f.geom.Dimensions() != 1 {
		t.Fatalf("the track is drawn as %T", f.geom)
	}
	_, ls = mustTile(t, svc, walker, maptiles.LayerPatrols, tile, maptiles.Filter{})
	if findTrack(trackFeatures(ls), id) == nil {
		t.Errorf("the walker does not see their own track")
	}
	stranger := access.Principal{Username: "lane", Role: access.LaneChief, PersonID: person + 1, Scope: access.Scope{Communities: []int64{other}}}
	_, ls = mustTile(t, svc, stranger, maptiles.LayerPatrols, tile, maptiles.Filter{})
	if got := findTrack(trackFeatures(ls), id); got != nil {
		t.Errorf("a lane chief of community %d sees the track walked in %d: %+v", other, com, got)
	}
}
