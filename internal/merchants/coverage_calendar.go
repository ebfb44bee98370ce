package merchants

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Calendar is the heat of inspections per community per day: for each community in scope, how many
// of its open shops were inspected on each day of the period.
type Calendar struct {
	Period CoveragePeriod `json:"period"`
	Days   []string       `json:"days"`
	Rows   []CalendarRow  `json:"rows"`
}

// CalendarRow is one community's days; Inspected[k] is of Days[k].
type CalendarRow struct {
	CommunityID int64  `json:"community_id"`
	Name        string `json:"name"`
	Shops       int    `json:"shops"`
	Inspected   []int  `json:"inspected"`   // shops inspected that day
	Inspections []int  `json:"inspections"` // standing inspections that day
}

// Calendar answers the heat of period p (a week or a month; a day answers its month) in scope.
func (s *Store) Calendar(ctx context.Context, who access.Principal, p CoveragePeriod) (Calendar, error) {
	if !who.SignedIn() {
		return Calendar{}, apperr.New(apperr.Unauthorized, "sign in first")
	}
	if p.Kind == "day" {
		var err error
		if p, err = ParseCoveragePeriod("month", p.Day, inspectionNow()); err != nil {
			return Calendar{}, err
		}
	}
	cal := Calendar{Period: p, Rows: []CalendarRow{}}
	from, _ := time.ParseInLocation(time.DateOnly, p.From, p.day.Location())
	to, _ := time.ParseInLocation(time.DateOnly, p.To, p.day.Location())
	index := map[string]int{}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		index[d.Format(time.DateOnly)] = len(cal.Days)
		cal.Days = append(cal.Days, d.Format(time.DateOnly))
	}
	scope, args := shopScopeSQL(who, "m", []any{p.From, p.To})
	rows, err := s.db.Query(ctx, `WITH shop AS (
			SELECT m.id, COALESCE(m.community_id, 0) AS com FROM merchant m
			 WHERE (m.status = 'open' OR m.status_since > $1::date) AND `+scope+`
		), daily AS (
			SELECT s.com, i.visit_day, count(DISTINCT i.merchant_id) AS shops, count(*) AS n
			  FROM merchant_inspection i JOIN shop s ON s.id = i.merchant_id
			 WHERE i.voided_at IS NULL AND i.visit_day BETWEEN $1::date AND $2::date
			 GROUP BY 1, 2
		), com AS (SELECT com, count(*) AS shops FROM shop GROUP BY 1)
		SELECT c.com, COALESCE(u.name, '(辖区外)'), c.shops, COALESCE(d.visit_day::text, ''), COALESCE(d.shops, 0), COALESCE(d.n, 0)
		  FROM com c LEFT JOIN unit_directory u ON u.id = c.com LEFT JOIN daily d ON d.com = c.com
		 ORDER BY c.com = 0, u.name, c.com, d.visit_day`, args...)
	if err != nil {
		return cal, inspectionTranslate(err, "calendar")
	}
	var r CalendarRow
	var day string
	var shops, n int
	_, err = pgx.ForEachRow(rows, []any{&r.CommunityID, &r.Name, &r.Shops, &day, &shops, &n}, func() error {
		if k := len(cal.Rows); k == 0 || cal.Rows[k-1].CommunityID != r.CommunityID {
			cal.Rows = append(cal.Rows, CalendarRow{CommunityID: r.CommunityID, Name: r.Name, Shops: r.Shops,
				Inspected: make([]int, len(cal.Days)), Inspections: make([]int, len(cal.Days))})
		}
		if k, ok := index[day]; ok {
			row := &cal.Rows[len(cal.Rows)-1]
			row.Inspected[k], row.Inspections[k] = shops, n
		}
		return nil
	})
	return cal, inspectionTranslate(err, "calendar")
}
