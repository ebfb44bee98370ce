// Package digest writes each person's morning digest (每日待办): one notice of what the day holds for
// them — the cases in their hands and how many are overdue, the overdue cases of a street chief's
// subdistricts, the shops an inspector must check today, the posts vacant where a street chief
// answers — instead of one message per item. Every replica may run it: the day's dedupe key makes it
// one notice per person and day, and an advisory lock on the day makes the replicas take turns.
package digest

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
	"streetchief/internal/merchants"
	"streetchief/internal/notify"
	"streetchief/internal/reports"
)

// Beijing is the wall clock the morning is read on.
var Beijing = time.FixedZone("Asia/Shanghai", 8*3600)

// Sources are the domains a digest asks.
type Sources struct {
	DB        *pgxpool.Pool
	Incidents *incidents.Service
	Merchants *merchants.Store
	Reports   *reports.Service
}

// lines are one person's figures.
type lines struct {
	open, overdue, subOverdue, shops, vacant int
}

func (l lines) empty() bool { return l == lines{} }

// summary says the figures in words, leaving out what is nought.
func (l lines) summary() (zh, en string) {
	var z, e []string
	add := func(n int, zf, ef string) {
		if n > 0 {
			z, e = append(z, fmt.Sprintf(zf, n)), append(e, fmt.Sprintf(ef, n))
		}
	}
	add(l.open, "手上案件 %d 件", "%d open cases")
	add(l.overdue, "其中超期 %d 件", "%d of them overdue")
	add(l.subOverdue, "辖区超期案件 %d 件", "%d overdue in your subdistrict")
	add(l.shops, "今日待巡查商户 %d 家", "%d shops to inspect today")
	add(l.vacant, "辖区空缺岗位 %d 个", "%d vacant posts in your subdistrict")
	return strings.Join(z, "，"), strings.Join(e, ", ")
}

// Compose writes the digests of the Beijing day of `at` and answers how many it wrote (a person who
// has one already gets no second).
func Compose(ctx context.Context, src Sources, at time.Time) (int, error) {
	loads, err := src.Incidents.Loads(ctx, at)
	if err != nil {
		return 0, err
	}
	shops, err := src.Merchants.DueToday(ctx, at)
	if err != nil {
		return 0, err
	}
	vacant, err := vacantByChief(ctx, src, at)
	if err != nil {
		return 0, err
	}
	people := map[int64]lines{}
	for p, l := range loads {
		x := people[p]
		x.open, x.overdue, x.subOverdue = l.Open, l.Overdue, l.SubdistrictOverdue
		people[p] = x
	}
	for p, n := range shops {
		x := people[p]
		x.shops = n
		people[p] = x
	}
	for p, n := range vacant {
		x := people[p]
		x.vacant = n
		people[p] = x
	}
	day := at.In(Beijing).Format(time.DateOnly)
	written := 0
	err = pgx.BeginFunc(ctx, src.DB, func(tx pgx.Tx) error {
		// Replicas composing the same day take turns: the later ones then find every notice written
		// and add none, where two inserting the same people in different orders would deadlock.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('digest'), hashtext($1))`, day); err != nil {
			return fmt.Errorf("digest lock: %w", err)
		}
		for p, l := range people {
			if l.empty() {
				continue
			}
			zh, en := l.summary()
			fresh, err := notify.Enqueue(ctx, tx, notify.Notice{PersonID: p, Kind: notify.DigestKind, DedupeKey: "digest:" + day,
				Subject: notify.Subject{Type: "digest"}, Params: map[string]any{"day": day, "summary": zh, "summary_en": en,
					"open": l.open, "overdue": l.overdue, "subdistrict_overdue": l.subOverdue, "shops": l.shops, "vacant_posts": l.vacant}})
			if err != nil {
				return err
			}
			if fresh {
				written++
			}
		}
		return nil
	})
	return written, err
}

// vacantByChief counts the gap report's vacant posts per subdistrict and hands each count to the
// subdistrict's street chief.
func vacantByChief(ctx context.Context, src Sources, at time.Time) (map[int64]int, error) {
	rep, err := src.Reports.Gaps(ctx, access.System("digest"), reports.Query{Scope: reports.Scope{Level: "district"}, At: at, Kinds: []string{reports.KindVacant}})
	if err != nil {
		return nil, err
	}
	perSub := map[int64]int{}
	for _, v := range rep.Vacant {
		if v.SubdistrictID != 0 && v.Role != "street_chief" {
			perSub[v.SubdistrictID]++
		}
	}
	out := map[int64]int{}
	rows, err := src.DB.Query(ctx, `SELECT admin_unit_id, person_id FROM assignment_standing
		WHERE role = 'street_chief' AND is_primary AND valid @> $1::timestamptz AND admin_unit_id = ANY($2)`, at, keys(perSub))
	if err != nil {
		return nil, fmt.Errorf("street chiefs: %w", err)
	}
	for rows.Next() {
		var sub, p int64
		if err := rows.Scan(&sub, &p); err != nil {
			return nil, err
		}
		out[p] += perSub[sub]
	}
	return out, rows.Err()
}

func keys(m map[int64]int) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Run writes each day's digests once the Beijing clock passes hour:minute, checking every minute;
// a replica that starts later in the day writes that day's at once (the dedupe key keeps them single).
func Run(ctx context.Context, src Sources, hour, minute int, log *slog.Logger) {
	done := ""
	for {
		now := time.Now().In(Beijing)
		day := now.Format(time.DateOnly)
		if day != done && (now.Hour() > hour || now.Hour() == hour && now.Minute() >= minute) {
			if n, err := Compose(ctx, src, now); err != nil {
				if ctx.Err() != nil {
					return
				}
				log.Error("daily digest", "err", err)
			} else {
				done = day
				log.Info("daily digest", "day", day, "written", n)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		}
	}
}
