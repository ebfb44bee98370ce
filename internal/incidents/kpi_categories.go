package incidents

import (
	"context"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/database"
)

// CategoryCount is how many cases of one category were reported in a period.
type CategoryCount struct {
	Code   string `json:"code"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
	Cases  int64  `json:"cases"`
}

// KPICategories counts the cases reported in p within the caller's scope (as the league tables
// count them: reported in [From, To), rejected and duplicates too, since they were reported) per
// category, most reported first, at most limit of them.
func (s *Service) KPICategories(ctx context.Context, who access.Principal, p Period, limit int) ([]CategoryCount, error) {
	scope, args, err := kpiScope(who, "i", []any{p.From, p.To, max(limit, 1)})
	if err != nil {
		return nil, err
	}
	var out []CategoryCount
	err = s.kpiTx(ctx, func(db database.Querier) error {
		rows, err := db.Query(ctx, `SELECT i.category, COALESCE(c.name_zh, i.category), COALESCE(c.name_en, i.category), count(*)
			FROM incident i LEFT JOIN incident_category c ON c.code = i.category
			WHERE i.reported_at >= $1 AND i.reported_at < $2 AND `+scope+`
			GROUP BY 1, 2, 3 ORDER BY 4 DESC, 1 LIMIT $3`, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (CategoryCount, error) {
			var c CategoryCount
			return c, r.Scan(&c.Code, &c.NameZh, &c.NameEn, &c.Cases)
		})
		return err
	})
	return out, translate(err, "count categories")
}
