package httpapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/apperr"
	"streetchief/internal/jsonlist"
	"streetchief/internal/lookup"
)

// MaxLookupBatch is the most points one POST /api/v1/lookup may carry as CSV or NDJSON.
const MaxLookupBatch = 1_000_000

// MaxLookupJSONBatch is the most as a JSON document, which is decoded whole by encoding/json at
// about 100 bytes of memory a point: stream larger batches as CSV or NDJSON.
const MaxLookupJSONBatch = 100_000

// maxLookupBatchBytes bounds a batch's body, after any gzip: room for 1,000,000 points as CSV or
// NDJSON with full-precision coordinates (about 40 bytes each), or 250,000 as GeoJSON Features.
const maxLookupBatchBytes = 64 << 20

// lookupOptions are the query parameters shared by single and batch lookups.
type lookupOptions struct {
	crs        geo.CRS
	at         time.Time
	toleranceM float64
}

func parseLookupOptions(q url.Values) (lookupOptions, error) {
	opt := lookupOptions{crs: geo.WGS84}
	if raw := q.Get("crs"); raw != "" {
		c, err := geo.ParseCRS(raw)
		if err != nil {
			return opt, apperr.New(apperr.Malformed, "crs %q is not one of wgs84, cgcs2000, gcj02, bd09", raw)
		}
		opt.crs = c
	}
	if raw := q.Get("at"); raw != "" {
		t, err := time.Parse(time.RFC3339, raw)
		if err != nil {
			return opt, apperr.New(apperr.Malformed, "at %q is not an RFC 3339 time such as 2026-03-03T09:00:00+08:00", raw)
		}
		opt.at = t
	}
	if raw := q.Get("tolerance_m"); raw != "" {
		t, ok := parseNumber(raw)
		if !ok || t < 0 || t > lookup.MaxToleranceM {
			return opt, apperr.New(apperr.Malformed, "tolerance_m %q must be a number of metres from 0 to %d", raw, lookup.MaxToleranceM)
		}
		opt.toleranceM = t
		if t == 0 {
			opt.toleranceM = -1 // an explicit 0 asks for covering areas only
		}
	}
	return opt, nil
}

func parseCoordinate(name, raw string, limit float64) (float64, error) {
	if raw == "" {
		return 0, apperr.New(apperr.Malformed, "%s is required", name)
	}
	v, ok := parseNumber(raw)
	if !ok {
		return 0, apperr.New(apperr.Malformed, "%s %q is not a number", name, raw)
	}
	if v < -limit || v > limit {
		return 0, apperr.New(apperr.Malformed, "%s %g is out of range (-%g..%g)", name, v, limit, limit)
	}
	return v, nil
}

// lookupScratch is what one point lookup needs, reused across requests: the answer's storage and
// the buffer it is written into.
type lookupScratch struct {
	answer lookup.Scratch
	json   []byte
}

var lookupScratches = sync.Pool{New: func() any { return &lookupScratch{json: make([]byte, 0, 2048)} }}

func (s *Server) lookupPoint(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	opt, err := parseLookupOptions(q)
	if err != nil {
		return err
	}
	lon, err := parseCoordinate("lon", q.Get("lon"), 180)
	if err != nil {
		return err
	}
	lat, err := parseCoordinate("lat", q.Get("lat"), 90)
	if err != nil {
		return err
	}
	sc := lookupScratches.Get().(*lookupScratch)
	defer lookupScratches.Put(sc)
	ans, err := s.Lookup.AnswerWith(lookup.Query{Point: geo.ToWGS84(orb.Point{lon, lat}, opt.crs), At: opt.at,
		ToleranceM: opt.toleranceM, Who: principal(r), SubdistrictPosts: true}, &sc.answer)
	if err != nil {
		return err
	}
	sc.json = append(ans.AppendJSON(sc.json[:0]), '\n')
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write(sc.json)
	return err
}

// decodeLookupPoints reads {"points":[[lon,lat],...]} or a GeoJSON FeatureCollection of Points.
func decodeLookupPoints(body []byte) ([]orb.Point, error) {
	type feature struct {
		Geometry struct {
			Type        string    `json:"type"`
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
	}
	var doc struct {
		Type     string                     `json:"type"`
		Points   jsonlist.Capped[[]float64] `json:"points"`
		Features jsonlist.Capped[feature]   `json:"features"`
	}
	doc.Points = jsonlist.Capped[[]float64]{Max: MaxLookupJSONBatch, Field: "points"}
	doc.Features = jsonlist.Capped[feature]{Max: MaxLookupJSONBatch, Field: "features"}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, jsonlist.DecodeError(err)
	}
	var raw [][]float64
	switch {
	case doc.Type == "FeatureCollection":
		raw = make([][]float64, len(doc.Features.Items))
		for i, f := range doc.Features.Items {
			if f.Geometry.Type != "Point" {
				return nil, apperr.New(apperr.Malformed, "feature %d is a %q, want a Point", i, f.Geometry.Type)
			}
			raw[i] = f.Geometry.Coordinates
		}
	case doc.Points.Items != nil:
		raw = doc.Points.Items
	default:
		return nil, apperr.New(apperr.Malformed, `send {"points":[[lon,lat],...]} or a GeoJSON FeatureCollection of Points`)
	}
	points := make([]orb.Point, len(raw))
	for i, c := range raw {
		if len(c) < 2 {
			return nil, apperr.New(apperr.Malformed, "point %d needs [lon, lat]", i)
		}
		if c[0] < -180 || c[0] > 180 || c[1] < -90 || c[1] > 90 {
			return nil, apperr.New(apperr.Malformed, "point %d [%g, %g] is out of range", i, c[0], c[1])
		}
		points[i] = orb.Point{c[0], c[1]}
	}
	return points, nil
}
