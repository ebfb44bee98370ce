package assessment

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
	"streetchief/internal/policy"
)

// DemoSummary says what the demo's assessment holds.
type DemoSummary struct {
	Months, Quarters, Outcomes int
	Amended                    string
}

func (d DemoSummary) String() string {
	return fmt.Sprintf("%d months and %d quarters published, %d outcomes, %s amended", d.Months, d.Quarters, d.Outcomes, d.Amended)
}

// The paper-era sheets: before the platform held a month of data, the assessors marked everything.
func paperSheet(kind Kind, from time.Time) Sheet {
	sh := Sheet{Kind: kind, Name: "街长制考评细则(人工考评)", EffectiveFrom: from.Format(time.DateOnly), Items: []Item{
		{Code: "sanitation", NameZH: "环境卫生", NameEN: "sanitation", MaxPoints: 2500, Source: Entered},
		{Code: "street_order", NameZH: "市容秩序", NameEN: "street order", MaxPoints: 2000, Source: Entered},
		{Code: "frontage", NameZH: "门前三包", NameEN: "three guarantees", MaxPoints: 1500, Source: Entered},
		{Code: "illegal_building", NameZH: "违章建筑治理", NameEN: "illegal construction", MaxPoints: 1000, Source: Entered},
		{Code: "vendors", NameZH: "占道经营整治", NameEN: "street-occupying vendors", MaxPoints: 1000, Source: Entered},
		{Code: "satisfaction", NameZH: "群众满意度", NameEN: "residents' satisfaction", MaxPoints: 1000, Source: Entered},
		{Code: "spot_check", NameZH: "随机抽查", NameEN: "random spot check", MaxPoints: 1000, Source: Sampled},
	}}
	if kind == Quarter {
		share := policy.Score(6000)
		sh.QuarterShare = &share
		sh.Name = "街长制季度考评细则(人工考评)"
		sh.Items[0].MaxPoints, sh.Items[6].MaxPoints = 2000, 1500
		sh.Items[1].MaxPoints = 1500
		sh.Items[5].MaxPoints = 1500
		sh.Items[2].MaxPoints = 1500
	}
	return sh
}

// PlatformSheet is the default sheet once the platform's figures can be scored: three quarters of the
// points computed, the rest an assessor's field and spot checks.
func PlatformSheet(kind Kind, from time.Time) Sheet {
	sh := Sheet{Kind: kind, Name: "街长制考评细则(平台数据)", EffectiveFrom: from.Format(time.DateOnly), Items: []Item{
		{Code: "closure", NameZH: "结案率", NameEN: "closure rate", MaxPoints: 1200, Source: Computed, Metric: "closure_rate", FullAt: "1", ZeroAt: "0.5"},
		{Code: "on_time", NameZH: "按期结案率", NameEN: "on-time closure", MaxPoints: 1200, Source: Computed, Metric: "on_time_rate", FullAt: "1", ZeroAt: "0.5"},
		{Code: "rework", NameZH: "返工率", NameEN: "rework", MaxPoints: 800, Source: Computed, Metric: "rework_rate", FullAt: "0", ZeroAt: "0.25"},
		{Code: "overdue", NameZH: "超期案件", NameEN: "cases not closed on time", MaxPoints: 500, Source: Computed, Metric: "overdue_cases", FullAt: "0", ZeroAt: "30"},
		{Code: "pledged", NameZH: "门前三包签约率", NameEN: "shops pledged", MaxPoints: 800, Source: Computed, Metric: "pledged_share", FullAt: "1", ZeroAt: "0.5"},
		{Code: "inspector", NameZH: "包户到人率", NameEN: "shops with an inspector", MaxPoints: 500, Source: Computed, Metric: "inspector_share", FullAt: "1", ZeroAt: "0.7"},
		{Code: "inspected", NameZH: "巡查覆盖率", NameEN: "shops inspected", MaxPoints: 800, Source: Computed, Metric: "inspected_share", FullAt: "1", ZeroAt: "0.5"},
		{Code: "off_site", NameZH: "异地签到", NameEN: "off-site check-ins", MaxPoints: 500, Source: Computed, Metric: "off_site_share", FullAt: "0", ZeroAt: "0.2"},
		{Code: "repeat", NameZH: "屡教不改商户", NameEN: "repeat offenders", MaxPoints: 400, Source: Computed, Metric: "repeat_offenders", FullAt: "0", ZeroAt: "5"},
		{Code: "unassigned", NameZH: "无人负责区域", NameEN: "areas nobody is responsible for", MaxPoints: 400, Source: Computed, Metric: "unassigned_areas", FullAt: "0", ZeroAt: "10"},
		{Code: "vacant", NameZH: "空缺岗位", NameEN: "vacant posts", MaxPoints: 400, Source: Computed, Metric: "vacant_posts", FullAt: "0", ZeroAt: "10"},
		{Code: "tasks", NameZH: "督办任务按期完成率", NameEN: "tasks from above done on time", MaxPoints: 500, Source: Computed, Metric: "task_completion", FullAt: "1", ZeroAt: "0.5"},
		{Code: "patrolled", NameZH: "区域巡查覆盖率", NameEN: "areas patrolled", MaxPoints: 300, Source: Computed, Metric: "patrolled_areas", FullAt: "0.5", ZeroAt: "0.1"},
		{Code: "suspect_patrols", NameZH: "可疑巡查", NameEN: "suspect patrols", MaxPoints: 200, Source: Computed, Metric: "suspect_patrol_share", FullAt: "0", ZeroAt: "0.1"},
		{Code: "sanitation", NameZH: "环境卫生实地检查", NameEN: "sanitation field check", MaxPoints: 1000, Source: Entered},
		{Code: "spot_check", NameZH: "随机抽查", NameEN: "random spot check", MaxPoints: 500, Source: Sampled},
	}}
	if kind == Quarter {
		share := policy.Score(6000)
		sh.QuarterShare = &share
		sh.Name = "街长制季度考评细则(平台数据)"
	}
	return sh
}

// SeedDemo gives the demo district a year and eleven months of published results: paper-era sheets
// from the first month, the platform sheet for the last complete month on (the months the demo's
// cases and inspections cover), assessors' marks drawn around each subdistrict's standing — one
// slipping to last place below 70 two quarters running (an interview), never three — and one
// amendment. Rewards and penalties reach the funds ledger through publication itself.
func (s *Service) SeedDemo(ctx context.Context, seed int64) (DemoSummary, error) {
	var sum DemoSummary
	var exists bool
	if err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM assessment_template)`).Scan(&exists); err != nil || exists {
		return sum, err
	}
	who := access.System("demo")
	now := s.now().In(incidents.Beijing)
	demo := *s
	demo.noticeAt = func(p Period) (time.Time, bool) {
		at := p.Ends.AddDate(0, 0, 3)
		if at.After(now) {
			at = now
		}
		return at, now.Sub(p.Ends) < 62*24*time.Hour
	}
	s = &demo
	thisMonth := monthPeriod(now.Year(), now.Month())
	lastMonth := thisMonth.Previous()
	first := lastMonth
	for range 22 {
		first = first.Previous()
	}
	firstQuarter := first.QuarterOf()
	if firstQuarter.Starts.Before(first.Starts) {
		firstQuarter = firstQuarter.Next()
	}
	nextQuarter := thisMonth.QuarterOf().Next()
	for _, sh := range []Sheet{paperSheet(Month, first.Starts), paperSheet(Quarter, firstQuarter.Starts),
		PlatformSheet(Month, lastMonth.Starts), PlatformSheet(Quarter, nextQuarter.Starts)} {
		if _, err := s.CreateSheet(ctx, who, sh); err != nil {
			return sum, fmt.Errorf("demo sheet: %w", err)
		}
	}
	subs, err := subdistricts(ctx, s.db)
	if err != nil {
		return sum, err
	}
	rnd := rand.New(rand.NewPCG(uint64(seed), 0xa55e55))
	// standing[i] is subdistrict i's usual score; the last two slip in quarters 3 and 4 of the run.
	standing := []float64{91, 88, 86.5, 82, 79, 76.5, 75}
	quarterIndex := func(p Period) int {
		return (p.Starts.Year()-firstQuarter.Starts.Year())*4 + int(p.Starts.Month()-firstQuarter.Starts.Month())/3
	}
	target := func(i int, p Period) float64 {
		q := quarterIndex(p.QuarterOf())
		t := standing[min(i, len(standing)-1)] + (rnd.Float64()-0.5)*4
		if q == 3 || q == 4 {
			switch i {
			case len(subs) - 1:
				t = 66 + rnd.Float64()
			case len(subs) - 2:
				t = 68.5 + rnd.Float64()
			}
		}
		return t
	}
	mark := func(p Period) error {
		_, sh, err := s.periodSheet(ctx, p)
		if err != nil {
			return err
		}
		for i, sd := range subs {
			t := target(i, p)
			for _, it := range sh.Items {
				if it.Source == Computed {
					continue
				}
				if it.Source == Sampled {
					if _, err := s.DrawSample(ctx, who, p, sd.ID, it.Code, 3); err != nil {
						return err
					}
				}
				pts := policy.Score(float64(it.MaxPoints)*t/100*(0.97+rnd.Float64()*0.06)/50) * 50
				pts = min(max(pts, 0), it.MaxPoints)
				note := "实地检查记录见附件"
				if pts < it.MaxPoints*3/4 {
					note = "发现问题较多,已通报整改"
				}
				if _, err := s.RecordMark(ctx, who, p, MarkInput{SubdistrictID: sd.ID, ItemCode: it.Code, Points: pts, Note: note}); err != nil {
					return fmt.Errorf("demo mark %s %s: %w", p.Label, it.Code, err)
				}
			}
		}
		return nil
	}
	for m := first; m.Starts.Before(thisMonth.Starts); m = m.Next() {
		if err := mark(m); err != nil {
			return sum, err
		}
		if _, err := s.Publish(ctx, who, m); err != nil {
			return sum, fmt.Errorf("demo publish %s: %w", m.Label, err)
		}
		sum.Months++
		if q := m.QuarterOf(); m.Next().Starts.Equal(q.Ends) && !q.Starts.Before(firstQuarter.Starts) {
			if err := mark(q); err != nil {
				return sum, err
			}
			res, err := s.Publish(ctx, who, q)
			if err != nil {
				return sum, fmt.Errorf("demo publish %s: %w", q.Label, err)
			}
			sum.Quarters++
			for _, r := range res.Rows {
				sum.Outcomes += len(r.Outcomes)
			}
		}
	}
	// A review found an item of the third-placed subdistrict in the second quarter marked too low.
	q := firstQuarter.Next()
	res, err := s.Result(ctx, who, q, 0)
	if err != nil || len(res.Rows) < 3 {
		return sum, err
	}
	row := res.Rows[2]
	for _, l := range row.Lines {
		if l.Source != Computed && *l.Points+250 <= l.MaxPoints {
			if _, err := s.Amend(ctx, who, q, []Change{{SubdistrictID: row.SubdistrictID, ItemCode: l.Code, Points: *l.Points + 250}},
				"复核发现"+l.NameZH+"扣分有误(扣分点位不在该街道辖区),予以更正"); err != nil {
				return sum, fmt.Errorf("demo amendment: %w", err)
			}
			sum.Amended = q.Label + " " + row.Name
			break
		}
	}
	return sum, nil
}

// periodSheet opens period p and returns its sheet.
func (s *Service) periodSheet(ctx context.Context, p Period) (int64, Sheet, error) {
	var id int64
	var sh Sheet
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		id, sh, err = period(ctx, tx, p)
		return err
	})
	return id, sh, err
}
