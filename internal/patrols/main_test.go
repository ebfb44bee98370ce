package patrols_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"math"
	mrand "math/rand/v2"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/fieldproof"
	"streetchief/internal/patrols"
	"streetchief/internal/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var system = access.System("test")

func rect(x0, y0, x1, y1 float64) orb.MultiPolygon {
	return orb.MultiPolygon{{{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}}}
}

// world is a subdistrict of two communities side by side, A west of B, each 0.01° square, in a
// patch of its own; a street 20 m wide runs west to east through A, and a lane chief of each
// community (people with accounts) walks patrols.
type world struct {
	store        *patrols.Store
	reg          *registry.Store
	sub          registry.AdminUnit
	comA, comB   registry.AdminUnit
	street       registry.Area
	x, y         float64
	laneA, laneB access.Principal
	chief        access.Principal // the street chief of the subdistrict, with no person
	inspector    access.Principal
}

var worlds int

const (
	mPerDegLat = 111_320.0
	streetHalf = 10.0 // metres either side of the street's centre line
)

func newWorld(t testing.TB) *world {
	t.Helper()
	worlds++
	ctx := context.Background()
	pool := dbtest.Pool(t)
	reg := registry.NewStore(pool)
	w := &world{store: patrols.NewStore(pool, fieldproof.DefaultRules().Patrol, patrols.Options{}), reg: reg,
		x: 110 + 0.1*float64(worlds), y: 25}
	unit := func(level string, parent int64, code, name string, b orb.MultiPolygon) registry.AdminUnit {
		t.Helper()
		u, err := reg.CreateAdminUnit(ctx, system, registry.AdminUnitInput{Level: level, ParentID: parent,
			Code: fmt.Sprintf("p%d-%s", worlds, code), Name: name, Boundary: b})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	all := rect(w.x, w.y, w.x+0.02, w.y+0.01)
	city := unit("city", 0, "c", "龙岩市", all)
	dist := unit("district", city.ID, "d", "新罗区", all)
	w.sub = unit("subdistrict", dist.ID, "s", "东城街道", all)
	w.comA = unit("community", w.sub.ID, "a", "甲社区", rect(w.x, w.y, w.x+0.01, w.y+0.01))
	w.comB = unit("community", w.sub.ID, "b", "乙社区", rect(w.x+0.01, w.y, w.x+0.02, w.y+0.01))
	half := streetHalf / mPerDegLat
	var err error
	w.street, err = reg.CreateArea(ctx, system, registry.AreaInput{Kind: "secondary_road", Name: "中山路",
		Geom: rect(w.x+0.001, w.y+0.005-half, w.x+0.009, w.y+0.005+half)})
	if err != nil {
		t.Fatal(err)
	}
	person := func(name string, unit registry.AdminUnit, role registry.PostRole) int64 {
		t.Helper()
		p, err := reg.CreatePerson(ctx, system, registry.PersonInput{Name: name, Active: true})
		if err != nil {
			t.Fatal(err)
		}
		from := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
		if _, err := reg.CreateAssignment(ctx, system, registry.AssignmentInput{AdminUnitID: unit.ID, PersonID: p.ID, Role: role,
			Primary: true, From: &from}); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	w.laneA = access.Principal{Username: "lane-a", Role: access.LaneChief, PersonID: person("甲巷长", w.comA, registry.LaneChief),
		Scope: access.Scope{Communities: []int64{w.comA.ID}}}
	w.laneB = access.Principal{Username: "lane-b", Role: access.LaneChief, PersonID: person("乙巷长", w.comB, registry.LaneChief),
		Scope: access.Scope{Communities: []int64{w.comB.ID}}}
	w.inspector = access.Principal{Username: "insp", Role: access.Inspector, PersonID: person("督查员", w.sub, registry.Inspector),
		Scope: access.Scope{Subdistricts: []int64{w.sub.ID}}}
	w.chief = access.Principal{Username: "chief", Role: access.StreetChief, Scope: access.Scope{Subdistricts: []int64{w.sub.ID},
		Communities: []int64{w.comA.ID, w.comB.ID}}}
	return w
}

// newID is a random UUID, as a device makes one.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// along goes up and down the world's street at speed metres a second from start, a fix every
// step seconds for the duration, each fix jittered by up to jitter metres and claiming accuracy.
func (w *world) along(seed uint64, start time.Time, speed, step float64, d time.Duration, jitter, accuracy float64) []patrols.Fix {
	rng := mrand.New(mrand.NewPCG(seed, 7))
	mPerDegLon := mPerDegLat * math.Cos(w.y*math.Pi/180)
	x0, x1, y := w.x+0.0012, w.x+0.0088, w.y+0.005
	length := (x1 - x0) * mPerDegLon
	var out []patrols.Fix
	for t, seq := 0.0, 0; t <= d.Seconds(); t, seq = t+step, seq+1 {
		s := math.Mod(speed*t, 2*length)
		if s > length {
			s = 2*length - s
		}
		out = append(out, patrols.Fix{Seq: seq,
			Lon: x0 + s/mPerDegLon + (rng.Float64()*2-1)*jitter/mPerDegLon, Lat: y + (rng.Float64()*2-1)*jitter/mPerDegLat,
			AccuracyM: math.Round(accuracy*(0.7+0.6*rng.Float64())*10) / 10, At: start.Add(time.Duration(t * float64(time.Second))).UTC()})
	}
	return out
}

// body makes the JSON of a batch of fixes.
func fixesBody(t testing.TB, fixes []patrols.Fix) []byte {
	t.Helper()
	type wire struct {
		Seq       int     `json:"seq"`
		Lon       float64 `json:"lon"`
		Lat       float64 `json:"lat"`
		AccuracyM float64 `json:"accuracy_m"`
		At        string  `json:"at"`
	}
	ws := make([]wire, len(fixes))
	for i, f := range fixes {
		ws[i] = wire{f.Seq, f.Lon, f.Lat, f.AccuracyM, f.At.Format(time.RFC3339Nano)}
	}
	b, err := json.Marshal(map[string]any{"fixes": ws})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// walk records a whole patrol through the store's API as the device would: start, fixes in
// batches of 500, end; and answers the ended patrol.
func (w *world) walk(t testing.TB, who access.Principal, id string, fixes []patrols.Fix, pauses string) patrols.Patrol {
	t.Helper()
	ctx := context.Background()
	now := time.Now()
	started := fixes[0].At.Add(-time.Second)
	in, err := patrols.DecodeStart(id, []byte(`{"started_at": "`+started.Format(time.RFC3339Nano)+`"}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := w.store.Start(ctx, who, in); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(fixes); i += 500 {
		batch, err := patrols.DecodeFixes(fixesBody(t, fixes[i:min(i+500, len(fixes))]), now)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.store.AddFixes(ctx, who, id, batch); err != nil {
			t.Fatal(err)
		}
	}
	end, err := patrols.DecodeEnd([]byte(`{"ended_at": "`+fixes[len(fixes)-1].At.Add(time.Second).Format(time.RFC3339Nano)+`", "pauses": [`+pauses+`]}`), now)
	if err != nil {
		t.Fatal(err)
	}
	p, err := w.store.End(ctx, who, id, end)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func codes(p patrols.Patrol) []string {
	out := []string{}
	for _, r := range p.Reasons {
		out = append(out, r.Code)
	}
	return out
}
