// Package volunteers keeps the district's volunteer services (志愿服务): the organisations it buys them
// from, their contracts and the payments under them, the volunteers and their activities, and the totals
// per community and month. It owns the volunteer_* tables; a payment is booked in the funds ledger
// through funds.Post in the same transaction. It reads admin units through the registry's unit_directory
// view only and never imports the HTTP layer.
package volunteers

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
	"streetchief/internal/objectstore"
)

// Service reads and records volunteer services.
type Service struct {
	db     *pgxpool.Pool
	photos objectstore.Store // nil: photos' bytes in their rows
	now    func() time.Time
}

// NewService returns a Service on db, keeping photos in photos (nil: in their rows).
func NewService(db *pgxpool.Pool, photos objectstore.Store) *Service {
	return &Service{db: db, photos: photos, now: time.Now}
}

// WithClock returns a copy of s that takes now as the present, for tests.
func (s *Service) WithClock(now func() time.Time) *Service {
	c := *s
	c.now = now
	return &c
}

// beijing is the time zone of days and months here: an activity at 23:30 on the 31st is that month's.
var beijing = time.FixedZone("CST", 8*3600)

// ActivityKind is what an activity did.
type ActivityKind string

// ActivityKinds lists the kinds; volunteer_activity's CHECK allows exactly these (tested).
var ActivityKinds = []ActivityKind{"environment", "civility", "traffic", "elderly_care", "publicity", "other"}

// ParseActivityKind checks a kind from outside.
func ParseActivityKind(s string) (ActivityKind, error) {
	if k := ActivityKind(s); slices.Contains(ActivityKinds, k) {
		return k, nil
	}
	names := make([]string, len(ActivityKinds))
	for i, k := range ActivityKinds {
		names[i] = string(k)
	}
	return "", invalid("kind", "kind %q is not one of %s", s, strings.Join(names, ", "))
}

// reads: the whole district for admins and district leaders, their scope for street and lane chiefs.
func reads(who access.Principal) error {
	switch who.Role {
	case access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief:
		return nil
	}
	return apperr.New(apperr.Forbidden, "volunteer services are read by admins, district leaders and the street and lane chiefs of their area")
}

// records: volunteers and activities are recorded by an admin or by the community's own chiefs.
func records(who access.Principal, subdistrictID, communityID int64) error {
	switch who.Role {
	case access.Admin:
		return nil
	case access.StreetChief, access.LaneChief:
		if who.Scope.InScope(subdistrictID, communityID) {
			return nil
		}
		return apperr.New(apperr.Forbidden, "community %d is not in your area", communityID).With("field", "community_id")
	}
	return apperr.New(apperr.Forbidden, "volunteers and activities are recorded by an admin or the community's lane or street chief")
}

// manages: organisations, contracts and payments are the district's finance side.
func manages(who access.Principal) error {
	if who.Role == access.Admin || who.Role == access.DistrictLeader {
		return nil
	}
	return apperr.New(apperr.Forbidden, "organisations, contracts and payments are kept by an admin or a district leader")
}

func invalid(field, format string, args ...any) error {
	return apperr.New(apperr.Invalid, format, args...).With("field", field)
}

// text checks a free text: valid, at most max characters, and (required) not blank.
func text(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return s, invalid(field, "%s is at most %d characters of text", field, max)
	}
	if required && s == "" {
		return s, invalid(field, "%s is required", field)
	}
	return s, nil
}

// checkPhone keeps what a phone number may hold; the CHECK says the same.
func checkPhone(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > 30 || strings.Trim(s, "0123456789+- ") != "" {
		return s, invalid(field, "%s is digits, spaces, + and - (at most 30)", field)
	}
	return s, nil
}

// Date is a calendar day in Beijing, written YYYY-MM-DD.
type Date struct{ time.Time }

// ParseDate reads YYYY-MM-DD.
func ParseDate(field, s string) (Date, error) {
	t, err := time.ParseInLocation(time.DateOnly, s, beijing)
	if err != nil || t.Year() < 2000 || t.Year() > 2100 {
		return Date{}, invalid(field, "%s %q is not a date YYYY-MM-DD between 2000 and 2100", field, truncate(s, 20))
	}
	return Date{t}, nil
}

func (d Date) String() string { return d.Format(time.DateOnly) }

// MarshalJSON writes the day.
func (d Date) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

func dateOf(t time.Time) Date {
	y, m, d := t.In(beijing).Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, beijing)}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// translate turns the database's refusals into errors a person can act on.
func translate(err error, what string) error {
	return database.Refused(err, what, nil)
}

// UnmarshalJSON reads YYYY-MM-DD.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return apperr.New(apperr.Malformed, "a date is a string YYYY-MM-DD")
	}
	v, err := ParseDate("date", s)
	if err != nil {
		return &apperr.Error{Code: apperr.Malformed, Message: apperr.Message(err)}
	}
	*d = v
	return nil
}
