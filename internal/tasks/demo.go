package tasks

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
	"streetchief/internal/objectstore"
)

// DemoSummary counts what SeedDemo wrote.
type DemoSummary struct {
	Tasks, Items, Accepted, Late, Returned, OverdueNow int
}

func (d DemoSummary) String() string {
	return fmt.Sprintf("%d tasks, %d items: %d accepted (%d late), %d returned once, %d overdue now",
		d.Tasks, d.Items, d.Accepted, d.Late, d.Returned, d.OverdueNow)
}

// demoTask is one of the demo's tasks: months before now it was issued and fell due, which
// subdistricts (every step'th, from first) it went to, and what it aimed at.
type demoTask struct {
	level           Level
	office, title   string
	doneWhen        string
	issued, due     float64 // months before now (negative: to come)
	first, step     int
	areaKind        string
	overdueNow      int // items left overdue now
	returnedNow     bool
	communitiesEach int
}

var demoTasks = []demoTask{
	{City, "市文明办", "创建全国文明城市迎检整治", "主次干道、背街小巷无暴露垃圾，公益广告按标准设置", 17, 15, 0, 1, "", 0, false, 2},
	{District, "区委督查室", "背街小巷提升", "路面平整，杆线规整，无乱堆放", 14, 11, 0, 2, "back_lane", 0, false, 2},
	{District, "区商务局", "农贸市场改造", "地面硬化，摊位规范，三防设施到位", 12, 9, 1, 2, "farmers_market", 0, false, 1},
	{District, "区城管局", "占道经营专项整治", "主要路段无占道经营，疏导点规范运行", 9, 7, 0, 1, "", 0, false, 2},
	{City, "市河长办", "河道沿线清理", "河岸无垃圾、无违章搭建，排污口登记", 7, 5, 0, 2, "river", 0, false, 1},
	{District, "区委督查室", "垃圾分类示范小区创建", "每个社区建成一个示范小区", 5, 2, 0, 1, "residential_compound", 0, false, 1},
	{District, "区住建局", "老旧小区配套整治", "破损路面修复，楼道杂物清理", 3, 0.3, 0, 1, "", 2, false, 1},
	{City, "市文明办", "春节前市容市貌整治", "节前完成门店招牌、灯饰和绿化补植", 0.7, -0.8, 0, 1, "", 0, true, 2},
}

// SeedDemo writes the demo's tasks from the city and the district over the last year and a half,
// through the service's own rules with the clock set to each moment: broken down for the
// communities, progress with photos and positions, most accepted on time, some late, one returned
// now, two items overdue now (escalated at the end). It runs after the city and its posts are loaded;
// the photos go to photos, as the server's would (nil: into their rows).
func SeedDemo(ctx context.Context, pool *pgxpool.Pool, photos objectstore.Store, seed int64) (DemoSummary, error) {
	var sum DemoSummary
	now := time.Now()
	subs, err := demoTerritory(ctx, pool, now)
	if err != nil || len(subs) == 0 {
		return sum, err
	}
	var clock time.Time
	svc := NewService(pool, photos).WithClock(func() time.Time { return clock })
	leader := access.Principal{Username: "leader", Role: access.DistrictLeader, Scope: access.Scope{All: true}}
	photo := demoPhoto()
	rng := rand.New(rand.NewSource(seed))
	n := 0 // items taken to acceptance so far
	month := func(m float64) time.Time {
		return now.Add(-time.Duration(m * 30 * 24 * float64(time.Hour))).Truncate(time.Minute)
	}
	for _, dt := range demoTasks {
		clock = month(dt.issued)
		deadline := month(dt.due)
		in := Issue{IssuerLevel: dt.level, IssuingOffice: dt.office, Title: dt.title, DoneWhen: dt.doneWhen, Deadline: deadline,
			Body: "请各街道对照标准逐项落实，按期报送进展和照片。"}
		var chosen []demoSub
		for i := dt.first; i < len(subs); i += dt.step {
			chosen = append(chosen, subs[i])
			in.SubdistrictIDs = append(in.SubdistrictIDs, subs[i].id)
		}
		if dt.areaKind != "" {
			if in.AreaIDs, err = demoAreas(ctx, pool, in.SubdistrictIDs, dt.areaKind); err != nil {
				return sum, err
			}
		}
		task, err := svc.Issue(ctx, leader, in)
		if err != nil {
			return sum, fmt.Errorf("demo task %s: %w", dt.title, err)
		}
		sum.Tasks++
		span := deadline.Sub(clock)
		leftOverdue, leftReturned := dt.overdueNow, dt.returnedNow
		for _, sub := range chosen {
			clock = task.IssuedAt.Add(span / 10)
			var items []ItemInput
			for k, c := range sub.coms {
				if k >= dt.communitiesEach {
					break
				}
				d := deadline.Add(-time.Duration(k) * 24 * time.Hour)
				items = append(items, ItemInput{CommunityID: c.id, Text: fmt.Sprintf("%s：%s", c.name, dt.doneWhen), Deadline: &d})
			}
			if len(items) == 0 {
				items = append(items, ItemInput{Text: dt.doneWhen, Deadline: &deadline})
			}
			got, err := svc.BreakDown(ctx, sub.chief, task.ID, sub.id, items)
			if err != nil {
				return sum, fmt.Errorf("demo task %s break-down: %w", dt.title, err)
			}
			for _, it := range part(got, sub.id).Items {
				sum.Items++
				reporter := sub.chief
				var pos *demoCom
				for k := range sub.coms {
					if sub.coms[k].id == it.CommunityID {
						pos = &sub.coms[k]
						if sub.coms[k].lane.PersonID != 0 {
							reporter = sub.coms[k].lane
						}
					}
				}
				report := func(at time.Time, text string, percent int, done bool) error {
					if at.After(now) {
						return nil
					}
					clock = at
					r := Report{Text: text, Done: done}
					if !done {
						r.Percent = &percent
					}
					if pos != nil {
						pt := orb.Point(pos.at)
						r.Position = &pt
						acc := 5 + float64(rng.Intn(20))
						r.AccuracyM = &acc
					}
					if done {
						r.Photos = photo
					}
					_, err := svc.ReportProgress(ctx, reporter, it.ID, r)
					return err
				}
				start := it.Deadline.Add(-span / 2)
				if err := report(start, "已部署，正在推进", 30+rng.Intn(30), false); err != nil {
					return sum, err
				}
				switch {
				case leftOverdue > 0 && it.Deadline.Before(now):
					leftOverdue--
					sum.OverdueNow++
					continue
				case it.Deadline.After(now):
					if leftReturned {
						leftReturned = false
						if err := report(now.Add(-72*time.Hour), "已完成整治", 100, true); err != nil {
							return sum, err
						}
						clock = now.Add(-48 * time.Hour)
						if _, err := svc.Return(ctx, leader, it.ID, "现场复查仍有乱张贴，请整改后重报"); err != nil {
							return sum, err
						}
						sum.Returned++
					}
					continue
				}
				n++
				late := n%4 == 2 // every fourth item late, every seventh returned once first
				claim := it.Deadline.Add(-time.Duration(2+rng.Intn(5)) * 24 * time.Hour)
				// Late, unless lateness would reach past now: the demo's overdue items are the chosen two.
				if lateClaim := it.Deadline.Add(time.Duration(3+rng.Intn(8)) * 24 * time.Hour); late && lateClaim.Add(48*time.Hour).Before(now) {
					claim = lateClaim
				}
				if n%7 == 3 { // claimed, returned, claimed again
					if err := report(claim.Add(-5*24*time.Hour), "已完成", 100, true); err != nil {
						return sum, err
					}
					clock = claim.Add(-4 * 24 * time.Hour)
					if _, err := svc.Return(ctx, leader, it.ID, "抽查发现仍有问题，退回整改"); err != nil {
						return sum, err
					}
					sum.Returned++
				}
				if err := report(claim, "已按要求完成", 100, true); err != nil {
					return sum, err
				}
				clock = claim.Add(time.Duration(12+rng.Intn(24)) * time.Hour)
				if clock.After(now) {
					continue
				}
				if _, err := svc.Accept(ctx, leader, it.ID, "验收合格"); err != nil {
					return sum, err
				}
				sum.Accepted++
				if clock.After(it.Deadline) {
					sum.Late++
				}
			}
		}
	}
	clock = now
	_, err = svc.Escalate(ctx)
	return sum, err
}

func part(t Task, sub int64) Part {
	for _, p := range t.Parts {
		if p.SubdistrictID == sub {
			return p
		}
	}
	return Part{}
}

type demoSub struct {
	id    int64
	chief access.Principal
	coms  []demoCom
}

type demoCom struct {
	id   int64
	name string
	at   [2]float64
	lane access.Principal
}

// demoTerritory reads the subdistricts with their street chiefs, and their communities with a point
// inside each and their lane chiefs, as they stand at now.
func demoTerritory(ctx context.Context, pool *pgxpool.Pool, now time.Time) ([]demoSub, error) {
	rows, err := pool.Query(ctx, `SELECT u.id, u.name, COALESCE(c.id, 0), COALESCE(c.name, ''),
		COALESCE(ST_X(ST_PointOnSurface(c.boundary)), 0), COALESCE(ST_Y(ST_PointOnSurface(c.boundary)), 0),
		COALESCE((SELECT s.person_id FROM assignment_standing s WHERE s.admin_unit_id = u.id AND s.role = 'street_chief' AND s.valid @> $1::timestamptz ORDER BY s.is_primary DESC, s.id LIMIT 1), 0),
		COALESCE((SELECT s.person_id FROM assignment_standing s WHERE s.admin_unit_id = c.id AND s.role = 'lane_chief' AND s.valid @> $1::timestamptz ORDER BY s.is_primary DESC, s.id LIMIT 1), 0)
		FROM unit_directory u LEFT JOIN unit_directory c ON c.parent_id = u.id AND c.level = 'community'
		WHERE u.level = 'subdistrict' ORDER BY u.code, u.id, c.code, c.id`, now)
	if err != nil {
		return nil, fmt.Errorf("demo territory: %w", err)
	}
	defer rows.Close()
	var out []demoSub
	for rows.Next() {
		var sub, com, chief, lane int64
		var subName, comName string
		var x, y float64
		if err := rows.Scan(&sub, &subName, &com, &comName, &x, &y, &chief, &lane); err != nil {
			return nil, fmt.Errorf("demo territory: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].id != sub {
			out = append(out, demoSub{id: sub, chief: access.Principal{Username: "街长·" + subName, PersonID: chief, Role: access.StreetChief,
				Scope: access.Scope{Subdistricts: []int64{sub}}}})
		}
		s := &out[len(out)-1]
		if com != 0 {
			s.chief.Scope.Communities = append(s.chief.Scope.Communities, com)
			s.coms = append(s.coms, demoCom{id: com, name: comName, at: [2]float64{x, y},
				lane: access.Principal{Username: "巷长·" + comName, PersonID: lane, Role: access.LaneChief, Scope: access.Scope{Communities: []int64{com}}}})
		}
	}
	return out, rows.Err()
}

// demoAreas picks up to two areas of kind in each of subs for a task's targets.
func demoAreas(ctx context.Context, pool *pgxpool.Pool, subs []int64, kind string) ([]int64, error) {
	rows, err := pool.Query(ctx, `SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY subdistrict_id ORDER BY id) AS n
		FROM area_directory WHERE subdistrict_id = ANY($1) AND kind = $2) a WHERE n <= 2 ORDER BY id`, subs, kind)
	if err != nil {
		return nil, fmt.Errorf("demo areas: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// demoPhoto is a small green square, a stand-in for a photo of the street, checked as any photo is.
func demoPhoto() []incidents.Photo {
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	for x := range 16 {
		for y := range 12 {
			img.Set(x, y, color.RGBA{40, 140, 70, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // encoding to memory does not fail
	}
	ps, err := decodePhotos([]string{base64.StdEncoding.EncodeToString(buf.Bytes())})
	if err != nil {
		panic(err)
	}
	return ps
}
