package partners

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// partnerSelect reads every record with its company, person and closings; the caller adds WHERE.
const partnerSelect = `SELECT p.id, p.area_id, p.kind, COALESCE(p.company_id, 0), COALESCE(c.name, ''),
		COALESCE(cp.name, ''), COALESCE(c.phone, ''), p.signed_on, COALESCE(p.team_type, ''), p.name,
		COALESCE(p.person_id, 0), COALESCE(pd.name, ''), COALESCE(p.members, 0), p.building, p.valid_from, p.valid_until,
		p.note, p.recorded_by, p.recorded_at,
		e.at, COALESCE(e.reason, ''), COALESCE(e.closed_by, ''), e.closed_at,
		COALESCE(v.reason, ''), COALESCE(v.closed_by, ''), v.closed_at
	FROM compound_partner p
	LEFT JOIN property_company c ON c.id = p.company_id
	LEFT JOIN person_directory cp ON cp.id = c.contact_person_id
	LEFT JOIN person_directory pd ON pd.id = p.person_id
	LEFT JOIN compound_partner_closing e ON e.partner_id = p.id AND e.kind = 'end'
	LEFT JOIN compound_partner_closing v ON v.partner_id = p.id AND v.kind = 'void'`

func scanPartner(row pgx.Row) (Partner, error) {
	var (
		p                      Partner
		signed, until          *time.Time
		endAt, endRec, voidRec *time.Time
		endReason, endBy       string
		voidReason, voidBy     string
	)
	err := row.Scan(&p.ID, &p.CompoundID, &p.Kind, &p.CompanyID, &p.CompanyName, &p.ContactName, &p.Phone, &signed, &p.TeamType, &p.Name,
		&p.PersonID, &p.PersonName, &p.Members, &p.Building, &p.From, &until, &p.Note, &p.RecordedBy, &p.RecordedAt,
		&endAt, &endReason, &endBy, &endRec, &voidReason, &voidBy, &voidRec)
	if err != nil {
		return p, err
	}
	if signed != nil {
		p.SignedOn = &Day{time.Date(signed.Year(), signed.Month(), signed.Day(), 0, 0, 0, 0, Beijing)}
	}
	p.Until = until
	if endAt != nil {
		p.Ended = &Closing{At: endAt, Reason: endReason, By: endBy, RecordAt: *endRec}
		if until == nil || endAt.Before(*until) {
			p.ContractUntil, p.Until = until, endAt
		}
	}
	if voidRec != nil {
		p.Voided = &Closing{Reason: voidReason, By: voidBy, RecordAt: *voidRec}
	}
	return p, nil
}

func collectPartners(rows pgx.Rows, err error) ([]Partner, error) {
	if err != nil {
		return nil, fmt.Errorf("read partners: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Partner, error) { return scanPartner(r) })
	if err != nil {
		return nil, fmt.Errorf("read partners: %w", err)
	}
	return out, nil
}

// Partner answers one record, voided or not, when its compound is in the caller's scope.
func (s *Service) Partner(ctx context.Context, who access.Principal, id int64) (Partner, error) {
	if err := canRead(who); err != nil {
		return Partner{}, err
	}
	pred, args := who.Scope.Predicate("a.subdistrict_id", "a.community_id", []any{id})
	p, err := scanPartner(s.db.QueryRow(ctx, partnerSelect+` JOIN area_directory a ON a.id = p.area_id WHERE p.id = $1 AND `+pred, args...))
	if err != nil {
		return Partner{}, translate(err, fmt.Sprintf("partner %d in your scope", id))
	}
	return p, nil
}

// Compound is a residential compound with its partners at a moment.
type Compound struct {
	ID              int64     `json:"id"`
	Name            string    `json:"name"`
	SubdistrictID   int64     `json:"subdistrict_id"`
	SubdistrictName string    `json:"subdistrict"`
	CommunityID     int64     `json:"community_id"`
	CommunityName   string    `json:"community"`
	Manager         *Partner  `json:"manager"`
	Teams           []Partner `json:"teams"`
	Reps            []Partner `json:"building_reps"`
	// History holds every record, voided ones too, oldest first (History only).
	History []Partner `json:"history,omitempty"`
}

// Filter narrows the compounds listed.
type Filter struct {
	At            time.Time // zero: now
	SubdistrictID int64
	CommunityID   int64
	AreaID        int64
}

// MaxCompounds bounds one list: a district has some hundreds of compounds.
const MaxCompounds = 5000

// Compounds lists the residential compounds in the caller's scope with their partners at f.At.
func (s *Service) Compounds(ctx context.Context, who access.Principal, f Filter) ([]Compound, error) {
	if err := canRead(who); err != nil {
		return nil, err
	}
	if f.At.IsZero() {
		f.At = s.now()
	}
	pred, args := who.Scope.Predicate("a.subdistrict_id", "a.community_id", []any{CompoundKind, f.SubdistrictID, f.CommunityID, f.AreaID})
	rows, err := s.db.Query(ctx, `SELECT a.id, a.name, COALESCE(a.subdistrict_id, 0), COALESCE(sd.name, ''), COALESCE(a.community_id, 0), COALESCE(cm.name, '')
		FROM area_directory a
		LEFT JOIN unit_directory sd ON sd.id = a.subdistrict_id
		LEFT JOIN unit_directory cm ON cm.id = a.community_id
		WHERE a.kind = $1 AND ($2 = 0 OR a.subdistrict_id = $2) AND ($3 = 0 OR a.community_id = $3) AND ($4 = 0 OR a.id = $4) AND `+pred+`
		ORDER BY sd.name, cm.name, a.name, a.id LIMIT `+fmt.Sprint(MaxCompounds), args...)
	if err != nil {
		return nil, fmt.Errorf("list compounds: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Compound, error) {
		c := Compound{Teams: []Partner{}, Reps: []Partner{}}
		return c, r.Scan(&c.ID, &c.Name, &c.SubdistrictID, &c.SubdistrictName, &c.CommunityID, &c.CommunityName)
	})
	if err != nil {
		return nil, fmt.Errorf("list compounds: %w", err)
	}
	ids := make([]int64, len(out))
	at := make(map[int64]*Compound, len(out))
	for i := range out {
		ids[i] = out[i].ID
		at[out[i].ID] = &out[i]
	}
	partners, err := collectPartners(s.db.Query(ctx, partnerSelect+`
		WHERE p.area_id = ANY($1) AND p.id IN (SELECT id FROM compound_partner_standing WHERE area_id = ANY($1) AND valid @> $2::timestamptz)
		ORDER BY p.area_id, p.kind, p.building, p.valid_from, p.id`, ids, f.At))
	if err != nil {
		return nil, err
	}
	for _, p := range partners {
		c := at[p.CompoundID]
		switch p.Kind {
		case PropertyManager:
			c.Manager = &p
		case ResidentsTeam:
			c.Teams = append(c.Teams, p)
		case BuildingRep:
			c.Reps = append(c.Reps, p)
		}
	}
	return out, nil
}

// History answers one compound with its partners at f.At and every record it ever had, voided
// ones included, oldest first: the register keeps what it once said.
func (s *Service) History(ctx context.Context, who access.Principal, compoundID int64, at time.Time) (Compound, error) {
	list, err := s.Compounds(ctx, who, Filter{AreaID: compoundID, At: at})
	if err != nil {
		return Compound{}, err
	}
	if len(list) == 0 {
		return Compound{}, apperr.New(apperr.NotFound, "no residential compound %d in your scope", compoundID)
	}
	c := list[0]
	c.History, err = collectPartners(s.db.Query(ctx, partnerSelect+` WHERE p.area_id = $1 ORDER BY p.valid_from, p.id`, compoundID))
	return c, err
}
