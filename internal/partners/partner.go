package partners

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
	"streetchief/internal/audit"
	"streetchief/internal/registry"
)

// Partner is one record of a compound's partners: a contract, a residents' team or a building
// representative, with the period it ran (Until: its contract's end or its own end, whichever came
// first; none: open-ended) and, when closed, how.
type Partner struct {
	ID          int64  `json:"id"`
	CompoundID  int64  `json:"compound_id"`
	Kind        Kind   `json:"kind"`
	CompanyID   int64  `json:"company_id,omitempty"`
	CompanyName string `json:"company,omitempty"`
	// ContactName and Phone are the company's, shown to a caller with the compound in scope.
	ContactName string     `json:"contact,omitempty"`
	Phone       string     `json:"phone,omitempty"`
	SignedOn    *Day       `json:"signed_on,omitempty"`
	TeamType    TeamType   `json:"team_type,omitempty"`
	Name        string     `json:"name,omitempty"`
	PersonID    int64      `json:"person_id,omitempty"`
	PersonName  string     `json:"person,omitempty"`
	Members     int        `json:"members,omitempty"`
	Building    string     `json:"building,omitempty"`
	From        time.Time  `json:"from"`
	Until       *time.Time `json:"until,omitempty"`
	// ContractUntil is the period as recorded, when an end cut it short.
	ContractUntil *time.Time `json:"contract_until,omitempty"`
	Note          string     `json:"note,omitempty"`
	Ended         *Closing   `json:"ended,omitempty"`
	Voided        *Closing   `json:"voided,omitempty"`
	RecordedBy    string     `json:"recorded_by"`
	RecordedAt    time.Time  `json:"recorded_at"`
}

// Closing is how a record was ended (At) or voided, by whom and why.
type Closing struct {
	At       *time.Time `json:"at,omitempty"`
	Reason   string     `json:"reason"`
	By       string     `json:"by"`
	RecordAt time.Time  `json:"recorded_at"`
}

// Limits of a record's texts.
const (
	MaxBuildingChars = 100
	MaxNoteChars     = 1000
	MaxReasonChars   = 500
	MaxMembers       = 100000
)

// ContractInput signs a company on for a compound from From until Until (exclusive). Handover ends
// the compound's contract running at From first, with Reason.
type ContractInput struct {
	CompanyID int64   `json:"company_id"`
	SignedOn  *Day    `json:"signed_on"`
	From      *Moment `json:"from"`
	Until     *Moment `json:"until"`
	Note      string  `json:"note"`
	Handover  bool    `json:"handover"`
	Reason    string  `json:"reason"`
}

// TeamInput is a residents' team from From (until Until, or open).
type TeamInput struct {
	Type           TeamType `json:"team_type"`
	Name           string   `json:"name"`
	LeaderPersonID int64    `json:"leader_person_id"`
	Members        int      `json:"members"`
	From           *Moment  `json:"from"`
	Until          *Moment  `json:"until"`
	Note           string   `json:"note"`
}

// RepInput is a building representative (楼栋长) of one building from From.
type RepInput struct {
	PersonID int64   `json:"person_id"`
	Building string  `json:"building"`
	From     *Moment `json:"from"`
	Until    *Moment `json:"until"`
	Note     string  `json:"note"`
}

// period checks a record's from and until: both in the register's years, until after from.
func period(from, until *Moment, needUntil bool, now time.Time) (time.Time, *time.Time, error) {
	if from == nil {
		return time.Time{}, nil, apperr.New(apperr.Invalid, "from is required (a date such as 2026-03-03)").With("field", "from")
	}
	if err := checkWhen("from", from.Time, now); err != nil {
		return time.Time{}, nil, err
	}
	if until == nil {
		if needUntil {
			return time.Time{}, nil, apperr.New(apperr.Invalid, "a contract needs its until (the day after its last)").With("field", "until")
		}
		return from.Time, nil, nil
	}
	if err := checkWhen("until", until.Time, now); err != nil {
		return time.Time{}, nil, err
	}
	if !until.After(from.Time) {
		return time.Time{}, nil, apperr.New(apperr.Invalid, "until %s is not after from %s", until.Format(time.RFC3339), from.Format(time.RFC3339)).With("field", "until")
	}
	u := until.Time
	return from.Time, &u, nil
}

func checkNote(note string) error { return registry.CheckText("note", note, MaxNoteChars) }

// checkReason is the reason an end, void or handover must give.
func checkReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", apperr.New(apperr.Invalid, "a reason is required").With("field", "reason")
	}
	return reason, registry.CheckText("reason", reason, MaxReasonChars)
}

// compound is the registry's area a record is for, checked to be a residential compound in scope.
type compound struct {
	ID, SubdistrictID, CommunityID int64
	Name                           string
}

// lockClass keeps the compounds' advisory locks apart from every other one.
const lockClass = 0x5041_5254 // "PART"

// lockCompound serialises the changes to one compound's partners, so two contracts signed at once
// cannot both pass the overlap check, and loads the compound.
func lockCompound(ctx context.Context, tx pgx.Tx, who access.Principal, id int64) (compound, error) {
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1::int, $2::int)`, lockClass, int32(id)); err != nil {
		return compound{}, fmt.Errorf("lock compound: %w", err)
	}
	var c compound
	var kind string
	err := tx.QueryRow(ctx, `SELECT id, kind, name, COALESCE(subdistrict_id, 0), COALESCE(community_id, 0)
		FROM area_directory WHERE id = $1`, id).Scan(&c.ID, &kind, &c.Name, &c.SubdistrictID, &c.CommunityID)
	if err != nil {
		return compound{}, translate(err, fmt.Sprintf("compound %d", id))
	}
	if !who.Scope.InScope(c.SubdistrictID, c.CommunityID) {
		return compound{}, apperr.New(apperr.NotFound, "no compound %d in your scope", id)
	}
	if kind != CompoundKind {
		return compound{}, apperr.New(apperr.Invalid, "area %d (%s) is a %s, not a residential compound", id, c.Name, kind).With("field", "compound")
	}
	return c, nil
}

// personOf checks that a person is in the register and active, as field names them.
func personOf(ctx context.Context, tx pgx.Tx, field string, id int64) error {
	if id <= 0 {
		return apperr.New(apperr.Invalid, "%s is required", field).With("field", field)
	}
	var active bool
	if err := tx.QueryRow(ctx, `SELECT active FROM person_directory WHERE id = $1`, id).Scan(&active); err != nil {
		return apperr.New(apperr.Invalid, "%s %d is not in the register", field, id).With("field", field)
	}
	if !active {
		return apperr.New(apperr.Invalid, "%s %d is no longer active", field, id).With("field", field)
	}
	return nil
}

// overlapping answers a standing record of kind in the compound (and building, for a representative)
// whose period meets [from, until), or 0.
func overlapping(ctx context.Context, tx pgx.Tx, area int64, kind Kind, building string, from time.Time, until *time.Time) (int64, string, error) {
	var id int64
	var who string
	var valid string
	err := tx.QueryRow(ctx, `SELECT s.id, COALESCE(s.company_name, pd.name, ''), s.valid::text FROM compound_partner_standing s
		LEFT JOIN person_directory pd ON pd.id = s.person_id
		WHERE s.area_id = $1 AND s.kind = $2 AND ($3 = '' OR s.building = $3) AND s.valid && tstzrange($4, $5)
		ORDER BY lower(s.valid) LIMIT 1`, area, kind, building, from, until).Scan(&id, &who, &valid)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("overlap check: %w", err)
	}
	return id, fmt.Sprintf("%s %s", who, valid), nil
}

// SignContract records a company's contract for a compound. A period meeting another standing
// contract of the compound is a conflict, unless Handover ends the one running at From.
func (s *Service) SignContract(ctx context.Context, who access.Principal, compoundID int64, in ContractInput) (Partner, error) {
	if err := canWrite(who); err != nil {
		return Partner{}, err
	}
	from, until, err := period(in.From, in.Until, true, s.now())
	if err != nil {
		return Partner{}, err
	}
	if in.SignedOn == nil {
		return Partner{}, apperr.New(apperr.Invalid, "signed_on is required (the date the contract was signed)").With("field", "signed_on")
	}
	if err := checkWhen("signed_on", in.SignedOn.Time, s.now()); err != nil {
		return Partner{}, err
	}
	if in.SignedOn.After(from) {
		return Partner{}, apperr.New(apperr.Invalid, "signed_on %s is after the contract's start %s", in.SignedOn.Format(time.DateOnly), from.Format(time.DateOnly)).With("field", "signed_on")
	}
	if err := checkNote(in.Note); err != nil {
		return Partner{}, err
	}
	reason := ""
	if in.Handover {
		if reason, err = checkReason(in.Reason); err != nil {
			return Partner{}, err
		}
	}
	if in.CompanyID <= 0 {
		return Partner{}, apperr.New(apperr.Invalid, "company_id is required").With("field", "company_id")
	}
	var id int64
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		c, err := lockCompound(ctx, tx, who, compoundID)
		if err != nil {
			return err
		}
		var company string
		if err := tx.QueryRow(ctx, `SELECT name FROM property_company WHERE id = $1`, in.CompanyID).Scan(&company); err != nil {
			return apperr.New(apperr.Invalid, "company %d is not registered", in.CompanyID).With("field", "company_id")
		}
		if in.Handover {
			if err := s.endRunning(ctx, tx, who, c.ID, from, reason); err != nil {
				return err
			}
		}
		if other, what, err := overlapping(ctx, tx, c.ID, PropertyManager, "", from, until); err != nil {
			return err
		} else if other != 0 {
			return apperr.New(apperr.Conflict, "compound %s is under contract %d (%s) in that period; end it first or sign with handover", c.Name, other, what).With("partner_id", other)
		}
		id, err = s.insert(ctx, tx, who, c, Partner{Kind: PropertyManager, CompanyID: in.CompanyID, SignedOn: in.SignedOn, From: from, Until: until, Note: in.Note})
		return err
	})
	if err != nil {
		return Partner{}, err
	}
	return s.Partner(ctx, who, id)
}

// endRunning ends the compound's contract running at t, for a handover; none running is fine.
func (s *Service) endRunning(ctx context.Context, tx pgx.Tx, who access.Principal, area int64, t time.Time, reason string) error {
	var id int64
	var from time.Time
	err := tx.QueryRow(ctx, `SELECT id, lower(valid) FROM compound_partner_standing
		WHERE area_id = $1 AND kind = $2 AND valid @> $3::timestamptz`, area, PropertyManager, t).Scan(&id, &from)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("running contract: %w", err)
	}
	if !t.After(from) {
		return apperr.New(apperr.Conflict, "contract %d starts at %s itself: void it instead of handing over", id, from.Format(time.RFC3339)).With("partner_id", id)
	}
	return closeRecord(ctx, tx, who, id, "end", &t, reason)
}

// AddTeam records a residents' team of a compound.
func (s *Service) AddTeam(ctx context.Context, who access.Principal, compoundID int64, in TeamInput) (Partner, error) {
	if err := canWrite(who); err != nil {
		return Partner{}, err
	}
	if !slices.Contains(TeamTypes, in.Type) {
		return Partner{}, apperr.New(apperr.Invalid, "team_type %q is not one of self_governance (居民自治小组), owners_committee (业委会)", clip(string(in.Type), 40)).With("field", "team_type")
	}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" {
		return Partner{}, apperr.New(apperr.Invalid, "a team needs its name").With("field", "name")
	}
	if err := registry.CheckText("name", in.Name, registry.MaxNameChars); err != nil {
		return Partner{}, err
	}
	if in.Members < 1 || in.Members > MaxMembers {
		return Partner{}, apperr.New(apperr.Invalid, "members is %d; a team has 1 to %d", in.Members, MaxMembers).With("field", "members")
	}
	if err := checkNote(in.Note); err != nil {
		return Partner{}, err
	}
	from, until, err := period(in.From, in.Until, false, s.now())
	if err != nil {
		return Partner{}, err
	}
	var id int64
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		c, err := lockCompound(ctx, tx, who, compoundID)
		if err != nil {
			return err
		}
		if err := personOf(ctx, tx, "leader_person_id", in.LeaderPersonID); err != nil {
			return err
		}
		id, err = s.insert(ctx, tx, who, c, Partner{Kind: ResidentsTeam, TeamType: in.Type, Name: in.Name, PersonID: in.LeaderPersonID,
			Members: in.Members, From: from, Until: until, Note: in.Note})
		return err
	})
	if err != nil {
		return Partner{}, err
	}
	return s.Partner(ctx, who, id)
}

// AddRep records a building representative; a building has one at a time.
func (s *Service) AddRep(ctx context.Context, who access.Principal, compoundID int64, in RepInput) (Partner, error) {
	if err := canWrite(who); err != nil {
		return Partner{}, err
	}
	in.Building = strings.TrimSpace(in.Building)
	if in.Building == "" {
		return Partner{}, apperr.New(apperr.Invalid, "building is required (such as 3栋)").With("field", "building")
	}
	if err := registry.CheckText("building", in.Building, MaxBuildingChars); err != nil {
		return Partner{}, err
	}
	if err := checkNote(in.Note); err != nil {
		return Partner{}, err
	}
	from, until, err := period(in.From, in.Until, false, s.now())
	if err != nil {
		return Partner{}, err
	}
	var id int64
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		c, err := lockCompound(ctx, tx, who, compoundID)
		if err != nil {
			return err
		}
		if err := personOf(ctx, tx, "person_id", in.PersonID); err != nil {
			return err
		}
		if other, what, err := overlapping(ctx, tx, c.ID, BuildingRep, in.Building, from, until); err != nil {
			return err
		} else if other != 0 {
			return apperr.New(apperr.Conflict, "building %s of %s has a representative in that period (%d, %s); end that one first", in.Building, c.Name, other, what).With("partner_id", other)
		}
		id, err = s.insert(ctx, tx, who, c, Partner{Kind: BuildingRep, PersonID: in.PersonID, Building: in.Building, From: from, Until: until, Note: in.Note})
		return err
	})
	if err != nil {
		return Partner{}, err
	}
	return s.Partner(ctx, who, id)
}

func (s *Service) insert(ctx context.Context, tx pgx.Tx, who access.Principal, c compound, p Partner) (int64, error) {
	var signed *time.Time
	if p.SignedOn != nil {
		signed = &p.SignedOn.Time
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO compound_partner (area_id, kind, company_id, signed_on, team_type, name, person_id, members,
			building, valid_from, valid_until, note, recorded_by, recorded_at)
		VALUES ($1, $2, NULLIF($3, 0), ($4::timestamptz AT TIME ZONE 'Asia/Shanghai')::date, NULLIF($5, ''), $6, NULLIF($7, 0), NULLIF($8, 0),
			$9, $10, $11, $12, $13, $14) RETURNING id`,
		c.ID, p.Kind, p.CompanyID, signed, string(p.TeamType), p.Name, p.PersonID, p.Members, p.Building, p.From, p.Until,
		p.Note, who.Label(), s.now()).Scan(&id)
	if err != nil {
		return 0, translate(err, "partner")
	}
	p.CompoundID = c.ID
	return id, audit.Record(ctx, tx, who, audit.Create, "compound_partner", id, nil, p)
}
