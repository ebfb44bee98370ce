package merchants

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// Visit is what one person did at one shop on one Beijing day: one visit, however many inspections
// they recorded there that day (a morning round and an evening one are one visit with two records).
type Visit struct {
	MerchantID        int64  `json:"merchant_id"`
	MerchantName      string `json:"merchant_name"`
	InspectorPersonID int64  `json:"inspector_person_id,omitempty"`
	InspectorName     string `json:"inspector_name,omitempty"`
	Day               string `json:"day"`
	OffSite           bool   `json:"off_site"` // every standing record of it was off-site
	// Suspect: every standing record of it was judged suspect, so the visit proves nothing.
	Suspect    bool         `json:"suspect"`
	Violations int          `json:"violations"`
	Records    []Inspection `json:"records"`
}

// VisitFilter selects inspections; zero fields match everything in scope. From and To are Beijing
// dates, both inclusive.
type VisitFilter struct {
	MerchantID int64
	PersonID   int64
	From, To   string
	Limit      int // records; default 500, at most 5,000
}

// MaxVisitDays bounds one list.
const MaxVisitDays = 93

func (f VisitFilter) check(now time.Time) (from, to time.Time, err error) {
	today := now.In(incidents.Beijing).Format(time.DateOnly)
	if f.To == "" {
		f.To = today
	}
	if to, err = time.ParseInLocation(time.DateOnly, f.To, incidents.Beijing); err != nil {
		return from, to, apperr.New(apperr.Malformed, "to %q is not a date YYYY-MM-DD", f.To).With("field", "to")
	}
	if f.From == "" {
		from = to.AddDate(0, 0, -6)
	} else if from, err = time.ParseInLocation(time.DateOnly, f.From, incidents.Beijing); err != nil {
		return from, to, apperr.New(apperr.Malformed, "from %q is not a date YYYY-MM-DD", f.From).With("field", "from")
	}
	switch {
	case to.Before(from):
		return from, to, apperr.New(apperr.Invalid, "from %s is after to %s", f.From, f.To).With("field", "from")
	case to.Sub(from) > MaxVisitDays*24*time.Hour:
		return from, to, apperr.New(apperr.Invalid, "at most %d days in one list", MaxVisitDays).With("field", "from")
	case f.MerchantID < 0 || f.PersonID < 0 || f.Limit < 0:
		return from, to, apperr.New(apperr.Invalid, "merchant, person and limit must be positive").With("field", "merchant")
	}
	return from, to, nil
}

// Visits lists the inspections of shops in the caller's scope in the filter's days, newest day
// first, grouped into visits. Voided records are listed, marked, and count for nothing.
func (s *Store) Visits(ctx context.Context, who access.Principal, f VisitFilter) ([]Visit, error) {
	if !who.SignedIn() {
		return nil, apperr.New(apperr.Unauthorized, "sign in first")
	}
	from, to, err := f.check(inspectionNow())
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	switch {
	case limit == 0:
		limit = 500
	case limit > 5000:
		limit = 5000
	}
	args := []any{from.Format(time.DateOnly), to.Format(time.DateOnly), limit}
	conds := []string{"i.visit_day BETWEEN $1::date AND $2::date"}
	if f.MerchantID != 0 {
		args = append(args, f.MerchantID)
		conds = append(conds, fmt.Sprintf("i.merchant_id = $%d", len(args)))
	}
	if f.PersonID != 0 {
		args = append(args, f.PersonID)
		conds = append(conds, fmt.Sprintf("i.inspector_person_id = $%d", len(args)))
	}
	where, args := shopScopeSQL(who, "m", args)
	conds = append(conds, where)
	rows, err := s.db.Query(ctx, inspectionSelect+` WHERE `+strings.Join(conds, " AND ")+`
		ORDER BY i.visit_day DESC, i.merchant_id, i.inspector_person_id NULLS LAST, i.at, i.id LIMIT $3`, args...)
	if err != nil {
		return nil, inspectionTranslate(err, "inspections")
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Inspection, error) { return scanInspection(r) })
	if err != nil {
		return nil, inspectionTranslate(err, "inspections")
	}
	return groupVisits(list), nil
}

// groupVisits merges records of one shop, person and day, in the order given.
func groupVisits(list []Inspection) []Visit {
	out := []Visit{}
	standing := map[int]int{} // visit → standing records
	offSite, suspect := map[int]int{}, map[int]int{}
	for _, in := range list {
		k := len(out) - 1
		if k < 0 || out[k].MerchantID != in.MerchantID || out[k].InspectorPersonID != in.InspectorPersonID || out[k].Day != in.VisitDay ||
			in.InspectorPersonID == 0 {
			out = append(out, Visit{MerchantID: in.MerchantID, MerchantName: in.MerchantName, InspectorPersonID: in.InspectorPersonID,
				InspectorName: in.InspectorName, Day: in.VisitDay})
			k++
		}
		v := &out[k]
		v.Records = append(v.Records, in)
		if in.VoidedAt == nil {
			standing[k]++
			v.Violations += in.Violations
			if in.OffSite {
				offSite[k]++
			}
			if in.Suspect {
				suspect[k]++
			}
		}
	}
	for k := range out {
		out[k].OffSite = standing[k] > 0 && offSite[k] == standing[k]
		out[k].Suspect = standing[k] > 0 && suspect[k] == standing[k]
	}
	return out
}
