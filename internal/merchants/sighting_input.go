package merchants

import (
	"crypto/sha256"
	"fmt"
	"math"
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

// SightingInput is a checked sighting, ready to judge and store. Point is WGS-84; VendorID 0 is a
// vendor nobody registered.
type SightingInput struct {
	VendorID  int64
	Point     orb.Point
	AccuracyM float64
	At        time.Time // zero: now
	Note      string
	Photos    []incidents.Photo
	Key       string // the idempotency key: the same key resends the same sighting
	digest    [32]byte
}

// SightingFields are a sighting as it arrives from the field app.
type SightingFields struct {
	VendorID  *int64                  `json:"vendor_id"`
	Lon       *float64                `json:"lon"`
	Lat       *float64                `json:"lat"`
	CRS       string                  `json:"crs,omitempty"`
	AccuracyM *float64                `json:"accuracy_m"`
	At        string                  `json:"at,omitempty"`
	Note      string                  `json:"note,omitempty"`
	Photos    jsonlist.Capped[string] `json:"photos,omitempty"`
}

// DecodeSightingJSON reads a JSON sighting, refusing unknown fields, and checks it; key is the
// request's Idempotency-Key (may be empty).
func DecodeSightingJSON(body []byte, key string) (SightingInput, error) {
	f := SightingFields{Photos: jsonlist.Capped[string]{Max: incidents.MaxPhotos, Field: "photos"}}
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return SightingInput{}, err
	}
	raw, err := incidents.DecodePhotos(f.Photos.Items)
	if err != nil {
		return SightingInput{}, err
	}
	return f.Input(raw, key)
}

// Input checks the fields and photo bytes.
func (f SightingFields) Input(photos [][]byte, key string) (SightingInput, error) {
	var in SightingInput
	if f.VendorID != nil {
		if *f.VendorID <= 0 {
			return in, apperr.New(apperr.Invalid, "vendor_id %d is not an id; leave it out for an unregistered vendor", *f.VendorID).With("field", "vendor_id")
		}
		in.VendorID = *f.VendorID
	}
	if f.Lon == nil || f.Lat == nil {
		return in, apperr.New(apperr.Invalid, "lon and lat are required").With("field", "lon")
	}
	if err := sightingLonLat(*f.Lon, *f.Lat); err != nil {
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
	if err := sightingLonLat(in.Point[0], in.Point[1]); err != nil {
		return in, err
	}
	if f.AccuracyM == nil {
		return in, apperr.New(apperr.Invalid, "accuracy_m is required: the GPS accuracy of the position, in metres").With("field", "accuracy_m")
	}
	in.AccuracyM = *f.AccuracyM
	if math.IsNaN(in.AccuracyM) || math.IsInf(in.AccuracyM, 0) || in.AccuracyM < 0 {
		return in, apperr.New(apperr.Invalid, "accuracy_m must be a number of metres, 0 or more").With("field", "accuracy_m")
	}
	if f.At != "" {
		t, err := time.Parse(time.RFC3339, f.At)
		if err != nil {
			return in, apperr.New(apperr.Invalid, "at %q is not an RFC 3339 time", f.At).With("field", "at")
		}
		in.At = t
	}
	in.Note = strings.TrimSpace(f.Note)
	if err := registry.CheckText("note", in.Note, 2000); err != nil {
		return in, err
	}
	if len(key) > 200 {
		return in, apperr.New(apperr.Malformed, "Idempotency-Key is %d characters; at most 200 for a sighting", len(key))
	}
	in.Key = key
	var err error
	if in.Photos, err = incidents.CheckPhotos(photos); err != nil {
		return in, err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00", in.VendorID, strconv.FormatFloat(*f.Lon, 'g', -1, 64),
		strconv.FormatFloat(*f.Lat, 'g', -1, 64), crs, strconv.FormatFloat(in.AccuracyM, 'g', -1, 64), f.At, in.Note)
	for _, p := range in.Photos {
		h.Write(p.SHA256[:])
	}
	copy(in.digest[:], h.Sum(nil))
	return in, nil
}

func sightingLonLat(lon, lat float64) error {
	if math.IsNaN(lon) || math.IsNaN(lat) || math.IsInf(lon, 0) || math.IsInf(lat, 0) {
		return apperr.New(apperr.Invalid, "lon and lat must be finite numbers").With("field", "lon")
	}
	if lon < -180 || lon > 180 || lat < -90 || lat > 90 {
		return apperr.New(apperr.Invalid, "position [%g, %g] is out of range (lon -180..180, lat -90..90)", lon, lat).With("field", "lon")
	}
	return nil
}
