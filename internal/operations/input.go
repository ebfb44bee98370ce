package operations

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/jsonlist"
	"streetchief/internal/registry"
)

// Limits of one operation. 1,000 target shops is a whole subdistrict's street frontage; the other
// lists are far above what one day's operation deals with.
const (
	MaxTitleChars    = 200
	MaxBriefingChars = 4000
	MaxNotesChars    = 4000
	MaxReasonChars   = 1000
	MaxDepartments   = 20
	MaxPeople        = 200
	MaxAreas         = 500
	MaxMerchants     = 1000
	MaxIncidents     = 500
	MaxDuration      = 7 * 24 * time.Hour
)

// PersonInput is one person taking part.
type PersonInput struct {
	PersonID int64 `json:"person_id"`
	Role     Role  `json:"role"`
}

// Fields is an operation as a client sends it, lists capped while decoding.
type Fields struct {
	Title         string                       `json:"title"`
	Kind          Kind                         `json:"kind"`
	SubdistrictID int64                        `json:"subdistrict_id"`
	StartsAt      *time.Time                   `json:"starts_at"`
	EndsAt        *time.Time                   `json:"ends_at"`
	Briefing      string                       `json:"briefing"`
	DepartmentIDs jsonlist.Capped[int64]       `json:"department_ids"`
	People        jsonlist.Capped[PersonInput] `json:"people"`
	TargetArea    json.RawMessage              `json:"target_area,omitempty"` // a GeoJSON Polygon or MultiPolygon
	AreaIDs       jsonlist.Capped[int64]       `json:"area_ids"`
	MerchantIDs   jsonlist.Capped[int64]       `json:"merchant_ids"`
	IncidentIDs   jsonlist.Capped[int64]       `json:"incident_ids"`
	// Outcome comes with an operation entered after it took place.
	Outcome *OutcomeFields `json:"outcome,omitempty"`
}

// Input is a checked operation, ready to store.
type Input struct {
	Title         string
	Kind          Kind
	SubdistrictID int64
	StartsAt      time.Time
	EndsAt        time.Time
	Briefing      string
	DepartmentIDs []int64
	People        []PersonInput
	TargetArea    orb.MultiPolygon // nil: none drawn
	AreaIDs       []int64
	MerchantIDs   []int64
	IncidentIDs   []int64
	Outcome       *OutcomeInput
}

func newFields() Fields {
	return Fields{
		DepartmentIDs: jsonlist.Capped[int64]{Max: MaxDepartments, Field: "department_ids"},
		People:        jsonlist.Capped[PersonInput]{Max: MaxPeople, Field: "people"},
		AreaIDs:       jsonlist.Capped[int64]{Max: MaxAreas, Field: "area_ids"},
		MerchantIDs:   jsonlist.Capped[int64]{Max: MaxMerchants, Field: "merchant_ids"},
		IncidentIDs:   jsonlist.Capped[int64]{Max: MaxIncidents, Field: "incident_ids"},
	}
}

// DecodeCreate reads an operation to create from JSON and checks its fields (not yet the database's
// facts: whether the departments, people and targets exist and lie in the subdistrict).
func DecodeCreate(body []byte) (Input, error) {
	f := newFields()
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return Input{}, err
	}
	return f.check()
}

func (f Fields) check() (Input, error) {
	in := Input{Title: strings.TrimSpace(f.Title), Kind: f.Kind, SubdistrictID: f.SubdistrictID, Briefing: f.Briefing,
		DepartmentIDs: unique(f.DepartmentIDs.Items), AreaIDs: unique(f.AreaIDs.Items),
		MerchantIDs: unique(f.MerchantIDs.Items), IncidentIDs: unique(f.IncidentIDs.Items)}
	if in.Title == "" {
		return in, invalid("title", "title is required")
	}
	if err := checkText("title", in.Title, MaxTitleChars); err != nil {
		return in, err
	}
	if err := checkText("briefing", in.Briefing, MaxBriefingChars); err != nil {
		return in, err
	}
	if in.Kind == "" {
		in.Kind = Planned
	}
	if !slices.Contains(Kinds, in.Kind) {
		return in, invalid("kind", "kind %q is not planned or short_notice", in.Kind)
	}
	if in.SubdistrictID <= 0 {
		return in, invalid("subdistrict_id", "subdistrict_id is required")
	}
	if f.StartsAt == nil || f.EndsAt == nil {
		return in, invalid("starts_at", "starts_at and ends_at are required (RFC 3339)")
	}
	in.StartsAt, in.EndsAt = *f.StartsAt, *f.EndsAt
	if err := checkTimes(in.StartsAt, in.EndsAt); err != nil {
		return in, err
	}
	if len(in.DepartmentIDs) == 0 {
		return in, invalid("department_ids", "name at least one department taking part")
	}
	if err := positive(in.DepartmentIDs, in.AreaIDs, in.MerchantIDs, in.IncidentIDs); err != nil {
		return in, err
	}
	var err error
	if in.People, err = checkPeople(f.People.Items); err != nil {
		return in, err
	}
	if len(f.TargetArea) > 0 && string(f.TargetArea) != "null" {
		if in.TargetArea, err = registry.DecodePolygonal(f.TargetArea); err != nil {
			return in, err
		}
	}
	if in.TargetArea == nil && len(in.AreaIDs) == 0 && len(in.MerchantIDs) == 0 && len(in.IncidentIDs) == 0 {
		return in, invalid("target_area", "name a target: a drawn target_area, area_ids, merchant_ids or incident_ids")
	}
	if f.Outcome != nil {
		o, err := f.Outcome.check()
		if err != nil {
			return in, err
		}
		in.Outcome = &o
	}
	return in, nil
}

func checkTimes(from, to time.Time) error {
	if from.Year() < 2000 || from.Year() > 2100 || to.Year() < 2000 || to.Year() > 2100 {
		return invalid("starts_at", "starts_at and ends_at must lie between the years 2000 and 2100")
	}
	if !to.After(from) {
		return invalid("ends_at", "ends_at (%s) must come after starts_at (%s)", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	if to.Sub(from) > MaxDuration {
		return invalid("ends_at", "an operation lasts at most 7 days; plan a longer campaign as several")
	}
	return nil
}

func checkPeople(ps []PersonInput) ([]PersonInput, error) {
	seen := map[int64]bool{}
	out := make([]PersonInput, 0, len(ps))
	for _, p := range ps {
		if p.PersonID <= 0 {
			return nil, invalid("people", "people: person_id %d is not an id", p.PersonID)
		}
		if p.Role == "" {
			p.Role = Member
		}
		if !slices.Contains(Roles, p.Role) {
			return nil, invalid("people", "people: role %q is not commander or member", p.Role)
		}
		if seen[p.PersonID] {
			return nil, invalid("people", "people: person %d is named twice", p.PersonID)
		}
		seen[p.PersonID] = true
		out = append(out, p)
	}
	return out, nil
}

// positive checks the id lists in the order department_ids, area_ids, merchant_ids, incident_ids.
func positive(lists ...[]int64) error {
	names := []string{"department_ids", "area_ids", "merchant_ids", "incident_ids"}
	for i, l := range lists {
		for _, id := range l {
			if id <= 0 {
				return invalid(names[i], "%s: %d is not an id", names[i], id)
			}
		}
	}
	return nil
}

func checkText(field, s string, max int) error {
	if n := utf8.RuneCountInString(s); n > max {
		return invalid(field, "%s is %d characters; at most %d", field, n, max)
	}
	return nil
}

func invalid(field, format string, args ...any) error {
	return apperr.New(apperr.Invalid, format, args...).With("field", field)
}

func unique(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// decodePhotos reads base64 photos (a data: URL prefix is allowed) and checks them as incidents do.
func decodePhotos(items []string) ([]incidents.Photo, error) {
	raw, err := incidents.DecodePhotos(items)
	if err != nil {
		return nil, err
	}
	return incidents.CheckPhotos(raw)
}
