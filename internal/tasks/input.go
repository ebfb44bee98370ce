package tasks

import (
	"encoding/json"
	"math"
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

// Limits of one task. A district has a handful of subdistricts and each a dozen communities; the
// lists are far above what one task names.
const (
	MaxOfficeChars   = 200
	MaxTitleChars    = 200
	MaxBodyChars     = 4000
	MaxDoneWhenChars = 2000
	MaxItemChars     = 1000
	MaxReportChars   = 2000
	MaxReasonChars   = 1000
	MaxPointLabel    = 200
	MaxSubdistricts  = 100
	MaxAreas         = 500
	MaxPoints        = 200
	MaxItems         = 200
)

// PointInput is a place on the map a task names (a market, a river bank).
type PointInput struct {
	Label string  `json:"label"`
	Lon   float64 `json:"lon"`
	Lat   float64 `json:"lat"`
}

// IssueFields is a task as the issuer sends it.
type IssueFields struct {
	IssuerLevel     Level                       `json:"issuer_level"`
	IssuingOffice   string                      `json:"issuing_office"`
	Title           string                      `json:"title"`
	Body            string                      `json:"body"`
	DoneWhen        string                      `json:"done_when"`
	Deadline        *time.Time                  `json:"deadline"`
	SubdistrictIDs  jsonlist.Capped[int64]      `json:"subdistrict_ids"`
	AllSubdistricts bool                        `json:"all_subdistricts"`
	AreaIDs         jsonlist.Capped[int64]      `json:"area_ids"`
	Points          jsonlist.Capped[PointInput] `json:"points"`
	TargetArea      json.RawMessage             `json:"target_area,omitempty"` // a GeoJSON Polygon or MultiPolygon
	Photos          jsonlist.Capped[string]     `json:"photos"`
}

// Issue is a checked task, ready to store; the database's facts (subdistricts, areas, places) are
// checked when it is stored.
type Issue struct {
	IssuerLevel     Level
	IssuingOffice   string
	Title, Body     string
	DoneWhen        string
	Deadline        time.Time
	SubdistrictIDs  []int64
	AllSubdistricts bool
	AreaIDs         []int64
	Points          []PointInput
	TargetArea      orb.MultiPolygon
	Photos          []incidents.Photo
}

// DecodeIssue reads a task to issue from JSON and checks its fields.
func DecodeIssue(body []byte) (Issue, error) {
	f := IssueFields{
		SubdistrictIDs: jsonlist.Capped[int64]{Max: MaxSubdistricts, Field: "subdistrict_ids"},
		AreaIDs:        jsonlist.Capped[int64]{Max: MaxAreas, Field: "area_ids"},
		Points:         jsonlist.Capped[PointInput]{Max: MaxPoints, Field: "points"},
		Photos:         jsonlist.Capped[string]{Max: incidents.MaxPhotos, Field: "photos"},
	}
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return Issue{}, err
	}
	in := Issue{IssuerLevel: f.IssuerLevel, IssuingOffice: strings.TrimSpace(f.IssuingOffice), Title: strings.TrimSpace(f.Title),
		Body: f.Body, DoneWhen: strings.TrimSpace(f.DoneWhen), SubdistrictIDs: unique(f.SubdistrictIDs.Items),
		AllSubdistricts: f.AllSubdistricts, AreaIDs: unique(f.AreaIDs.Items)}
	if !slices.Contains(Levels, in.IssuerLevel) {
		return in, invalid("issuer_level", "issuer_level %q is not city or district", in.IssuerLevel)
	}
	for _, t := range []struct {
		field, s string
		max      int
	}{{"issuing_office", in.IssuingOffice, MaxOfficeChars}, {"title", in.Title, MaxTitleChars}, {"done_when", in.DoneWhen, MaxDoneWhenChars}} {
		if t.s == "" {
			return in, invalid(t.field, "%s is required", t.field)
		}
		if err := checkText(t.field, t.s, t.max); err != nil {
			return in, err
		}
	}
	if err := checkText("body", in.Body, MaxBodyChars); err != nil {
		return in, err
	}
	if f.Deadline == nil {
		return in, invalid("deadline", "deadline is required (RFC 3339)")
	}
	in.Deadline = *f.Deadline
	if err := checkYear("deadline", in.Deadline); err != nil {
		return in, err
	}
	if in.AllSubdistricts == (len(in.SubdistrictIDs) > 0) {
		return in, invalid("subdistrict_ids", "name the subdistricts the task goes to (subdistrict_ids), or all_subdistricts, not both")
	}
	for _, list := range []struct {
		field string
		ids   []int64
	}{{"subdistrict_ids", in.SubdistrictIDs}, {"area_ids", in.AreaIDs}} {
		for _, id := range list.ids {
			if id <= 0 {
				return in, invalid(list.field, "%s: %d is not an id", list.field, id)
			}
		}
	}
	for i, p := range f.Points.Items {
		p.Label = strings.TrimSpace(p.Label)
		if p.Label == "" {
			return in, invalid("points", "point %d needs a label", i+1)
		}
		if err := checkText("points", p.Label, MaxPointLabel); err != nil {
			return in, err
		}
		if err := checkLonLat("points", p.Lon, p.Lat); err != nil {
			return in, err
		}
		in.Points = append(in.Points, p)
	}
	var err error
	if len(f.TargetArea) > 0 && string(f.TargetArea) != "null" {
		if in.TargetArea, err = registry.DecodePolygonal(f.TargetArea); err != nil {
			return in, err
		}
	}
	in.Photos, err = decodePhotos(f.Photos.Items)
	return in, err
}

// ItemInput is one item of a break-down: for a community of the subdistrict, or (community_id 0)
// kept at subdistrict level.
type ItemInput struct {
	CommunityID int64      `json:"community_id"`
	Text        string     `json:"text"`
	Deadline    *time.Time `json:"deadline"`
}

// DecodeBreakDown reads the items a street chief splits their part into.
func DecodeBreakDown(body []byte) ([]ItemInput, error) {
	f := struct {
		Items jsonlist.Capped[ItemInput] `json:"items"`
	}{jsonlist.Capped[ItemInput]{Max: MaxItems, Field: "items"}}
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return nil, err
	}
	if len(f.Items.Items) == 0 {
		return nil, invalid("items", "name at least one item")
	}
	out := make([]ItemInput, 0, len(f.Items.Items))
	for i, it := range f.Items.Items {
		it.Text = strings.TrimSpace(it.Text)
		if it.Text == "" {
			return nil, invalid("items", "item %d needs its text", i+1)
		}
		if err := checkText("items", it.Text, MaxItemChars); err != nil {
			return nil, err
		}
		if it.CommunityID < 0 {
			return nil, invalid("items", "item %d: community_id %d is not an id", i+1, it.CommunityID)
		}
		if it.Deadline == nil {
			return nil, invalid("items", "item %d needs its deadline (RFC 3339)", i+1)
		}
		if err := checkYear("items", *it.Deadline); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// Report is progress on an item as checked: text, a percent or the claim that it is done, photos and
// where it was reported from.
type Report struct {
	Text      string
	Percent   *int
	Done      bool
	Photos    []incidents.Photo
	Position  *orb.Point
	AccuracyM *float64
}

// DecodeReport reads a progress report.
func DecodeReport(body []byte) (Report, error) {
	f := struct {
		Text      string                  `json:"text"`
		Percent   *int                    `json:"percent"`
		Done      bool                    `json:"done"`
		Photos    jsonlist.Capped[string] `json:"photos"`
		Lon       *float64                `json:"lon"`
		Lat       *float64                `json:"lat"`
		AccuracyM *float64                `json:"accuracy_m"`
	}{Photos: jsonlist.Capped[string]{Max: incidents.MaxPhotos, Field: "photos"}}
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return Report{}, err
	}
	r := Report{Text: strings.TrimSpace(f.Text), Percent: f.Percent, Done: f.Done, AccuracyM: f.AccuracyM}
	if err := checkText("text", r.Text, MaxReportChars); err != nil {
		return r, err
	}
	if r.Percent != nil && (*r.Percent < 0 || *r.Percent > 100) {
		return r, invalid("percent", "percent %d is not between 0 and 100", *r.Percent)
	}
	if r.Done && r.Percent != nil && *r.Percent != 100 {
		return r, invalid("percent", "an item reported done is at 100 percent, not %d", *r.Percent)
	}
	if r.Text == "" && r.Percent == nil && !r.Done {
		return r, invalid("text", "say what was done: text, percent or done")
	}
	if (f.Lon == nil) != (f.Lat == nil) {
		return r, invalid("lon", "give lon and lat together")
	}
	if f.Lon != nil {
		if err := checkLonLat("lon", *f.Lon, *f.Lat); err != nil {
			return r, err
		}
		r.Position = &orb.Point{*f.Lon, *f.Lat}
	}
	if r.AccuracyM != nil && (math.IsNaN(*r.AccuracyM) || *r.AccuracyM < 0 || *r.AccuracyM > 10000) {
		return r, invalid("accuracy_m", "accuracy_m is metres between 0 and 10000")
	}
	if r.AccuracyM != nil && r.Position == nil {
		return r, invalid("accuracy_m", "accuracy_m belongs to a position (lon, lat)")
	}
	var err error
	r.Photos, err = decodePhotos(f.Photos.Items)
	return r, err
}

// CheckReason checks the reason of a return, a cancellation or a deadline change.
func CheckReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return "", invalid("reason", "a reason is required")
	}
	return reason, checkText("reason", reason, MaxReasonChars)
}

func checkYear(field string, t time.Time) error {
	if t.Year() < 2000 || t.Year() > 2100 {
		return invalid(field, "%s must lie between the years 2000 and 2100", field)
	}
	return nil
}

func checkLonLat(field string, lon, lat float64) error {
	if math.IsNaN(lon) || math.IsNaN(lat) || lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return invalid(field, "%s: lon %v, lat %v is not a WGS-84 position", field, lon, lat)
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

// ParseState checks a state filter from outside ("" for any).
func ParseState(s string) (State, error) {
	if s == "" || slices.Contains(States, State(s)) {
		return State(s), nil
	}
	return "", apperr.New(apperr.Malformed, "state %q is not one of issued, broken_down, in_progress, claimed, done, cancelled", s).With("field", "state")
}
