package merchants

import (
	"crypto/sha256"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/jsonlist"
	"streetchief/internal/registry"
)

// The three duties of 门前三包, as the items of a pledge and of an inspection's results.
const (
	ItemSanitation = "sanitation" // 包卫生
	ItemOrder      = "order"      // 包秩序
	ItemGreenery   = "greenery"   // 包绿化
)

// PledgeItems are the three duties of 门前三包 in the order they are shown, as merchant_pledge.items
// spells them: 包卫生 (the pavement clean), 包秩序 (no goods, stalls or parking on it), 包绿化 (the trees
// and beds kept).
var PledgeItems = []string{ItemSanitation, ItemOrder, ItemGreenery}

// Limits of an inspection from the field.
const (
	// MaxAccuracyMetres refuses a fix that says nothing about where the inspector stood: 500 m is a
	// poor phone indoors; 5 km is a cell-tower guess.
	MaxAccuracyMetres = 500
	// MaxClockSkew is how far in the future a phone's clock may put an inspection.
	MaxClockSkew = 5 * time.Minute
	// MaxInspectionAge is how long after the fact an offline phone may still send an inspection.
	MaxInspectionAge = 30 * 24 * time.Hour
	MaxNote          = 2000
)

// ItemResult is the finding on one pledge item: ok, or a violation of an incident category.
type ItemResult struct {
	Item     string `json:"item"`
	OK       bool   `json:"ok"`
	Category string `json:"category,omitempty"`
}

// InspectionFields are an inspection as it arrives, before any check.
type InspectionFields struct {
	MerchantID int64                       `json:"merchant_id"`
	At         string                      `json:"at"`
	Lon        *float64                    `json:"lon"`
	Lat        *float64                    `json:"lat"`
	CRS        string                      `json:"crs,omitempty"`
	AccuracyM  *float64                    `json:"accuracy_m"`
	Results    jsonlist.Capped[ItemResult] `json:"results"`
	Refused    bool                        `json:"refused"`
	Note       string                      `json:"note"`
	Photos     jsonlist.Capped[string]     `json:"photos,omitempty"` // base64, JSON only
}

// NewInspectionFields returns empty fields with their lists capped.
func NewInspectionFields() InspectionFields {
	return InspectionFields{Results: jsonlist.Capped[ItemResult]{Max: len(PledgeItems), Field: "results"},
		Photos: jsonlist.Capped[string]{Max: incidents.MaxPhotos, Field: "photos"}}
}

// InspectionInput is a checked inspection, ready to locate and store. Point is WGS-84.
type InspectionInput struct {
	MerchantID int64
	At         time.Time
	Point      orb.Point
	AccuracyM  float64
	Results    []ItemResult
	Refused    bool
	Note       string
	Photos     []incidents.Photo
	digest     [32]byte
}

// Violations are the results that found something wrong.
func (in InspectionInput) Violations() []ItemResult {
	var out []ItemResult
	for _, r := range in.Results {
		if !r.OK {
			out = append(out, r)
		}
	}
	return out
}

// DecodeInspectionJSON reads a JSON inspection, refusing unknown fields, and checks it at now.
func DecodeInspectionJSON(body []byte, now time.Time) (InspectionInput, error) {
	f := NewInspectionFields()
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return InspectionInput{}, err
	}
	raw, err := incidents.DecodePhotos(f.Photos.Items)
	if err != nil {
		return InspectionInput{}, err
	}
	return f.Input(raw, now)
}

// Input checks the fields and the photo bytes that came with them (from JSON or multipart) at now.
func (f InspectionFields) Input(photos [][]byte, now time.Time) (InspectionInput, error) {
	in := InspectionInput{MerchantID: f.MerchantID, Refused: f.Refused, Note: strings.TrimSpace(f.Note)}
	if f.MerchantID <= 0 {
		return in, apperr.New(apperr.Invalid, "merchant_id is required").With("field", "merchant_id")
	}
	at, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(f.At))
	if err != nil {
		return in, apperr.New(apperr.Invalid, "at %q is not an RFC 3339 time such as 2026-11-05T09:30:00+08:00", f.At).With("field", "at")
	}
	switch {
	case at.After(now.Add(MaxClockSkew)):
		return in, apperr.New(apperr.Invalid, "at %s is in the future (the server's clock says %s); check the phone's clock",
			at.Format(time.RFC3339), now.UTC().Format(time.RFC3339)).With("field", "at")
	case at.Before(now.Add(-MaxInspectionAge)):
		return in, apperr.New(apperr.Invalid, "at %s is more than %d days ago; an inspection must be sent within %d days",
			at.Format(time.RFC3339), int(MaxInspectionAge.Hours()/24), int(MaxInspectionAge.Hours()/24)).With("field", "at")
	}
	in.At = at.UTC().Round(time.Microsecond)
	if f.Lon == nil || f.Lat == nil {
		return in, apperr.New(apperr.Invalid, "lon and lat (where the inspector stood) are required").With("field", "lon")
	}
	if err := checkLonLat(*f.Lon, *f.Lat); err != nil {
		return in, err
	}
	crs := geo.WGS84
	if f.CRS != "" {
		if crs, err = geo.ParseCRS(f.CRS); err != nil {
			return in, apperr.New(apperr.Invalid, "crs %q is not one of wgs84, cgcs2000, gcj02, bd09", f.CRS).With("field", "crs")
		}
	}
	in.Point = geo.ToWGS84(orb.Point{*f.Lon, *f.Lat}, crs)
	if err := checkLonLat(in.Point[0], in.Point[1]); err != nil {
		return in, err
	}
	if f.AccuracyM == nil {
		return in, apperr.New(apperr.Invalid, "accuracy_m (the GPS fix's accuracy in metres) is required").With("field", "accuracy_m")
	}
	switch acc := *f.AccuracyM; {
	case math.IsNaN(acc) || math.IsInf(acc, 0) || acc < 0:
		return in, apperr.New(apperr.Invalid, "accuracy_m must be a number of metres, 0 or more").With("field", "accuracy_m")
	case acc > MaxAccuracyMetres:
		return in, apperr.New(apperr.Invalid, "accuracy_m is %g m: a fix that rough cannot say whether the inspector was at the shop (at most %d m); wait for a better fix",
			acc, MaxAccuracyMetres).With("field", "accuracy_m")
	}
	in.AccuracyM = *f.AccuracyM
	if in.Results, err = checkResults(f.Results.Items); err != nil {
		return in, err
	}
	if in.Refused && len(in.Violations()) == 0 {
		return in, apperr.New(apperr.Invalid, "refused says the shopkeeper refused to correct a violation; record the violation").With("field", "refused")
	}
	if err := registry.CheckText("note", in.Note, MaxNote); err != nil {
		return in, err
	}
	if in.Photos, err = incidents.CheckPhotos(photos); err != nil {
		return in, err
	}
	in.digest = digest(f, in, crs)
	return in, nil
}

func checkResults(rs []ItemResult) ([]ItemResult, error) {
	if len(rs) == 0 {
		return nil, apperr.New(apperr.Invalid, "results: give the finding for each pledge item (%s)", strings.Join(PledgeItems, ", ")).With("field", "results")
	}
	out := make([]ItemResult, 0, len(rs))
	for i, r := range rs {
		r.Item, r.Category = strings.TrimSpace(r.Item), strings.TrimSpace(r.Category)
		switch {
		case !slices.Contains(PledgeItems, r.Item):
			return nil, apperr.New(apperr.Invalid, "results[%d]: item %q is not one of %s", i, r.Item, strings.Join(PledgeItems, ", ")).With("field", "results")
		case slices.ContainsFunc(out, func(o ItemResult) bool { return o.Item == r.Item }):
			return nil, apperr.New(apperr.Invalid, "results[%d]: item %q is given twice", i, r.Item).With("field", "results")
		case r.OK && r.Category != "":
			return nil, apperr.New(apperr.Invalid, "results[%d]: item %q is ok, so it takes no category", i, r.Item).With("field", "results")
		case !r.OK && r.Category == "":
			return nil, apperr.New(apperr.Invalid, "results[%d]: a violation of %q needs its incident category", i, r.Item).With("field", "results")
		case len(r.Category) > 64 || strings.ContainsFunc(r.Category, func(c rune) bool { return c < 0x21 || c > 0x7e }):
			return nil, apperr.New(apperr.Invalid, "results[%d]: unknown category %q", i, r.Category).With("field", "results")
		}
		out = append(out, r)
	}
	return out, nil
}

// digest identifies the inspection's content, so that a resend with the same key is recognised
// whichever encoding carried it, and another inspection under that key is not.
func digest(f InspectionFields, in InspectionInput, crs geo.CRS) [32]byte {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s\x00%s\x00%t\x00%s\x00", in.MerchantID, in.At.Format(time.RFC3339Nano),
		strconv.FormatFloat(*f.Lon, 'g', -1, 64), strconv.FormatFloat(*f.Lat, 'g', -1, 64), crs,
		strconv.FormatFloat(in.AccuracyM, 'g', -1, 64), in.Refused, in.Note)
	for _, r := range in.Results {
		fmt.Fprintf(h, "%s\x00%t\x00%s\x00", r.Item, r.OK, r.Category)
	}
	for _, p := range in.Photos {
		h.Write(p.SHA256[:])
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func checkLonLat(lon, lat float64) error {
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return apperr.New(apperr.Invalid, "lon and lat must be finite numbers").With("field", "lon")
	}
	if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return apperr.New(apperr.Invalid, "position [%g, %g] is out of range (lon -180..180, lat -90..90)", lon, lat).With("field", "lon")
	}
	return nil
}
