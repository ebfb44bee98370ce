package cadres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
)

// DemoSummary is what SeedDemo recorded.
type DemoSummary struct {
	Year         int
	Subdistricts []int64 // the subdistricts given opinions, the demo street chief's first
	Opinions     int
	Corrections  int
}

func (d DemoSummary) String() string {
	return fmt.Sprintf("%d opinions (%d corrected) on the linked cadres of %d subdistricts for %d",
		d.Opinions, d.Corrections, len(d.Subdistricts), d.Year)
}

var demoTexts = []string{"", "", "配合联合执法及时，履职到位", "定岗定人落实，响应较快", "熟悉辖区情况，沟通顺畅"}

// SeedDemo records last year's opinions on most cadre posts of the first three subdistricts, through
// Record and Correct as a street chief's office would: mostly competent or excellent, one basically
// competent with its reason, one corrected. In the first subdistrict — the demo street chief's — the
// last two posts are left without an opinion, to be recorded in the dashboard. It works with whatever
// department posts the registry's demo holds, and does nothing where opinions exist already.
func SeedDemo(ctx context.Context, pool *pgxpool.Pool, seed int64) (DemoSummary, error) {
	s := &Service{db: pool, now: time.Now}
	who := access.System("demo")
	sum := DemoSummary{Year: s.now().In(incidents.Beijing).Year() - 1}
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM cadre_opinion)`).Scan(&exists); err != nil || exists {
		return sum, err
	}
	rows, err := s.posts(ctx, sum.Year, 0, nil, s.now())
	if err != nil {
		return sum, err
	}
	var subs []int64
	for _, r := range rows {
		if !slices.Contains(subs, r.SubdistrictID) {
			subs = append(subs, r.SubdistrictID)
		}
	}
	slices.Sort(subs)
	subs = subs[:min(3, len(subs))]
	sum.Subdistricts = subs
	rnd := rand.New(rand.NewPCG(uint64(seed), 0xcad7e5))
	for k, sub := range subs {
		var posts []BonusRow
		for _, r := range rows {
			if r.SubdistrictID == sub {
				posts = append(posts, r)
			}
		}
		if k == 0 {
			posts = posts[:max(0, len(posts)-2)]
		}
		for i, p := range posts {
			in := OpinionInput{Year: sum.Year, Post: p.Post, Rating: string(Competent), Text: demoTexts[rnd.IntN(len(demoTexts))]}
			switch {
			case k == 1 && i == 0:
				in.Rating, in.Text = string(BasicallyCompetent), "全年两次联合执法行动未到岗，门前三包违规案件移交后反馈滞后"
			case rnd.IntN(3) == 0:
				in.Rating = string(Excellent)
			}
			o, err := s.Record(ctx, who, in)
			if err != nil {
				return sum, fmt.Errorf("demo opinion: %w", err)
			}
			sum.Opinions++
			if k == 0 && i == 0 {
				if _, err := s.Correct(ctx, who, o.ID, Correction{Rating: string(Excellent), Text: "牵头联合执法专项整治，成效明显",
					Reason: "补充年底专项整治成效后更正"}); err != nil {
					return sum, fmt.Errorf("demo correction: %w", err)
				}
				sum.Corrections++
			}
		}
	}
	return sum, nil
}
