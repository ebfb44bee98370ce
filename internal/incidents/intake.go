package incidents

import (
	"crypto/sha256"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/apperr"
	"streetchief/internal/jsonlist"
	"streetchief/internal/notify"
)

// MaxDescription is the longest description, in characters.
const MaxDescription = 4000

// MaxAddress is the longest address a reporter may give, in characters.
const MaxAddress = 500

// Bounds of a report's own time and fix, as a phone queues it while offline.
const (
	// MaxObservedSkew is how far ahead of the server a phone's clock may put observed_at.
	MaxObservedSkew = 5 * time.Minute
	// MaxObservedAge is how long after the fact a queued report may still say when it was seen; an
	// older one is refused rather than filed with a time nobody can check.
	MaxObservedAge = 7 * 24 * time.Hour
	// MaxAccuracyM bounds accuracy_m: beyond 10 km a "fix" says nothing of where the reporter stood.
	MaxAccuracyM = 10_000
)

// Intake is a checked report, ready to route and store. Point is WGS-84.
type Intake struct {
	Category    string
	Point       orb.Point
	Description string
	Photos      []Photo
	MediaURL    string // Open311 media_url: kept as a link, never fetched
	Address     string // Open311 address_string: what the reporter said, beside the point routed by
	Source      string // api or open311
	// Contact is where the reporter hears of their report (Channel "" when they left none).
	Contact notify.Address
	// ObservedAt is when the reporter saw it, by the device's clock (nil: not said); AccuracyM the
	// GPS fix's accuracy in metres (nil: not said). Report checks ObservedAt against its clock.
	ObservedAt *time.Time
	AccuracyM  *float64
	digest     [32]byte
}

// Digest identifies the intake's content: the same report sent twice has the same digest whatever the
// encoding (JSON, multipart or form) it came in, so an idempotent retry is recognised.
func (in Intake) Digest() [32]byte { return in.digest }

// IntakeFields are a report's fields as they arrive, before any check.
type IntakeFields struct {
	Category    string                  `json:"category"`
	Lon         *float64                `json:"lon"`
	Lat         *float64                `json:"lat"`
	CRS         string                  `json:"crs,omitempty"`
	Description string                  `json:"description"`
	Photos      jsonlist.Capped[string] `json:"photos,omitempty"` // base64, JSON only
	MediaURL    string                  `json:"-"`
	Address     string                  `json:"-"`
	// Contact is a phone number or an email where the reporter hears of the report (optional).
	Contact string `json:"contact,omitempty"`
	// ObservedAt (RFC 3339) and AccuracyM are the time and fix the report was made with on the
	// device, which may send it much later (optional).
	ObservedAt string   `json:"observed_at,omitempty"`
	AccuracyM  *float64 `json:"accuracy_m,omitempty"`
}

// DecodeIntakeJSON reads a JSON report, refusing unknown fields, and checks it.
func DecodeIntakeJSON(body []byte) (Intake, error) {
	f := IntakeFields{Photos: jsonlist.Capped[string]{Max: MaxPhotos, Field: "photos"}}
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return Intake{}, err
	}
	raw, err := DecodePhotos(f.Photos.Items)
	if err != nil {
		return Intake{}, err
	}
	return f.Intake(raw)
}

// stripDataURL accepts "data:image/jpeg;base64,…" as browsers produce it.
func stripDataURL(s string) string {
	if strings.HasPrefix(s, "data:") {
		if _, after, ok := strings.Cut(s, ","); ok {
			return after
		}
	}
	return s
}

// Intake checks the fields and the photo bytes that came with them (from JSON or multipart).
func (f IntakeFields) Intake(photos [][]byte) (Intake, error) {
	in := Intake{Category: strings.TrimSpace(f.Category), Description: strings.TrimSpace(f.Description), Source: "api"}
	if in.Category == "" {
		return in, apperr.New(apperr.Invalid, "category is required").With("field", "category")
	}
	if !categoryCode.MatchString(in.Category) {
		return in, apperr.New(apperr.Invalid, "unknown category %q", in.Category).With("field", "category")
	}
	if f.Lon == nil || f.Lat == nil {
		return in, apperr.New(apperr.Invalid, "lon and lat are required").With("field", "lon")
	}
	if err := checkLonLat(*f.Lon, *f.Lat); err != nil {
		return in, err
	}
	crs := geo.WGS84
	if f.CRS != "" {
		c, err := geo.ParseCRS(f.CRS)
		if err != nil {
			return in, apperr.New(apperr.Invalid, "crs %q is not one of wgs84, cgcs2000, gcj02, bd09", f.CRS).With("field", "crs")
		}
		crs = c
	}
	in.Point = geo.ToWGS84(orb.Point{*f.Lon, *f.Lat}, crs)
	if err := checkLonLat(in.Point[0], in.Point[1]); err != nil {
		return in, err
	}
	if !utf8.ValidString(in.Description) || strings.ContainsRune(in.Description, 0) {
		return in, apperr.New(apperr.Invalid, "description is not valid UTF-8 text").With("field", "description")
	}
	if n := utf8.RuneCountInString(in.Description); n > MaxDescription {
		return in, apperr.New(apperr.Invalid, "description is %d characters; at most %d", n, MaxDescription).With("field", "description")
	}
	if strings.TrimSpace(f.Contact) != "" {
		c, err := notify.ParseContact(f.Contact)
		if err != nil {
			return in, apperr.New(apperr.Invalid, "contact %q is neither an email address nor a mainland mobile number", f.Contact).With("field", "contact")
		}
		in.Contact = c
	}
	if f.MediaURL != "" {
		u, err := url.Parse(f.MediaURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(f.MediaURL) > 2000 {
			return in, apperr.New(apperr.Invalid, "media_url must be an http or https URL").With("field", "media_url")
		}
		in.MediaURL = f.MediaURL
	}
	if in.Address = strings.TrimSpace(f.Address); !utf8.ValidString(in.Address) || strings.ContainsRune(in.Address, 0) ||
		utf8.RuneCountInString(in.Address) > MaxAddress {
		return in, apperr.New(apperr.Invalid, "address must be valid text of at most %d characters", MaxAddress).With("field", "address")
	}
	if err := f.observation(&in); err != nil {
		return in, err
	}
	var err error
	if in.Photos, err = CheckPhotos(photos); err != nil {
		return in, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00", in.Category, strconv.FormatFloat(*f.Lon, 'g', -1, 64),
		strconv.FormatFloat(*f.Lat, 'g', -1, 64), crs, in.Description, in.MediaURL)
	if in.Address != "" { // only then, so the digests of reports without one stay as they were
		fmt.Fprintf(h, "%s\x00", in.Address)
	}
	if in.ObservedAt != nil || in.AccuracyM != nil { // likewise
		observed, acc := "", ""
		if in.ObservedAt != nil {
			observed = in.ObservedAt.Format(time.RFC3339Nano)
		}
		if in.AccuracyM != nil {
			acc = strconv.FormatFloat(*in.AccuracyM, 'g', -1, 64)
		}
		fmt.Fprintf(h, "observed\x00%s\x00%s\x00", observed, acc)
	}
	for _, p := range in.Photos {
		h.Write(p.SHA256[:])
	}
	copy(in.digest[:], h.Sum(nil))
	return in, nil
}

// observation checks the report's own time and fix as far as it can without a clock.
func (f IntakeFields) observation(in *Intake) error {
	if v := strings.TrimSpace(f.ObservedAt); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return apperr.New(apperr.Invalid, "observed_at %q is not an RFC 3339 time such as 2026-11-05T09:30:00+08:00", clipText(v, 40)).
				With("field", "observed_at")
		}
		t = t.UTC().Round(time.Microsecond)
		in.ObservedAt = &t
	}
	if f.AccuracyM != nil {
		acc := *f.AccuracyM
		if math.IsNaN(acc) || math.IsInf(acc, 0) || acc < 0 || acc > MaxAccuracyM {
			return apperr.New(apperr.Invalid, "accuracy_m must be a number of metres from 0 to %d", MaxAccuracyM).With("field", "accuracy_m")
		}
		acc = float64(float32(acc)) // as the real column keeps it, so the receipt and a later read agree
		in.AccuracyM = &acc
	}
	return nil
}

// checkObserved refuses an observed time ahead of now beyond a phone's clock skew, or older than a
// report may be queued.
func (in Intake) checkObserved(now time.Time) error {
	switch {
	case in.ObservedAt == nil:
		return nil
	case in.ObservedAt.After(now.Add(MaxObservedSkew)):
		return apperr.New(apperr.Invalid, "observed_at %s is in the future (the server's clock says %s); check the phone's clock",
			in.ObservedAt.Format(time.RFC3339), now.UTC().Format(time.RFC3339)).With("field", "observed_at")
	case in.ObservedAt.Before(now.Add(-MaxObservedAge)):
		return apperr.New(apperr.Invalid, "observed_at %s is more than %d days ago; a report must be sent within %d days of being made",
			in.ObservedAt.Format(time.RFC3339), int(MaxObservedAge.Hours()/24), int(MaxObservedAge.Hours()/24)).With("field", "observed_at")
	}
	return nil
}

func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
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
