package duties

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
	"streetchief/internal/objectstore"
)

// MemberType is what a member is; duty_member.member_type's CHECK allows exactly these.
type MemberType string

const (
	PartyCongressDeputy   MemberType = "party_congress_deputy"   // 党代表
	PeoplesCongressDeputy MemberType = "peoples_congress_deputy" // 人大代表
	CPPCCMember           MemberType = "cppcc_member"            // 政协委员
	PartyMember           MemberType = "party_member"            // 党员
)

// MemberTypes lists every MemberType.
var MemberTypes = []MemberType{PartyCongressDeputy, PeoplesCongressDeputy, CPPCCMember, PartyMember}

// Level is the level of the congress or committee a deputy sits in (a party member's organisation).
type Level string

// Levels lists every Level, highest first.
var Levels = []Level{"province", "city", "district", "subdistrict"}

// Status is where a duty record stands, read from its events.
type Status string

const (
	Pending   Status = "pending"
	Confirmed Status = "confirmed"
	Returned  Status = "returned"
	Voided    Status = "voided"
)

// Statuses lists every Status.
var Statuses = []Status{Pending, Confirmed, Returned, Voided}

// beijing is the clock of record days and pledge periods.
var beijing = time.FixedZone("CST", 8*3600)

// Service reads and writes the duty tables.
type Service struct {
	db     *pgxpool.Pool
	photos objectstore.Store // nil: photos' bytes in their rows
	now    func() time.Time
}

// NewService returns a Service on db, keeping photos and scans in photos (nil: in their rows).
func NewService(db *pgxpool.Pool, photos objectstore.Store) *Service {
	return &Service{db: db, photos: photos, now: time.Now}
}

// WithClock returns a copy that takes the time from now: tests and the demo write a year of history.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// today is the Beijing date of now, at midnight UTC, as PostgreSQL dates scan.
func (s *Service) today() time.Time { return beijingDay(s.now()) }

func beijingDay(t time.Time) time.Time {
	y, m, d := t.In(beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// readsAll says whether who reads every member and record.
func readsAll(who access.Principal) bool {
	return who.Role == access.Admin || who.Role == access.DistrictLeader || who.Role == access.Assessor
}

// memberPredicate is who may read member m (aliased m), appending its arguments to args.
func memberPredicate(who access.Principal, args []any) (string, []any) {
	switch {
	case readsAll(who):
		return "TRUE", args
	case who.Role == access.StreetChief || who.Role == access.LaneChief:
		return who.Scope.Predicate("m.subdistrict_id", "m.community_id", args)
	case who.Role == access.Participant && who.PersonID != 0:
		args = append(args, who.PersonID)
		return fmt.Sprintf("m.person_id = $%d", len(args)), args
	}
	return "FALSE", args
}

// place is where a member belongs, for the permission rules.
type place struct {
	personID, subdistrictID, communityID int64
}

// registers says whether who may register members, end them and record their pledges there.
func registers(who access.Principal, p place) bool {
	switch who.Role {
	case access.Admin:
		return true
	case access.StreetChief, access.LaneChief:
		return p.communityID != 0 && who.Scope.InScope(p.subdistrictID, p.communityID)
	}
	return false
}

// enters says whether who may enter a duty record for the member: the member themselves, the lane
// chief of their community, or an admin.
func enters(who access.Principal, p place) bool {
	switch who.Role {
	case access.Admin:
		return true
	case access.LaneChief:
		return p.communityID != 0 && slices.Contains(who.Scope.Communities, p.communityID)
	case access.Participant:
		return who.PersonID != 0 && who.PersonID == p.personID
	}
	return false
}

// confirms says whether who may confirm or return the member's records: the community's lane chief
// or an admin, never the member themselves.
func confirms(who access.Principal, p place) bool {
	if who.PersonID != 0 && who.PersonID == p.personID {
		return false
	}
	switch who.Role {
	case access.Admin:
		return true
	case access.LaneChief:
		return p.communityID != 0 && slices.Contains(who.Scope.Communities, p.communityID)
	}
	return false
}

// evaluates says whether who may evaluate a party member: an admin, or the street or lane chief in
// whose scope the member's community lies; never the member.
func evaluates(who access.Principal, p place) bool {
	return (who.PersonID == 0 || who.PersonID != p.personID) && registers(who, p)
}

func (s *Service) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.db.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// translate turns the database's refusals into errors a person can act on.
func translate(err error, what string) error {
	return database.Refused(err, what, nil)
}

func invalid(field, format string, args ...any) error {
	return apperr.New(apperr.Invalid, format, args...).With("field", field)
}

func checkText(field, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return invalid(field, "%s is %d characters; at most %d", field, n, max)
	}
	return nil
}

// CheckReason checks the reason of a return, a void, an end or a revision.
func CheckReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", invalid("reason", "a reason is required")
	}
	return reason, checkText("reason", reason, 1000)
}

// ParseDay reads a Beijing date (YYYY-MM-DD) from outside.
func ParseDay(field, s string) (time.Time, error) {
	d, err := time.Parse(time.DateOnly, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, invalid(field, "%s %q is not a date (YYYY-MM-DD)", field, clip(s, 40))
	}
	if d.Year() < 2000 || d.Year() > 2100 {
		return time.Time{}, invalid(field, "%s must lie between the years 2000 and 2100", field)
	}
	return d, nil
}

// ParseYear reads a year from outside (0 when empty: this year).
func (s *Service) ParseYear(raw string) (int, error) {
	if raw == "" {
		return s.today().Year(), nil
	}
	var y int
	if _, err := fmt.Sscan(raw, &y); err != nil || fmt.Sprint(y) != raw || y < 2000 || y > 2100 {
		return 0, apperr.New(apperr.Malformed, "year %q is not a year between 2000 and 2100", clip(raw, 20)).With("field", "year")
	}
	return y, nil
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// Today is the Beijing date now, as the service's clock tells it.
func (s *Service) Today() time.Time { return s.today() }
