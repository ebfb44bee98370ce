package incidents

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
)

// MapPoint is what a map shows of an incident: where, what and how it stands — never who.
type MapPoint struct {
	ID         int64
	Category   string
	Status     Status
	Overdue    bool
	ReportedAt time.Time
	At         orb.Point
}

// MapFilter selects the incidents of one map tile: inside Bound, reported in [From, To) (zero
// times are open ends), of Category, in one of Statuses — or, with no Statuses and OpenOnly, the
// open ones. At most Limit, the newest.
type MapFilter struct {
	Bound    orb.Bound
	From, To time.Time
	Category string
	Statuses []Status
	OpenOnly bool
	Limit    int
}

// Check reports whether List would accept the filter: known statuses, a category code, from
// before to. Maps call it when they read a tile's query, to refuse a bad filter before drawing
// anything; MapPoints checks again, as every entry to the service does.
func (f MapFilter) Check() error { return f.listFilter().check() }

func (f MapFilter) listFilter() Filter {
	lf := Filter{Statuses: f.Statuses, Category: f.Category, BBox: &f.Bound}
	if !f.From.IsZero() {
		lf.From = &f.From
	}
	if !f.To.IsZero() {
		lf.To = &f.To
	}
	return lf
}

// MapPoints returns the incidents the caller may read that match f, newest first. The read rule is
// List's, so the map shows exactly the incidents the list would: the caller's scope, and the
// incidents assigned to the caller wherever they are.
func (s *Service) MapPoints(ctx context.Context, who access.Principal, f MapFilter) ([]MapPoint, error) {
	lf := f.listFilter()
	if err := lf.check(); err != nil {
		return nil, err
	}
	where, args := filterSQL(who, lf)
	if len(f.Statuses) == 0 && f.OpenOnly {
		where += " AND i.status IN " + openStatusesSQL
	}
	args = append(args, f.Limit)
	rows, err := s.reads.Query(ctx, `SELECT i.id, i.category, i.status, i.overdue, i.reported_at, ST_X(i.location), ST_Y(i.location)
		FROM incident i WHERE `+where+fmt.Sprintf(` ORDER BY i.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, fmt.Errorf("incidents for the map: %w", err)
	}
	pts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (MapPoint, error) {
		var p MapPoint
		err := r.Scan(&p.ID, &p.Category, &p.Status, &p.Overdue, &p.ReportedAt, &p.At[0], &p.At[1])
		return p, err
	})
	if err != nil {
		return nil, fmt.Errorf("incidents for the map: %w", err)
	}
	return pts, nil
}
