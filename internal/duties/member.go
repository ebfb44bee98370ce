package duties

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Member is a registry person as a deputy, committee member or party member for a period: the
// community they are linked to (a party member may belong to a unit, 单位, instead), and whether a
// pledge is in force today.
type Member struct {
	ID              int64      `json:"id"`
	PersonID        int64      `json:"person_id"`
	Name            string     `json:"name"`
	Type            MemberType `json:"member_type"`
	Level           Level      `json:"level"`
	CommunityID     int64      `json:"community_id,omitempty"`
	CommunityName   string     `json:"community,omitempty"`
	SubdistrictID   int64      `json:"subdistrict_id,omitempty"`
	SubdistrictName string     `json:"subdistrict,omitempty"`
	UnitName        string     `json:"unit_name,omitempty"`
	From            time.Time  `json:"from"`
	Until           *time.Time `json:"until,omitempty"` // exclusive; as ended when it was ended
	EndReason       string     `json:"end_reason,omitempty"`
	Current         bool       `json:"current"`
	PledgeCurrent   bool       `json:"pledge_current"`
	LastConfirmed   *time.Time `json:"last_confirmed_day,omitempty"`
}

func (m Member) place() place {
	return place{personID: m.PersonID, subdistrictID: m.SubdistrictID, communityID: m.CommunityID}
}

// MemberInput registers a member.
type MemberInput struct {
	PersonID    int64      `json:"person_id"`
	Type        MemberType `json:"member_type"`
	Level       Level      `json:"level"`
	CommunityID int64      `json:"community_id"`
	UnitName    string     `json:"unit_name"`
	From        string     `json:"from"`  // YYYY-MM-DD; empty: today
	Until       string     `json:"until"` // YYYY-MM-DD, exclusive; empty: open-ended
}

// memberColumns read a member aliased m (the table joined to its end e); $1 is today.
const memberColumns = `m.id, m.person_id, COALESCE(p.name, ''), m.member_type, m.level, COALESCE(m.community_id, 0), COALESCE(c.name, ''),
	COALESCE(m.subdistrict_id, 0), COALESCE(sd.name, ''), m.unit_name, m.valid_from,
	LEAST(e.ended_on, m.valid_until), COALESCE(e.reason, ''),
	m.valid_from <= $1::date AND (LEAST(e.ended_on, m.valid_until) IS NULL OR LEAST(e.ended_on, m.valid_until) > $1::date),
	EXISTS (SELECT 1 FROM duty_pledge dp WHERE dp.member_id = m.id AND dp.valid_from <= $1::date AND dp.valid_until > $1::date),
	(SELECT max(r.day) FROM duty_record r WHERE r.member_id = m.id
		AND EXISTS (SELECT 1 FROM duty_record_event ev WHERE ev.record_id = r.id AND ev.kind = 'confirm')
		AND NOT EXISTS (SELECT 1 FROM duty_record_event ev WHERE ev.record_id = r.id AND ev.kind = 'void'))
	FROM duty_member m
	LEFT JOIN duty_member_end e ON e.member_id = m.id
	LEFT JOIN person_directory p ON p.id = m.person_id
	LEFT JOIN unit_directory c ON c.id = m.community_id
	LEFT JOIN unit_directory sd ON sd.id = m.subdistrict_id`

func scanMember(row pgx.Row) (Member, error) {
	var m Member
	err := row.Scan(&m.ID, &m.PersonID, &m.Name, &m.Type, &m.Level, &m.CommunityID, &m.CommunityName, &m.SubdistrictID,
		&m.SubdistrictName, &m.UnitName, &m.From, &m.Until, &m.EndReason, &m.Current, &m.PledgeCurrent, &m.LastConfirmed)
	return m, err
}

// MemberFilter selects members.
type MemberFilter struct {
	CommunityID int64
	Type        MemberType
	UnitName    string
	CurrentOnly bool
}

// ListMembers lists the members in the caller's scope, by community and name.
func (s *Service) ListMembers(ctx context.Context, who access.Principal, f MemberFilter) ([]Member, error) {
	if f.Type != "" && !slices.Contains(MemberTypes, f.Type) {
		return nil, apperr.New(apperr.Malformed, "member_type %q is not one of %s", clip(string(f.Type), 40), typeNames()).With("field", "member_type")
	}
	pred, args := memberPredicate(who, []any{s.today(), f.CommunityID, string(f.Type), f.UnitName})
	rows, err := s.db.Query(ctx, `SELECT `+memberColumns+`
		WHERE ($2 = 0 OR m.community_id = $2) AND ($3 = '' OR m.member_type = $3) AND ($4 = '' OR m.unit_name = $4) AND `+pred+`
		ORDER BY sd.name NULLS LAST, c.name NULLS LAST, m.unit_name, p.name, m.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	ms, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Member, error) { return scanMember(r) })
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	if f.CurrentOnly {
		ms = slices.DeleteFunc(ms, func(m Member) bool { return !m.Current })
	}
	return ms, nil
}

// Member returns one member the caller may read.
func (s *Service) Member(ctx context.Context, who access.Principal, id int64) (Member, error) {
	return s.member(ctx, s.db, who, id)
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (s *Service) member(ctx context.Context, q querier, who access.Principal, id int64) (Member, error) {
	pred, args := memberPredicate(who, []any{s.today(), id})
	m, err := scanMember(q.QueryRow(ctx, `SELECT `+memberColumns+` WHERE m.id = $2 AND `+pred, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return Member{}, apperr.New(apperr.NotFound, "member %d not found", id)
	}
	if err != nil {
		return Member{}, fmt.Errorf("member %d: %w", id, err)
	}
	return m, nil
}

// AddMember registers a person as a member. One person holds one membership of a type at a time.
func (s *Service) AddMember(ctx context.Context, who access.Principal, in MemberInput) (Member, error) {
	today := s.today()
	if in.PersonID <= 0 {
		return Member{}, invalid("person_id", "person_id is required")
	}
	if !slices.Contains(MemberTypes, in.Type) {
		return Member{}, invalid("member_type", "member_type %q is not one of %s", clip(string(in.Type), 40), typeNames())
	}
	if !slices.Contains(Levels, in.Level) {
		return Member{}, invalid("level", "level %q is not one of province, city, district, subdistrict", clip(string(in.Level), 40))
	}
	in.UnitName = strings.TrimSpace(in.UnitName)
	if err := checkText("unit_name", in.UnitName, 100); err != nil {
		return Member{}, err
	}
	if in.CommunityID < 0 {
		return Member{}, invalid("community_id", "community_id %d is not an id", in.CommunityID)
	}
	if in.CommunityID == 0 && (in.Type != PartyMember || in.UnitName == "") {
		return Member{}, invalid("community_id", "a deputy or committee member is linked to a community (community_id); a party member to a community or a unit (unit_name)")
	}
	from := today
	if in.From != "" {
		var err error
		if from, err = ParseDay("from", in.From); err != nil {
			return Member{}, err
		}
	}
	if from.After(today.AddDate(1, 0, 0)) {
		return Member{}, invalid("from", "from %s is more than a year ahead", from.Format(time.DateOnly))
	}
	var until *time.Time
	if in.Until != "" {
		u, err := ParseDay("until", in.Until)
		if err != nil {
			return Member{}, err
		}
		if !u.After(from) {
			return Member{}, invalid("until", "until %s must be after from %s", u.Format(time.DateOnly), from.Format(time.DateOnly))
		}
		until = &u
	}
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var active bool
		err := tx.QueryRow(ctx, `SELECT active FROM person_directory WHERE id = $1`, in.PersonID).Scan(&active)
		if errors.Is(err, pgx.ErrNoRows) || err == nil && !active {
			return invalid("person_id", "person %d is not an active person of the registry", in.PersonID)
		}
		if err != nil {
			return fmt.Errorf("person: %w", err)
		}
		var sub int64
		if in.CommunityID != 0 {
			var level string
			err := tx.QueryRow(ctx, `SELECT level, COALESCE(parent_id, 0) FROM unit_directory WHERE id = $1`, in.CommunityID).Scan(&level, &sub)
			if errors.Is(err, pgx.ErrNoRows) || err == nil && level != "community" {
				return invalid("community_id", "%d is not a community", in.CommunityID)
			}
			if err != nil {
				return fmt.Errorf("community: %w", err)
			}
		}
		if !registers(who, place{personID: in.PersonID, subdistrictID: sub, communityID: in.CommunityID}) {
			return apperr.New(apperr.Forbidden, "you may register members only in your own communities")
		}
		// One membership of a type per person at a time: serialise on the person.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('duty_member'), $1::int)`, in.PersonID); err != nil {
			return fmt.Errorf("lock person: %w", err)
		}
		var clash int64
		err = tx.QueryRow(ctx, `SELECT id FROM duty_member_standing WHERE person_id = $1 AND member_type = $2
			AND valid && daterange($3::date, $4::date) LIMIT 1`, in.PersonID, string(in.Type), from, until).Scan(&clash)
		if err == nil {
			return apperr.New(apperr.Conflict, "person %d is already a %s in that period (member %d): end that membership first", in.PersonID, in.Type, clash)
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("overlap: %w", err)
		}
		err = tx.QueryRow(ctx, `INSERT INTO duty_member (person_id, member_type, level, community_id, subdistrict_id, unit_name, valid_from, valid_until, created_by)
			VALUES ($1, $2, $3, NULLIF($4, 0), NULLIF($5, 0), $6, $7, $8, $9) RETURNING id`,
			in.PersonID, string(in.Type), string(in.Level), in.CommunityID, sub, in.UnitName, from, until, who.Label()).Scan(&id)
		return translate(err, "member")
	})
	if err != nil {
		return Member{}, err
	}
	return s.Member(ctx, access.System("duties"), id)
}

// EndMember ends a membership on a day (today when zero), with the reason; it is kept. A day on or
// before its start means it was entered by mistake: it then answers for no day at all.
func (s *Service) EndMember(ctx context.Context, who access.Principal, id int64, endedOn time.Time, reason string) (Member, error) {
	reason, err := CheckReason(reason)
	if err != nil {
		return Member{}, err
	}
	if endedOn.IsZero() {
		endedOn = s.today()
	}
	if endedOn.After(s.today()) {
		return Member{}, invalid("ended_on", "ended_on %s is in the future: set until when registering instead", endedOn.Format(time.DateOnly))
	}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		m, err := s.member(ctx, tx, who, id)
		if err != nil {
			return err
		}
		if !registers(who, m.place()) {
			return apperr.New(apperr.Forbidden, "you may end memberships only in your own communities")
		}
		_, err = tx.Exec(ctx, `INSERT INTO duty_member_end (member_id, ended_on, reason, ended_by) VALUES ($1, $2, $3, $4)`,
			id, endedOn, reason, who.Label())
		return translate(err, "the end of this membership")
	})
	if err != nil {
		return Member{}, err
	}
	return s.Member(ctx, access.System("duties"), id)
}

func typeNames() string {
	names := make([]string, len(MemberTypes))
	for i, t := range MemberTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}
