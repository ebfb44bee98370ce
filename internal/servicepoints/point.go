package servicepoints

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// Status is whether a point serves the public.
type Status string

const (
	Open   Status = "open"
	Closed Status = "closed"
)

// Point is a convenience service point (便民服务点) as it stands: its newest revision and status.
// Its subdistrict and community are derived from its location by the rule of every located row.
type Point struct {
	ID           int64
	Type         string
	Name         string
	Location     orb.Point
	Address      string
	Hours        []Window
	OperatorOrg  string
	ContactName  string // personal data: only for callers whose scope holds the point
	ContactPhone string
	Capacity     *int
	Status       Status
	StatusSince  time.Time // a Beijing date
	Place
	RevisedAt time.Time
	// InScope says the caller's scope holds the point: contacts and history are theirs to read.
	InScope bool
	// History, filled by Get: revisions for callers in scope, status changes for everyone.
	Revisions []Revision
	Statuses  []StatusChange
}

// Place names the subdistrict and community a point lies in; 0 and "" outside any.
type Place struct {
	SubdistrictID   int64
	SubdistrictName string
	CommunityID     int64
	CommunityName   string
}

// Revision is a past or present version of a point's details, with why it was made.
type Revision struct {
	ID       int64      `json:"id"`
	Type     string     `json:"type"`
	Name     string     `json:"name"`
	Location [2]float64 `json:"location"`
	Address  string     `json:"address"`
	Hours    []Window   `json:"hours"`
	Operator string     `json:"operator_org"`
	Contact  string     `json:"contact_name"`
	Phone    string     `json:"contact_phone"`
	Capacity *int       `json:"capacity"`
	Reason   string     `json:"reason"`
	By       string     `json:"by"`
	At       time.Time  `json:"at"`
}

// StatusChange is an opening or closing, from a Beijing date, with its reason.
type StatusChange struct {
	Status Status    `json:"status"`
	Since  string    `json:"since"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}

// Input is what a caller sets on a point.
type Input struct {
	Type         string
	Name         string
	Location     orb.Point // WGS-84; the HTTP layer converts GCJ-02 and the others
	Address      string
	Hours        []Window
	OperatorOrg  string
	ContactName  string
	ContactPhone string
	Capacity     *int
}

func (in *Input) normalise() {
	for _, p := range []*string{&in.Type, &in.Name, &in.Address, &in.OperatorOrg, &in.ContactName, &in.ContactPhone} {
		*p = strings.TrimSpace(*p)
	}
	if in.Hours == nil {
		in.Hours = []Window{}
	}
}

// check is every rule that needs no database.
func (in Input) check() error {
	if in.Type == "" {
		return apperr.New(apperr.Invalid, "type is required").With("field", "type")
	}
	if in.Name == "" {
		return apperr.New(apperr.Invalid, "name is required").With("field", "name")
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"type", in.Type, 40}, {"name", in.Name, 200}, {"address", in.Address, 300}, {"operator_org", in.OperatorOrg, 200},
		{"contact_name", in.ContactName, 100}, {"contact_phone", in.ContactPhone, 40}} {
		if err := checkText(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if strings.Trim(in.ContactPhone, "0123456789+-() ") != "" {
		return apperr.New(apperr.Invalid, "contact_phone %q may hold only digits, spaces and + - ( )", clip(in.ContactPhone)).With("field", "contact_phone")
	}
	if in.Capacity != nil && (*in.Capacity < 0 || *in.Capacity > 100000) {
		return apperr.New(apperr.Invalid, "capacity %d must be 0 to 100,000 people", *in.Capacity).With("field", "capacity")
	}
	lon, lat := in.Location[0], in.Location[1]
	if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return apperr.New(apperr.Invalid, "location [%g, %g] is not a longitude and latitude", lon, lat).With("field", "location")
	}
	return CheckHours(in.Hours)
}

// Create registers a point, open from opensOn (zero: today). It must lie inside the district and
// in the caller's scope; nothing is written otherwise.
func (s *Service) Create(ctx context.Context, who access.Principal, in Input, opensOn time.Time, reason string) (Point, error) {
	if !who.CanChangeFieldData() {
		return Point{}, apperr.New(apperr.Forbidden, "your role may not register service points")
	}
	in.normalise()
	if err := in.check(); err != nil {
		return Point{}, err
	}
	since, err := s.statusDay(opensOn, "opened_on")
	if err != nil {
		return Point{}, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = "registered"
	}
	if err := checkText("reason", reason, 500); err != nil {
		return Point{}, err
	}
	var out Point
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := activeType(ctx, tx, in.Type); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO service_point (created_by) VALUES ($1) RETURNING id`, who.Label()).Scan(&id); err != nil {
			return translate(err, "service point")
		}
		if err := insertRevision(ctx, tx, who, id, in, reason); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO service_point_status (point_id, status, since, reason, changed_by) VALUES ($1, 'open', $2, $3, $4)`,
			id, since, reason, who.Label()); err != nil {
			return translate(err, "service point status")
		}
		var err error
		if out, err = s.placed(ctx, tx, who, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "service_point", id, nil, auditForm(out))
	})
	return out, err
}

func insertRevision(ctx context.Context, tx pgx.Tx, who access.Principal, id int64, in Input, reason string) error {
	hours, _ := json.Marshal(in.Hours)
	_, err := tx.Exec(ctx, `INSERT INTO service_point_revision (point_id, type_code, name, location, address, hours, operator_org,
			contact_name, contact_phone, capacity, reason, revised_by)
		VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), $6, $7, $8, $9, $10, $11, $12, $13)`,
		id, in.Type, in.Name, in.Location[0], in.Location[1], in.Address, hours, in.OperatorOrg, in.ContactName, in.ContactPhone,
		in.Capacity, reason, who.Label())
	if err != nil {
		return translate(err, "service point revision")
	}
	return nil
}

// placed reads the point just written and refuses it outside the district or the caller's scope, so
// the transaction rolls back.
func (s *Service) placed(ctx context.Context, tx pgx.Tx, who access.Principal, id int64) (Point, error) {
	p, err := s.read(ctx, tx, access.System("placement"), id)
	if err != nil {
		return p, err
	}
	if p.SubdistrictID == 0 {
		return p, apperr.New(apperr.Invalid, "the point at [%g, %g] lies outside every subdistrict of the district", p.Location[0], p.Location[1]).With("field", "location")
	}
	if !who.Scope.InScope(p.SubdistrictID, p.CommunityID) {
		return p, apperr.New(apperr.Forbidden, "the point lies outside your scope")
	}
	p.InScope = true
	return p, nil
}

// statusDay is the Beijing date a status takes effect: not in the future.
func (s *Service) statusDay(t time.Time, field string) (time.Time, error) {
	today := beijingDay(s.now())
	if t.IsZero() {
		return today, nil
	}
	d := beijingDay(t)
	if d.After(today) {
		return d, apperr.New(apperr.Invalid, "%s %s is in the future", field, d.Format(time.DateOnly)).With("field", field)
	}
	if d.Year() < 1990 {
		return d, apperr.New(apperr.Invalid, "%s %s is before 1990", field, d.Format(time.DateOnly)).With("field", field)
	}
	return d, nil
}

// Patch changes some of a point's details; nil fields stay as they are. Every patch is a revision
// and needs a reason.
type Patch struct {
	Type, Name, Address, OperatorOrg, ContactName, ContactPhone *string
	Location                                                    *orb.Point
	Hours                                                       []Window // nil: unchanged
	Capacity                                                    *int
	ClearCapacity                                               bool
	Reason                                                      string
}

// Revise records a new revision of a point. Moving it needs scope where it was and where it goes.
func (s *Service) Revise(ctx context.Context, who access.Principal, id int64, p Patch) (Point, error) {
	if !who.CanChangeFieldData() {
		return Point{}, apperr.New(apperr.Forbidden, "your role may not change service points")
	}
	reason := strings.TrimSpace(p.Reason)
	if err := checkReason(reason); err != nil {
		return Point{}, err
	}
	var out Point
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		before, err := s.lockInScope(ctx, tx, who, id)
		if err != nil {
			return err
		}
		in := Input{Type: before.Type, Name: before.Name, Location: before.Location, Address: before.Address, Hours: before.Hours,
			OperatorOrg: before.OperatorOrg, ContactName: before.ContactName, ContactPhone: before.ContactPhone, Capacity: before.Capacity}
		for _, f := range []struct{ dst, src *string }{{&in.Type, p.Type}, {&in.Name, p.Name}, {&in.Address, p.Address},
			{&in.OperatorOrg, p.OperatorOrg}, {&in.ContactName, p.ContactName}, {&in.ContactPhone, p.ContactPhone}} {
			if f.src != nil {
				*f.dst = *f.src
			}
		}
		if p.Location != nil {
			in.Location = *p.Location
		}
		if p.Hours != nil {
			in.Hours = p.Hours
		}
		if p.Capacity != nil {
			in.Capacity = p.Capacity
		}
		if p.ClearCapacity {
			in.Capacity = nil
		}
		in.normalise()
		if err := in.check(); err != nil {
			return err
		}
		if in.Type != before.Type {
			if err := activeType(ctx, tx, in.Type); err != nil {
				return err
			}
		}
		if err := insertRevision(ctx, tx, who, id, in, reason); err != nil {
			return err
		}
		if out, err = s.placed(ctx, tx, who, id); err != nil {
			return err
		}
		after := auditForm(out)
		after["reason"] = reason
		return audit.Record(ctx, tx, who, audit.Update, "service_point", id, auditForm(before), after)
	})
	return out, err
}

// SetStatus closes a point or opens it again from a date (zero: today), with a reason. A point is
// never deleted: a closed one stays on the register with its history.
func (s *Service) SetStatus(ctx context.Context, who access.Principal, id int64, status Status, since time.Time, reason string) (Point, error) {
	if !who.CanChangeFieldData() {
		return Point{}, apperr.New(apperr.Forbidden, "your role may not open or close service points")
	}
	if status != Open && status != Closed {
		return Point{}, apperr.New(apperr.Invalid, "status %q is not open or closed", clip(string(status))).With("field", "status")
	}
	reason = strings.TrimSpace(reason)
	if err := checkReason(reason); err != nil {
		return Point{}, err
	}
	day, err := s.statusDay(since, "since")
	if err != nil {
		return Point{}, err
	}
	var out Point
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		before, err := s.lockInScope(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if before.Status == status {
			return apperr.New(apperr.Conflict, "service point %d is already %s (since %s)", id, status, before.StatusSince.Format(time.DateOnly))
		}
		if day.Before(before.StatusSince) {
			return apperr.New(apperr.Invalid, "since %s is before the point became %s on %s", day.Format(time.DateOnly), before.Status,
				before.StatusSince.Format(time.DateOnly)).With("field", "since")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO service_point_status (point_id, status, since, reason, changed_by) VALUES ($1, $2, $3, $4, $5)`,
			id, string(status), day, reason, who.Label()); err != nil {
			return translate(err, "service point status")
		}
		if out, err = s.read(ctx, tx, who, id); err != nil {
			return err
		}
		after := auditForm(out)
		after["reason"] = reason
		return audit.Record(ctx, tx, who, audit.Transition, "service_point", id, auditForm(before), after)
	})
	return out, err
}

// lockInScope locks a point the caller may change; one outside their scope reads as not found.
func (s *Service) lockInScope(ctx context.Context, tx pgx.Tx, who access.Principal, id int64) (Point, error) {
	if err := tx.QueryRow(ctx, `SELECT id FROM service_point WHERE id = $1 FOR UPDATE`, id).Scan(&id); err != nil {
		return Point{}, translate(err, fmt.Sprintf("service point %d", id))
	}
	p, err := s.read(ctx, tx, who, id)
	if err != nil {
		return p, err
	}
	if !p.InScope {
		return Point{}, apperr.New(apperr.NotFound, "service point %d not found", id)
	}
	return p, nil
}

// auditForm is a point as the audit log keeps it, contact included: the audit log is read by
// administrators and district leaders, whose scope is the whole district.
func auditForm(p Point) map[string]any {
	return map[string]any{"id": p.ID, "type": p.Type, "name": p.Name, "location": []float64{p.Location[0], p.Location[1]},
		"address": p.Address, "hours": p.Hours, "operator_org": p.OperatorOrg, "contact_name": p.ContactName,
		"contact_phone": p.ContactPhone, "capacity": p.Capacity, "status": p.Status, "status_since": p.StatusSince.Format(time.DateOnly),
		"subdistrict_id": p.SubdistrictID, "community_id": p.CommunityID}
}
