package incidents

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Filter selects incidents; zero fields match everything. Pages run newest first: Before is the id
// to continue below.
type Filter struct {
	Statuses      []Status
	Category      string
	SubdistrictID int64
	CommunityID   int64
	AssigneeID    int64
	From, To      *time.Time // reported_at in [From, To)
	BBox          *orb.Bound
	Overdue       *bool
	// AwaitingAck keeps the joint cases in which a department has yet to acknowledge: for a department
	// liaison, one of their departments (their pending work).
	AwaitingAck bool
	Before      int64
	Limit       int
}

const (
	defaultPage = 100
	maxPage     = 10_000 // a CSV export of a busy month fits one page
)

func (f Filter) limit() int {
	switch {
	case f.Limit <= 0:
		return defaultPage
	case f.Limit > maxPage:
		return maxPage
	}
	return f.Limit
}

func (f Filter) check() error {
	for _, st := range f.Statuses {
		if !slices.Contains(Statuses, st) {
			return apperr.New(apperr.Invalid, "status %q is not one of %s", st, joinStatuses(Statuses)).With("field", "status")
		}
	}
	if f.Category != "" && !categoryCode.MatchString(f.Category) {
		return apperr.New(apperr.Invalid, "unknown category %q", f.Category).With("field", "category")
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return apperr.New(apperr.Invalid, "from must be before to").With("field", "from")
	}
	return nil
}

// filterSQL builds List's WHERE clause: the caller's read rule first, then each filter that is set.
func filterSQL(who access.Principal, f Filter) (string, []any) {
	rule, args := readSQL(who, nil)
	conds := []string{rule}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.Before > 0 {
		add("i.id < $%d", f.Before)
	}
	if len(f.Statuses) > 0 {
		ss := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			ss[i] = string(s)
		}
		add("i.status = ANY($%d::text[])", ss)
	}
	if f.Category != "" {
		add(categoryFilterSQL, f.Category)
	}
	if f.SubdistrictID != 0 {
		add("i.subdistrict_id = $%d", f.SubdistrictID)
	}
	if f.CommunityID != 0 {
		add("i.community_id = $%d", f.CommunityID)
	}
	if f.AssigneeID != 0 {
		add("i.assignee_person_id = $%d", f.AssigneeID)
	}
	if f.From != nil {
		add("i.reported_at >= $%d", *f.From)
	}
	if f.To != nil {
		add("i.reported_at < $%d", *f.To)
	}
	if f.Overdue != nil {
		add("i.overdue = $%d", *f.Overdue)
	}
	if f.AwaitingAck {
		conds = append(conds, awaitingAckSQL(who, &args))
	}
	if f.BBox != nil {
		args = append(args, f.BBox.Min[0], f.BBox.Min[1], f.BBox.Max[0], f.BBox.Max[1])
		n := len(args)
		conds = append(conds, fmt.Sprintf("i.location && ST_MakeEnvelope($%d, $%d, $%d, $%d, 4326)", n-3, n-2, n-1, n))
	}
	return strings.Join(conds, " AND "), args
}

// List returns one page of the incidents the caller may see that match f, newest first, and the id to
// continue below (0 on the last page).
func (s *Service) List(ctx context.Context, who access.Principal, f Filter) ([]Incident, int64, error) {
	if err := f.check(); err != nil {
		return nil, 0, err
	}
	where, args := filterSQL(who, f)
	limit := f.limit()
	args = append(args, limit+1)
	rows, err := s.db.Query(ctx, `SELECT `+incidentColumns+incidentFrom+` WHERE `+where+
		fmt.Sprintf(` ORDER BY i.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, 0, translate(err, "list incidents")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Incident, error) { return scanIncident(r) })
	if err != nil {
		return nil, 0, translate(err, "list incidents")
	}
	var next int64
	if len(list) > limit {
		list = list[:limit]
		next = list[limit-1].ID
	}
	return list, next, nil
}

// PublicRequest is what anyone may know of an incident (Open311 GET requests): no people, no notes.
type PublicRequest struct {
	ID          int64
	Category    string
	Status      Status
	Description string
	Lon, Lat    float64
	MediaURL    string
	ReportedAt  time.Time
	UpdatedAt   time.Time
	DueAt       *time.Time
	Subdistrict string
	// Address is the address the reporter gave or, without one, the place text (place.go);
	// AgencyResponsible is whom it is with (public.go).
	Address           string
	AgencyResponsible string
}

// PublicFilter selects public requests: by ids, or else by category, status and report time.
type PublicFilter struct {
	IDs      []int64
	Category string
	Open     *bool
	From, To time.Time
	Limit    int
}

// PublicRequests lists incidents as the public sees them, newest first.
func (s *Service) PublicRequests(ctx context.Context, f PublicFilter) ([]PublicRequest, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if len(f.IDs) > 0 {
		add("i.id = ANY($%d::bigint[])", f.IDs)
	} else {
		add("i.reported_at >= $%d", f.From)
		add("i.reported_at < $%d", f.To)
		if f.Category != "" {
			add(categoryFilterSQL, f.Category)
		}
		if f.Open != nil {
			if *f.Open {
				conds = append(conds, "i.status IN "+openStatusesSQL)
			} else {
				conds = append(conds, "i.status NOT IN "+openStatusesSQL)
			}
		}
	}
	args = append(args, f.Limit)
	rows, err := s.db.Query(ctx, `SELECT i.id, i.category, i.status, i.description, ST_X(i.location), ST_Y(i.location), i.media_url,
			i.reported_at, i.updated_at, i.due_at, COALESCE((SELECT u.name FROM unit_directory u WHERE u.id = i.subdistrict_id), ''),
			`+publicPlaceColumns+`
		FROM incident i`+placeJoin+` WHERE `+strings.Join(conds, " AND ")+fmt.Sprintf(` ORDER BY i.id DESC LIMIT $%d`, len(args)), args...)
	if err != nil {
		return nil, translate(err, "requests")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PublicRequest, error) {
		var p PublicRequest
		var pl publicPlace
		err := r.Scan(append([]any{&p.ID, &p.Category, &p.Status, &p.Description, &p.Lon, &p.Lat, &p.MediaURL, &p.ReportedAt,
			&p.UpdatedAt, &p.DueAt, &p.Subdistrict}, pl.dest()...)...)
		p.Address, p.AgencyResponsible = pl.describe(p)
		return p, err
	})
	return out, translate(err, "requests")
}

// categoryFilterSQL matches a category or, for a 大类, any of its subcategories.
const categoryFilterSQL = "(i.category = $%[1]d OR i.category IN (SELECT code FROM incident_category WHERE parent = $%[1]d))"
