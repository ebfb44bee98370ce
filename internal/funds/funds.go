// Package funds keeps the ledger of the money that follows the responsibility system: each
// subdistrict's yearly civilised-city work funds, the assessment's rewards and penalties, and the
// district's volunteer-service budget, each borne by city or district finance. It owns funds_entry
// and funds_standing; entries are only ever added — a wrong one is corrected by another — so every
// yuan can be traced. It reads admin units through the registry's unit_directory view only and
// imports no domain package: the assessment calls Post inside its own transaction.
package funds

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// Fund is the pot an entry belongs to.
type Fund string

const (
	CivilisedCity    Fund = "civilised_city"    // 创建文明城市工作经费, per subdistrict
	VolunteerService Fund = "volunteer_service" // 志愿服务经费, district-wide
)

// Funds lists the funds; funds_entry's CHECK allows exactly these.
var Funds = []Fund{CivilisedCity, VolunteerService}

// Payer is the finance that bears an entry.
type Payer string

const (
	City     Payer = "city"
	District Payer = "district"
)

// Payers lists the payers; funds_entry's CHECK allows exactly these.
var Payers = []Payer{City, District}

// Kind is what an entry does to a balance.
type Kind string

const (
	Allocation Kind = "allocation" // money granted (positive)
	Reward     Kind = "reward"     // an assessment reward (positive)
	Penalty    Kind = "penalty"    // an assessment penalty (negative)
	Spending   Kind = "spending"   // money spent (negative)
	Correction Kind = "correction" // the difference to what an earlier entry should have been
)

// Kinds lists the kinds; funds_entry's CHECK allows exactly these.
var Kinds = []Kind{Allocation, Reward, Penalty, Spending, Correction}

// Source types say what booked an entry. Other modules name their own record types (the assessment
// its outcomes); funds_entry's CHECK allows any identifier of at most 40 lowercase letters and
// underscores, as CheckSourceType does.
const (
	SourceStanding   = "standing_allocation" // Allocate; source_id is the funds_standing row's from_year
	SourceManual     = "manual"              // booked by hand with a reason
	SourceAssessment = "assessment_outcome"  // a published assessment outcome; source_id its id
	SourceCorrection = "correction"          // Correct
	SourceVolunteer  = "volunteer_payment"   // internal/volunteers: a payment under a contract, or its void; source_id the payment's id
)

var sourceType = regexp.MustCompile(`^([a-z][a-z_]{0,39})?$`)

// CheckSourceType refuses a source type that is not an identifier ("" is none).
func CheckSourceType(s string) error {
	if !sourceType.MatchString(s) {
		return apperr.New(apperr.Invalid, "source_type %q is not an identifier of at most 40 lowercase letters and underscores", truncate(s, 40)).With("field", "source_type")
	}
	return nil
}

// Bounds of what the ledger accepts.
const (
	MaxFen         = 100_000_000 * 100 // |amount| ≤ 100,000,000 yuan
	MaxReasonRunes = 500
	FirstYear      = 2000
	LastYear       = 2100
)

func parseEnum[T ~string](field, s string, list []T) (T, error) {
	if v := T(s); slices.Contains(list, v) {
		return v, nil
	}
	names := make([]string, len(list))
	for i, v := range list {
		names[i] = string(v)
	}
	return "", apperr.New(apperr.Invalid, "%s %q is not one of %s", field, s, strings.Join(names, ", ")).With("field", field)
}

// ParseFund, ParsePayer and ParseKind check names from outside.
func ParseFund(s string) (Fund, error)   { return parseEnum("fund", s, Funds) }
func ParsePayer(s string) (Payer, error) { return parseEnum("payer", s, Payers) }
func ParseKind(s string) (Kind, error)   { return parseEnum("kind", s, Kinds) }

// CheckYear refuses a year outside the ledger's range.
func CheckYear(year int) error {
	if year < FirstYear || year > LastYear {
		return apperr.New(apperr.Invalid, "year %d is not between %d and %d", year, FirstYear, LastYear).With("field", "year")
	}
	return nil
}

// Amount is money in fen (hundredths of a yuan). It is written to JSON as a number of yuan with
// exactly two decimals, so 250000 yuan is 250000.00 and no float ever rounds it.
type Amount int64

func (a Amount) String() string {
	sign, v := "", int64(a)
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// MarshalJSON writes the yuan with two decimals.
func (a Amount) MarshalJSON() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalJSON reads yuan given as a JSON number or a decimal string, exactly (see ParseYuan).
func (a *Amount) UnmarshalJSON(b []byte) error {
	s := string(b)
	if strings.HasPrefix(s, `"`) {
		var str string
		if err := json.Unmarshal(b, &str); err != nil {
			return apperr.New(apperr.Malformed, "yuan is a number or a decimal string").With("field", "yuan")
		}
		s = str
	}
	v, err := ParseYuan(s)
	if ae, ok := err.(*apperr.Error); ok {
		// Malformed passes through the JSON decoder's error mapping with its message and field.
		return &apperr.Error{Code: apperr.Malformed, Message: ae.Message, Fields: ae.Fields}
	}
	*a = v
	return nil
}

// ParseYuan reads a decimal number of yuan with at most two decimals and no exponent, bounded by
// MaxFen, without passing through a float: "0.1" is 10 fen, never 9.999….
func ParseYuan(s string) (Amount, error) {
	bad := func(why string) (Amount, error) {
		return 0, apperr.New(apperr.Invalid, "yuan %q %s", truncate(s, 40), why).With("field", "yuan")
	}
	t := s
	neg := strings.HasPrefix(t, "-")
	if neg {
		t = t[1:]
	}
	whole, frac, dot := strings.Cut(t, ".")
	if whole == "" || (dot && frac == "") || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return bad("is not a decimal number of yuan (digits, at most two decimals, no exponent)")
	}
	if len(frac) > 2 {
		return bad("has more than two decimals")
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 9 {
		return bad(fmt.Sprintf("is over %d yuan", MaxFen/100))
	}
	w, _ := strconv.ParseInt("0"+whole, 10, 64)
	f, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
	v := w*100 + f
	if v > MaxFen {
		return bad(fmt.Sprintf("is over %d yuan", MaxFen/100))
	}
	if neg {
		v = -v
	}
	return Amount(v), nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// readScope is the subdistricts whose entries who may read: nil for the whole ledger (admin,
// district leader, assessor), a street chief their own subdistricts and nothing district-wide.
func readScope(who access.Principal) ([]int64, error) {
	switch who.Role {
	case access.Admin, access.DistrictLeader, access.Assessor:
		return nil, nil
	case access.StreetChief:
		return append([]int64{}, who.Scope.Subdistricts...), nil
	}
	return nil, apperr.New(apperr.Forbidden, "the funds ledger is for the district's leaders, assessors and each subdistrict's street chief")
}

// mayBook: only the district's finance side (admin, district leader) books entries.
func mayBook(who access.Principal) error {
	if who.Role == access.Admin || who.Role == access.DistrictLeader {
		return nil
	}
	return apperr.New(apperr.Forbidden, "funds entries are booked by an admin or a district leader")
}

// translate turns the database's refusals into errors a person can act on.
func translate(err error, what string) error {
	return database.Refused(err, what, nil)
}
