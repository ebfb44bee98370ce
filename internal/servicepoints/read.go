package servicepoints

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// standing is every point with its newest revision, its status as of today and its place. The
// place is derived at read time, so it follows a moved boundary.
const standing = `SELECT p.id, r.type_code, r.name, r.location, r.address, r.hours, r.operator_org, r.contact_name,
		r.contact_phone, r.capacity, r.revised_at, st.status, st.since,
		COALESCE(pl.sub, 0) AS subdistrict_id, COALESCE(pl.com, 0) AS community_id
	FROM service_point p
	CROSS JOIN LATERAL (SELECT * FROM service_point_revision r WHERE r.point_id = p.id ORDER BY r.id DESC LIMIT 1) r
	CROSS JOIN LATERAL (SELECT s.status, s.since FROM service_point_status s WHERE s.point_id = p.id
		ORDER BY s.since DESC, s.id DESC LIMIT 1) st
	CROSS JOIN LATERAL (SELECT c.com, COALESCE((SELECT u.parent_id FROM unit_directory u WHERE u.id = c.com),
		admin_unit_by_largest_overlap(r.location, 'subdistrict')) AS sub
		FROM (SELECT admin_unit_by_largest_overlap(r.location, 'community') AS com) c) pl`

const pointColumns = `pt.id, pt.type_code, pt.name, ST_X(pt.location), ST_Y(pt.location), pt.address, pt.hours, pt.operator_org,
	CASE WHEN %[1]s THEN pt.contact_name ELSE '' END, CASE WHEN %[1]s THEN pt.contact_phone ELSE '' END, pt.capacity, pt.revised_at,
	pt.status, pt.since, pt.subdistrict_id, COALESCE(sd.name, ''), pt.community_id, COALESCE(cm.name, ''), COALESCE(%[1]s, false)`

// selectPoints is the reading rule for who, with its parameters appended to args: a point is seen
// when it is open or the caller's scope holds it; its contact only in scope.
func selectPoints(who access.Principal, args []any) (string, []any) {
	scope, args := who.Scope.Predicate("pt.subdistrict_id", "pt.community_id", args)
	return fmt.Sprintf(`SELECT `+pointColumns+` FROM (`+standing+`) pt
		LEFT JOIN unit_directory sd ON sd.id = pt.subdistrict_id
		LEFT JOIN unit_directory cm ON cm.id = pt.community_id
		WHERE (pt.status = 'open' OR COALESCE(%[1]s, false))`, scope), args
}

func scanPoint(row pgx.Row) (Point, error) {
	var p Point
	var hours []byte
	var status string
	err := row.Scan(&p.ID, &p.Type, &p.Name, &p.Location[0], &p.Location[1], &p.Address, &hours, &p.OperatorOrg, &p.ContactName,
		&p.ContactPhone, &p.Capacity, &p.RevisedAt, &status, &p.StatusSince, &p.SubdistrictID, &p.SubdistrictName, &p.CommunityID,
		&p.CommunityName, &p.InScope)
	if err != nil {
		return p, err
	}
	p.Status = Status(status)
	if err := json.Unmarshal(hours, &p.Hours); err != nil {
		return p, fmt.Errorf("service point %d hours: %w", p.ID, err)
	}
	return p, nil
}

func (s *Service) read(ctx context.Context, q database.Querier, who access.Principal, id int64) (Point, error) {
	sql, args := selectPoints(who, []any{id})
	p, err := scanPoint(q.QueryRow(ctx, sql+` AND pt.id = $1`, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, apperr.New(apperr.NotFound, "service point %d not found", id)
	}
	if err != nil {
		return p, fmt.Errorf("service point %d: %w", id, err)
	}
	return p, nil
}

// Get returns one point the caller may see, with its status history, and its revisions when the
// caller's scope holds it (they carry the contacts).
func (s *Service) Get(ctx context.Context, who access.Principal, id int64) (Point, error) {
	p, err := s.read(ctx, s.db, who, id)
	if err != nil {
		return p, err
	}
	rows, err := s.db.Query(ctx, `SELECT status, since, reason, changed_by, changed_at FROM service_point_status WHERE point_id = $1 ORDER BY since, id`, id)
	if err != nil {
		return p, fmt.Errorf("service point %d statuses: %w", id, err)
	}
	p.Statuses, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (StatusChange, error) {
		var c StatusChange
		var since time.Time
		var status string
		err := r.Scan(&status, &since, &c.Reason, &c.By, &c.At)
		c.Status, c.Since = Status(status), since.Format(time.DateOnly)
		return c, err
	})
	if err != nil || !p.InScope {
		return p, err
	}
	rows, err = s.db.Query(ctx, `SELECT id, type_code, name, ST_X(location), ST_Y(location), address, hours, operator_org, contact_name,
		contact_phone, capacity, reason, revised_by, revised_at FROM service_point_revision WHERE point_id = $1 ORDER BY id`, id)
	if err != nil {
		return p, fmt.Errorf("service point %d revisions: %w", id, err)
	}
	p.Revisions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Revision, error) {
		var v Revision
		var hours []byte
		err := r.Scan(&v.ID, &v.Type, &v.Name, &v.Location[0], &v.Location[1], &v.Address, &hours, &v.Operator, &v.Contact, &v.Phone,
			&v.Capacity, &v.Reason, &v.By, &v.At)
		if err == nil {
			err = json.Unmarshal(hours, &v.Hours)
		}
		return v, err
	})
	return p, err
}

// Filter narrows a list; zero fields do not filter.
type Filter struct {
	Type          string
	Status        Status
	SubdistrictID int64
	CommunityID   int64
	BBox          *orb.Bound
	Limit         int // 0: all (the register is small: hundreds, not millions)
}

// List returns the points the caller may see that pass f, by subdistrict, community and name.
func (s *Service) List(ctx context.Context, who access.Principal, f Filter) ([]Point, error) {
	if err := s.checkFilter(ctx, f); err != nil {
		return nil, err
	}
	sql, args := selectPoints(who, nil)
	add := func(cond string, v any) {
		args = append(args, v)
		sql += fmt.Sprintf(" AND "+cond, len(args))
	}
	if f.Type != "" {
		add("pt.type_code = $%d", f.Type)
	}
	if f.Status != "" {
		add("pt.status = $%d", string(f.Status))
	}
	if f.SubdistrictID != 0 {
		add("pt.subdistrict_id = $%d", f.SubdistrictID)
	}
	if f.CommunityID != 0 {
		add("pt.community_id = $%d", f.CommunityID)
	}
	if b := f.BBox; b != nil {
		args = append(args, b.Min[0], b.Min[1], b.Max[0], b.Max[1])
		n := len(args)
		sql += fmt.Sprintf(" AND pt.location && ST_MakeEnvelope($%d, $%d, $%d, $%d, 4326)", n-3, n-2, n-1, n)
	}
	sql += " ORDER BY sd.name NULLS LAST, cm.name NULLS LAST, pt.name, pt.id"
	if f.Limit > 0 {
		sql += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("service points: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Point, error) { return scanPoint(r) })
}

// checkFilter refuses a filter naming what does not exist, so a typo is not an empty answer.
func (s *Service) checkFilter(ctx context.Context, f Filter) error {
	if f.Status != "" && f.Status != Open && f.Status != Closed {
		return apperr.New(apperr.Invalid, "status %q is not open or closed", clip(string(f.Status))).With("field", "status")
	}
	if f.Type != "" {
		var ok bool
		if err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM service_point_type WHERE code = $1)`, f.Type).Scan(&ok); err != nil {
			return fmt.Errorf("service point type: %w", err)
		}
		if !ok {
			return apperr.New(apperr.Invalid, "type %q is not a service point type", clip(f.Type)).With("field", "type")
		}
	}
	for _, u := range []struct {
		level string
		id    int64
	}{{"subdistrict", f.SubdistrictID}, {"community", f.CommunityID}} {
		if u.id == 0 {
			continue
		}
		var ok bool
		if err := s.db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM unit_directory WHERE id = $1 AND level = $2)`, u.id, u.level).Scan(&ok); err != nil {
			return fmt.Errorf("%s filter: %w", u.level, err)
		}
		if !ok {
			return apperr.New(apperr.Invalid, "%s %d is not a %s of the district", u.level, u.id, u.level).With("field", u.level)
		}
	}
	if b := f.BBox; b != nil && (b.Min[0] > b.Max[0] || b.Min[1] > b.Max[1]) {
		return apperr.New(apperr.Invalid, "bbox must be west,south,east,north").With("field", "bbox")
	}
	return nil
}

// MapPoint is what the public tile layer shows of an open point: no operator, no contact.
type MapPoint struct {
	ID   int64
	Type string
	Name string
	At   orb.Point
}

// MapPoints lists the open points within b, at most limit, for the public tile layer.
func (s *Service) MapPoints(ctx context.Context, b orb.Bound, limit int) ([]MapPoint, error) {
	rows, err := s.db.Query(ctx, `SELECT pt.id, pt.type_code, pt.name, ST_X(pt.location), ST_Y(pt.location) FROM (`+standing+`) pt
		WHERE pt.status = 'open' AND pt.location && ST_MakeEnvelope($1, $2, $3, $4, 4326) ORDER BY pt.id LIMIT $5`,
		b.Min[0], b.Min[1], b.Max[0], b.Max[1], limit)
	if err != nil {
		return nil, fmt.Errorf("map service points: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (MapPoint, error) {
		var m MapPoint
		err := r.Scan(&m.ID, &m.Type, &m.Name, &m.At[0], &m.At[1])
		return m, err
	})
}
