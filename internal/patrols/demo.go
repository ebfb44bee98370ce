package patrols

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/geo"
	"streetchief/internal/access"
	"streetchief/internal/fieldproof"
	"streetchief/internal/incidents"
)

// The demo's weeks of patrols: lane chiefs and inspectors walk two or three times a week.
const (
	DemoPatrolDays    = 21
	demoPatrolRate    = 0.3
	demoFixEvery      = 30 * time.Second // thinned on the phone
	demoMaxStreetM    = 1500
	demoMaxPatrolM    = 3000
	demoMinPatrolM    = 1200
	demoPhones        = 4 // phones syncing at once while the demo loads
	demoFlaggedOffset = 2 // the fakes are walked this many days ago and later
)

// DemoPatrolSummary says what SeedDemoPatrols wrote.
type DemoPatrolSummary struct {
	Patrols int `json:"patrols"`
	Suspect int `json:"suspect"`
	Walkers int `json:"walkers"`
}

func (s DemoPatrolSummary) String() string {
	return fmt.Sprintf("%d patrols by %d lane chiefs and inspectors (%d flagged: a drive, a desk check-in, a replay)", s.Patrols, s.Walkers, s.Suspect)
}

// demoWalker is a lane chief or inspector and the streets of the unit they answer for.
type demoWalker struct {
	who     access.Principal
	streets []demoStreet
}

type demoStreet struct {
	id   int64
	line orb.LineString
	m    float64
}

// demoPatrol is one planned patrol: its fixes and the streets it was to walk.
type demoPatrol struct {
	walker int
	areas  []int64
	fixes  []Fix
}

// SeedDemoPatrols writes DemoPatrolDays of patrols before now for the demo city's lane chiefs and
// inspectors, through the Store's API as phones would send them: walks along their units' streets,
// and three fakes the proof rules flag — a drive past the streets, a phone left on a desk, and a
// replay of another walker's earlier track.
func SeedDemoPatrols(ctx context.Context, pool *pgxpool.Pool, seed int64, now time.Time) (DemoPatrolSummary, error) {
	var sum DemoPatrolSummary
	walkers, err := demoWalkers(ctx, pool, now)
	if err != nil || len(walkers) < 4 {
		return sum, err
	}
	sum.Walkers = len(walkers)
	rng := rand.New(rand.NewPCG(uint64(seed), 0x9a7))
	today := now.In(incidents.Beijing)
	midnight := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, incidents.Beijing)
	var plan []demoPatrol
	replayed := -1
	for d := DemoPatrolDays; d >= 1; d-- {
		for i, w := range walkers {
			if rng.Float64() > demoPatrolRate {
				continue
			}
			at := midnight.AddDate(0, 0, -d).Add(time.Duration(8*3600+rng.IntN(9*3600)) * time.Second)
			p := demoWalk(rng, i, w.streets, at, 1.0+rng.Float64()*0.4)
			plan = append(plan, p)
			if i == 3 && replayed < 0 && d > demoFlaggedOffset+3 {
				replayed = len(plan) - 1
			}
		}
	}
	store := NewStore(pool, fieldproof.DefaultRules().Patrol, Options{})
	if sum.Patrols, sum.Suspect, err = store.seed(ctx, walkers, plan); err != nil {
		return sum, err
	}
	// The fakes, after the honest walks are stored: a replay is judged against what came before.
	day := midnight.AddDate(0, 0, -demoFlaggedOffset).Add(10 * time.Hour)
	fakes := []demoPatrol{
		demoWalk(rng, 0, walkers[0].streets, day, 9), // 32 km/h: a drive
		demoDesk(rng, 1, walkers[1].streets, day.Add(time.Hour)),
	}
	if replayed >= 0 {
		// A walker sends an earlier track of theirs again, its times moved to another day.
		orig := plan[replayed]
		copied := demoPatrol{walker: orig.walker, areas: orig.areas, fixes: append([]Fix(nil), orig.fixes...)}
		shift := day.Add(2 * time.Hour).Sub(orig.fixes[0].At)
		for i := range copied.fixes {
			copied.fixes[i].At = copied.fixes[i].At.Add(shift)
		}
		fakes = append(fakes, copied)
	}
	for _, p := range fakes {
		n, suspect, err := store.seed(ctx, walkers, []demoPatrol{p})
		if err != nil {
			return sum, err
		}
		sum.Patrols += n
		sum.Suspect += suspect
	}
	return sum, nil
}

// demoWalkers reads the current lane chiefs and inspectors and the streets (areas with a centre line
// no longer than demoMaxStreetM) of the units they answer for, through the registry's views.
func demoWalkers(ctx context.Context, pool *pgxpool.Pool, now time.Time) ([]demoWalker, error) {
	rows, err := pool.Query(ctx, `SELECT s.person_id, s.role, s.admin_unit_id, u.level, a.id, ST_AsBinary(ST_LineMerge(a.centreline))
		FROM assignment_standing s JOIN unit_directory u ON u.id = s.admin_unit_id
		JOIN area_directory a ON (u.level = 'community' AND a.community_id = u.id) OR (u.level = 'subdistrict' AND a.subdistrict_id = u.id)
		WHERE s.role IN ('lane_chief', 'inspector') AND s.is_primary AND s.valid @> $1::timestamptz AND a.centreline IS NOT NULL
			AND a.kind IN ('main_road', 'secondary_road', 'back_lane', 'commercial_street')
			AND ST_Length(a.centreline::geography) <= $2
		ORDER BY s.person_id, a.id`, now, demoMaxStreetM)
	if err != nil {
		return nil, fmt.Errorf("demo walkers: %w", err)
	}
	var out []demoWalker
	for rows.Next() {
		var person, unit, area int64
		var role, level string
		var raw []byte
		if err := rows.Scan(&person, &role, &unit, &level, &area, &raw); err != nil {
			rows.Close()
			return nil, err
		}
		g, err := wkb.Unmarshal(raw)
		if err != nil {
			rows.Close()
			return nil, err
		}
		line, ok := g.(orb.LineString)
		if !ok {
			if ml, isMulti := g.(orb.MultiLineString); isMulti && len(ml) > 0 {
				line = ml[0]
			}
		}
		if len(line) < 2 {
			continue
		}
		if len(out) == 0 || out[len(out)-1].who.PersonID != person {
			who := access.Principal{Username: fmt.Sprintf("demo-walker-%d", person), Role: access.Role(role), PersonID: person}
			if level == "community" {
				who.Scope.Communities = []int64{unit}
			} else {
				who.Scope.Subdistricts = []int64{unit}
			}
			out = append(out, demoWalker{who: who})
		}
		w := &out[len(out)-1]
		w.streets = append(w.streets, demoStreet{id: area, line: line, m: lineMetres(line)})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("demo walkers: %w", err)
	}
	return out, nil
}

func lineMetres(l orb.LineString) float64 {
	m := 0.0
	for i := 1; i < len(l); i++ {
		m += geo.DistanceMetres(l[i-1], l[i])
	}
	return m
}

// demoWalk walks two or three of the streets end to end at speed metres a second, crossing from one
// to the next in a straight line, a fix every demoFixEvery with the jitter of a phone's GPS.
func demoWalk(rng *rand.Rand, walker int, streets []demoStreet, at time.Time, speed float64) demoPatrol {
	// streets is never empty: demoWalkers lists only people with streets.
	p := demoPatrol{walker: walker}
	var path orb.LineString
	total := 0.0
	for _, k := range rng.Perm(len(streets)) {
		s := streets[k]
		if total+s.m > demoMaxPatrolM && len(p.areas) > 0 {
			continue
		}
		line := append(orb.LineString(nil), s.line...)
		if rng.IntN(2) == 0 {
			for i, j := 0, len(line)-1; i < j; i, j = i+1, j-1 {
				line[i], line[j] = line[j], line[i]
			}
		}
		path = append(path, line...)
		p.areas = append(p.areas, s.id)
		total += s.m
		if len(p.areas) == 3 {
			break
		}
	}
	// Short streets are walked there and back until the patrol is worth the name.
	for total < demoMinPatrolM && total > 0 {
		back := make(orb.LineString, len(path))
		for i, pt := range path {
			back[len(path)-1-i] = pt
		}
		total += lineMetres(path)
		path = append(path, back...)
	}
	accuracy := 5 + rng.Float64()*10
	step := demoFixEvery.Seconds() * speed
	for d, seq := 0.0, 0; d <= lineMetres(path); d, seq = d+step, seq+1 {
		pt := along(path, d)
		p.fixes = append(p.fixes, demoFix(rng, seq, pt, at.Add(time.Duration(float64(seq)*demoFixEvery.Seconds())*time.Second), accuracy))
	}
	return p
}

// demoDesk is a phone left on a desk by the first street for three quarters of an hour.
func demoDesk(rng *rand.Rand, walker int, streets []demoStreet, at time.Time) demoPatrol {
	p := demoPatrol{walker: walker, areas: []int64{streets[0].id}}
	pt := along(streets[0].line, streets[0].m/2)
	for seq := 0; seq*int(demoFixEvery.Seconds()) <= 45*60; seq++ {
		p.fixes = append(p.fixes, demoFix(rng, seq, pt, at.Add(time.Duration(seq)*demoFixEvery), 8))
	}
	return p
}

// demoFix is pt as a phone reports it: a few metres off, claiming about accuracy.
func demoFix(rng *rand.Rand, seq int, pt orb.Point, at time.Time, accuracy float64) Fix {
	const mPerDegLat = 111_320.0
	mPerDegLon := mPerDegLat * math.Cos(pt[1]*math.Pi/180)
	r, a := rng.Float64()*accuracy*0.6, rng.Float64()*2*math.Pi
	return Fix{Seq: seq, Lon: round7(pt[0] + r*math.Cos(a)/mPerDegLon), Lat: round7(pt[1] + r*math.Sin(a)/mPerDegLat),
		AccuracyM: math.Round(accuracy*(0.7+0.6*rng.Float64())*10) / 10, At: at.UTC().Round(time.Second)}
}

func round7(x float64) float64 { return math.Round(x*1e7) / 1e7 }

// along is the point d metres along l (its end beyond it).
func along(l orb.LineString, d float64) orb.Point {
	for i := 1; i < len(l); i++ {
		seg := geo.DistanceMetres(l[i-1], l[i])
		if d <= seg && seg > 0 {
			f := d / seg
			return orb.Point{l[i-1][0] + f*(l[i][0]-l[i-1][0]), l[i-1][1] + f*(l[i][1]-l[i-1][1])}
		}
		d -= seg
	}
	return l[len(l)-1]
}

// seed records the planned patrols as their phones would, demoPhones at a time, each through
// DecodeStart, DecodeFixes and DecodeEnd at the time the phone sent it.
func (s *Store) seed(ctx context.Context, walkers []demoWalker, plan []demoPatrol) (n, suspect int, err error) {
	jobs := make(chan demoPatrol)
	var mu sync.Mutex
	var wg sync.WaitGroup
	var first error
	for range demoPhones {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range jobs {
				got, err := s.seedOne(ctx, walkers[p.walker].who, p)
				mu.Lock()
				switch {
				case err != nil && first == nil:
					first = err
				case err == nil:
					n++
					if got.Suspect {
						suspect++
					}
				}
				mu.Unlock()
			}
		}()
	}
	for _, p := range plan {
		if len(p.fixes) >= 2 {
			jobs <- p
		}
	}
	close(jobs)
	wg.Wait()
	return n, suspect, first
}

func (s *Store) seedOne(ctx context.Context, who access.Principal, p demoPatrol) (Patrol, error) {
	last := p.fixes[len(p.fixes)-1].At
	sent := last.Add(time.Minute)
	start, err := json.Marshal(map[string]any{"started_at": p.fixes[0].At.Add(-30 * time.Second), "area_ids": p.areas})
	if err != nil {
		return Patrol{}, err
	}
	id := demoID(who.PersonID, p.fixes[0].At)
	in, err := DecodeStart(id, start, sent)
	if err != nil {
		return Patrol{}, err
	}
	if _, _, err := s.Start(ctx, who, in); err != nil {
		return Patrol{}, fmt.Errorf("demo patrol %s: %w", id, err)
	}
	type wire struct {
		Seq       int     `json:"seq"`
		Lon       float64 `json:"lon"`
		Lat       float64 `json:"lat"`
		AccuracyM float64 `json:"accuracy_m"`
		At        string  `json:"at"`
	}
	ws := make([]wire, len(p.fixes))
	for i, f := range p.fixes {
		ws[i] = wire{f.Seq, f.Lon, f.Lat, f.AccuracyM, f.At.Format(time.RFC3339)}
	}
	body, err := json.Marshal(map[string]any{"fixes": ws})
	if err != nil {
		return Patrol{}, err
	}
	fixes, err := DecodeFixes(body, sent)
	if err != nil {
		return Patrol{}, err
	}
	if _, err := s.AddFixes(ctx, who, id, fixes); err != nil {
		return Patrol{}, fmt.Errorf("demo patrol %s: %w", id, err)
	}
	end, err := DecodeEnd([]byte(`{"ended_at": "`+last.Add(10*time.Second).Format(time.RFC3339)+`"}`), sent)
	if err != nil {
		return Patrol{}, err
	}
	return s.End(ctx, who, id, end)
}

// demoID is a UUID of version 8 (custom) made of the person and the start, so a seed is the same
// every time it runs.
func demoID(person int64, at time.Time) string {
	a, b := uint64(person), uint64(at.UnixMicro())
	return fmt.Sprintf("%08x-%04x-8%03x-%04x-%012x", uint32(a), uint16(a>>32), uint16(b>>48)&0xfff, 0x8000|uint16(b>>32)&0x3fff, b&0xffffffffffff)
}
