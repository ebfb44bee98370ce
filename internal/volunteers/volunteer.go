package volunteers

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// Volunteer is a registered volunteer (志愿者) of an organisation, living or serving in a community.
// They are listed only in scope, so their phone is shown to whoever sees them.
type Volunteer struct {
	ID            int64        `json:"id"`
	OrgID         int64        `json:"org_id"`
	OrgName       string       `json:"org_name"`
	CommunityID   int64        `json:"community_id"`
	CommunityName string       `json:"community_name"`
	SubdistrictID int64        `json:"subdistrict_id"`
	Name          string       `json:"name"`
	Phone         string       `json:"phone"`
	Skills        []string     `json:"skills"`
	JoinedOn      Date         `json:"joined_on"` // the latest joining
	LeftOn        *Date        `json:"left_on"`   // set while they have left
	Active        bool         `json:"active"`    // today
	Memberships   []Membership `json:"memberships,omitempty"`
}

// Membership is one joining or leaving.
type Membership struct {
	Kind   string `json:"kind"` // joined, left
	On     Date   `json:"on"`
	Reason string `json:"reason"`
}

// VolunteerInput is a volunteer as sent.
type VolunteerInput struct {
	OrgID       int64    `json:"org_id"`
	CommunityID int64    `json:"community_id"`
	Name        string   `json:"name"`
	Phone       string   `json:"phone"`
	Skills      []string `json:"skills"`
	JoinedOn    string   `json:"joined_on"`
}

// MaxSkills bounds a volunteer's skills.
const MaxSkills = 20

// community answers the subdistrict of a community, or that it is not one.
func community(ctx context.Context, tx pgx.Tx, id int64) (int64, error) {
	var sub int64
	err := tx.QueryRow(ctx, `SELECT parent_id FROM unit_directory WHERE id = $1 AND level = 'community'`, id).Scan(&sub)
	if err == pgx.ErrNoRows {
		return 0, invalid("community_id", "admin unit %d is not a community", id)
	}
	return sub, err
}

// AddVolunteer registers a volunteer as joined on a day.
func (s *Service) AddVolunteer(ctx context.Context, who access.Principal, in VolunteerInput) (Volunteer, error) {
	name, err := text("name", in.Name, 100, true)
	if err != nil {
		return Volunteer{}, err
	}
	phone, err := checkPhone("phone", in.Phone)
	if err != nil {
		return Volunteer{}, err
	}
	if len(in.Skills) > MaxSkills {
		return Volunteer{}, apperr.New(apperr.TooLarge, "at most %d skills", MaxSkills).With("field", "skills")
	}
	skills := []string{}
	for i, sk := range in.Skills {
		sk, err := text(fmt.Sprintf("skills[%d]", i), sk, 50, true)
		if err != nil {
			return Volunteer{}, err
		}
		skills = append(skills, sk)
	}
	joined, err := ParseDate("joined_on", in.JoinedOn)
	if err != nil {
		return Volunteer{}, err
	}
	if joined.After(dateOf(s.now()).Time) {
		return Volunteer{}, invalid("joined_on", "joined_on %s is in the future", joined)
	}
	var id int64
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		sub, err := community(ctx, tx, in.CommunityID)
		if err != nil {
			return err
		}
		if err := records(who, sub, in.CommunityID); err != nil {
			return err
		}
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM volunteer_org WHERE id = $1)`, in.OrgID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return invalid("org_id", "no organisation %d", in.OrgID)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO volunteer (org_id, community_id, name, phone, skills, created_by)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, in.OrgID, in.CommunityID, name, phone, skills, who.Label()).Scan(&id); err != nil {
			return translate(err, "volunteer")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO volunteer_membership (volunteer_id, kind, on_date, created_by) VALUES ($1, 'joined', $2, $3)`,
			id, joined.Time, who.Label()); err != nil {
			return translate(err, "volunteer")
		}
		return audit.Record(ctx, tx, who, audit.Create, "volunteer", id, nil, map[string]any{"org_id": in.OrgID, "community_id": in.CommunityID,
			"name": name, "skills": skills, "joined_on": joined})
	})
	if err != nil {
		return Volunteer{}, translate(err, "volunteer")
	}
	return s.Volunteer(ctx, who, id)
}

// ChangeMembership records a volunteer leaving, or joining again, on a day not before the last change.
func (s *Service) ChangeMembership(ctx context.Context, who access.Principal, id int64, m Membership) (Volunteer, error) {
	if m.Kind != "joined" && m.Kind != "left" {
		return Volunteer{}, invalid("kind", "kind %q is joined or left", m.Kind)
	}
	reason, err := text("reason", m.Reason, 500, m.Kind == "left")
	if err != nil {
		return Volunteer{}, err
	}
	if m.On.IsZero() {
		return Volunteer{}, invalid("on", "on is required (YYYY-MM-DD)")
	}
	if m.On.After(dateOf(s.now()).Time) {
		return Volunteer{}, invalid("on", "on %s is in the future", m.On)
	}
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var sub, com int64
		err := tx.QueryRow(ctx, `SELECT u.parent_id, v.community_id FROM volunteer v JOIN unit_directory u ON u.id = v.community_id
			WHERE v.id = $1 FOR UPDATE OF v`, id).Scan(&sub, &com)
		if err == pgx.ErrNoRows || err == nil && reads(who) == nil && !who.Scope.InScope(sub, com) {
			return apperr.New(apperr.NotFound, "no volunteer %d", id)
		}
		if err != nil {
			return err
		}
		if err := records(who, sub, com); err != nil {
			return err
		}
		var last string
		var lastOn time.Time
		if err := tx.QueryRow(ctx, `SELECT kind, on_date FROM volunteer_membership WHERE volunteer_id = $1 ORDER BY on_date DESC, id DESC LIMIT 1`, id).
			Scan(&last, &lastOn); err != nil {
			return err
		}
		if last == m.Kind {
			return apperr.New(apperr.Conflict, "volunteer %d has %s already (%s)", id, last, lastOn.Format(time.DateOnly))
		}
		if m.On.Before(lastOn) {
			return invalid("on", "on %s is before the volunteer %s (%s)", m.On, last, lastOn.Format(time.DateOnly))
		}
		if _, err := tx.Exec(ctx, `INSERT INTO volunteer_membership (volunteer_id, kind, on_date, reason, created_by) VALUES ($1, $2, $3, $4, $5)`,
			id, m.Kind, m.On.Time, reason, who.Label()); err != nil {
			return translate(err, "membership")
		}
		return audit.Record(ctx, tx, who, audit.Update, "volunteer", id, nil, map[string]any{"kind": m.Kind, "on": m.On, "reason": reason})
	})
	if err != nil {
		return Volunteer{}, translate(err, "membership")
	}
	return s.Volunteer(ctx, who, id)
}

// VolunteerFilter narrows Volunteers; zero values mean any.
type VolunteerFilter struct {
	OrgID       int64
	CommunityID int64
	ActiveOnly  bool
}

const volunteerSelect = `SELECT v.id, v.org_id, o.name, v.community_id, c.name, c.parent_id, v.name, v.phone, v.skills,
		(SELECT max(on_date) FROM volunteer_membership m WHERE m.volunteer_id = v.id AND m.kind = 'joined'),
		l.kind, l.on_date
	FROM volunteer v JOIN volunteer_org o ON o.id = v.org_id JOIN unit_directory c ON c.id = v.community_id
	JOIN LATERAL (SELECT kind, on_date FROM volunteer_membership m WHERE m.volunteer_id = v.id
		AND m.on_date <= $1 ORDER BY on_date DESC, id DESC LIMIT 1) l ON true`

func scanVolunteer(row pgx.Row) (Volunteer, error) {
	var v Volunteer
	var kind string
	var on time.Time
	err := row.Scan(&v.ID, &v.OrgID, &v.OrgName, &v.CommunityID, &v.CommunityName, &v.SubdistrictID, &v.Name, &v.Phone, &v.Skills,
		&v.JoinedOn.Time, &kind, &on)
	v.Active = kind == "joined"
	if !v.Active {
		v.LeftOn = &Date{on}
	}
	return v, err
}

// Volunteers lists the volunteers in the caller's scope.
func (s *Service) Volunteers(ctx context.Context, who access.Principal, f VolunteerFilter) ([]Volunteer, error) {
	if err := reads(who); err != nil {
		return nil, err
	}
	args := []any{dateOf(s.now()).Time, f.OrgID, f.CommunityID, f.ActiveOnly}
	pred, args := who.Scope.Predicate("c.parent_id", "v.community_id", args)
	rows, err := s.db.Query(ctx, volunteerSelect+` WHERE ($2 = 0 OR v.org_id = $2) AND ($3 = 0 OR v.community_id = $3)
		AND (NOT $4 OR l.kind = 'joined') AND `+pred+` ORDER BY c.name, v.name, v.id LIMIT 5000`, args...)
	if err != nil {
		return nil, translate(err, "volunteers")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Volunteer, error) { return scanVolunteer(r) })
	return out, translate(err, "volunteers")
}

// Volunteer is one volunteer in scope with their memberships.
func (s *Service) Volunteer(ctx context.Context, who access.Principal, id int64) (Volunteer, error) {
	if err := reads(who); err != nil {
		return Volunteer{}, err
	}
	args := []any{dateOf(s.now()).Time, id}
	pred, args := who.Scope.Predicate("c.parent_id", "v.community_id", args)
	v, err := scanVolunteer(s.db.QueryRow(ctx, volunteerSelect+` WHERE v.id = $2 AND `+pred, args...))
	if err == pgx.ErrNoRows {
		return v, apperr.New(apperr.NotFound, "no volunteer %d", id)
	}
	if err != nil {
		return v, translate(err, "volunteer")
	}
	rows, err := s.db.Query(ctx, `SELECT kind, on_date, reason FROM volunteer_membership WHERE volunteer_id = $1 ORDER BY on_date, id`, id)
	if err != nil {
		return v, translate(err, "memberships")
	}
	v.Memberships, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Membership, error) {
		var m Membership
		return m, r.Scan(&m.Kind, &m.On.Time, &m.Reason)
	})
	return v, translate(err, "memberships")
}
