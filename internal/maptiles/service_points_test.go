package maptiles_test

import (
	"context"
	"math"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/maptile"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/maptiles"
	"streetchief/internal/registry"
	"streetchief/internal/servicepoints"
)

// TestServicePointsLayerShowsOpenPointsToAnyoneAndFollowsChanges pins the service_points layer on a
// z15 tile of its own: the open points with exactly id, type and name (no operator, no contact), the
// closed one left out, the same tile for the public as for an administrator, and a point closed
// gone from the tile drawn a second later.
func TestServicePointsLayerShowsOpenPointsToAnyoneAndFollowsChanges(t *testing.T) {
	ctx := context.Background()
	engine := loadedEngine(t) // the demo city loads only into an empty registry: first
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	sys := access.System("test")
	x, y := 112.30, 22.30
	sq := func(d float64) orb.MultiPolygon {
		return orb.MultiPolygon{{{{x, y}, {x + d, y}, {x + d, y + d}, {x, y + d}, {x, y}}}}
	}
	var parent int64
	for _, level := range []string{"city", "district", "subdistrict", "community"} {
		u, err := reg.CreateAdminUnit(ctx, sys, registry.AdminUnitInput{Level: level, ParentID: parent, Code: "sptile-" + level, Name: "服务" + level, Boundary: sq(0.05)})
		if err != nil {
			t.Fatal(err)
		}
		parent = u.ID
	}
	tile := maptile.At(orb.Point{x + 0.005, y + 0.005}, 15)
	in := tile.Bound()
	at := func(fx, fy float64) orb.Point {
		return orb.Point{in.Min[0] + fx*(in.Max[0]-in.Min[0]), in.Min[1] + fy*(in.Max[1]-in.Min[1])}
	}
	pts := servicepoints.NewService(pool)
	create := func(kind, name string, p orb.Point) servicepoints.Point {
		t.Helper()
		sp, err := pts.Create(ctx, sys, servicepoints.Input{Type: kind, Name: name, Location: p, OperatorOrg: "社区居委会",
			ContactName: "李主任", ContactPhone: "13900000001"}, time.Time{}, "fixture")
		if err != nil {
			t.Fatal(err)
		}
		return sp
	}
	school := create(servicepoints.AfterSchool, "四点半学校", at(0.25, 0.25))
	room := create(servicepoints.MothersRoom, "妈妈小屋", at(0.75, 0.5))
	rest := create(servicepoints.SanitationRest, "休息点", at(0.5, 0.75))
	if _, err := pts.SetStatus(ctx, sys, rest.ID, servicepoints.Closed, time.Time{}, "closed for the fixture"); err != nil {
		t.Fatal(err)
	}
	var clock atomic.Int64
	clock.Store(time.Now().Unix())
	svc := newService(engine, pool, maptiles.Options{ServicePoints: pts, Now: func() time.Time { return time.Unix(clock.Load(), 0) }})
	shown := func(who access.Principal) map[int64]map[string]any {
		t.Helper()
		_, ls := mustTile(t, svc, who, maptiles.LayerServicePoints, tile, maptiles.Filter{})
		out := map[int64]map[string]any{}
		for _, l := range ls {
			if l.Name != maptiles.LayerServicePoints {
				t.Fatalf("a %s layer in the service points tile", l.Name)
			}
			for _, f := range l.Features {
				id := int64(f.Properties["id"].(float64))
				out[id] = f.Properties
				// In tile units (4096 a side, y down): where the fixture put each point.
				want := map[int64]orb.Point{school.ID: {1024, 3072}, room.ID: {3072, 2048}}[id]
				got := f.Geometry.(orb.Point)
				if math.Abs(got[0]-want[0]) > 1 || math.Abs(got[1]-want[1]) > 1 {
					t.Errorf("point %d drawn at %v, want %v", id, got, want)
				}
			}
		}
		return out
	}
	for _, who := range []access.Principal{access.Anonymous("r"), sys} {
		got := shown(who)
		ids := make([]int64, 0, len(got))
		for id, props := range got {
			ids = append(ids, id)
			var keys []string
			for k := range props {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			if !slices.Equal(keys, []string{"id", "name", "type"}) {
				t.Errorf("%s: point %d carries %v, want id, name and type only", who.Role, id, keys)
			}
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []int64{school.ID, room.ID}) {
			t.Fatalf("%s sees %v, want the open %d and %d", who.Role, ids, school.ID, room.ID)
		}
		if got[room.ID]["type"] != servicepoints.MothersRoom || got[room.ID]["name"] != "妈妈小屋" {
			t.Errorf("the mothers' room is drawn as %v", got[room.ID])
		}
	}
	if _, err := pts.SetStatus(ctx, sys, room.ID, servicepoints.Closed, time.Time{}, "moved away"); err != nil {
		t.Fatal(err)
	}
	clock.Add(1)
	if got := shown(access.Anonymous("r")); len(got) != 1 || got[school.ID] == nil {
		t.Errorf("a second after the room closed the tile shows %v", got)
	}
	if _, err := svc.Tile(ctx, access.Anonymous("r"), maptiles.Request{Layer: maptiles.LayerServicePoints, Tile: maptile.New(0, 0, 9)}); err != nil {
		t.Errorf("a tile below the layer's zoom: %v", err)
	}
}
