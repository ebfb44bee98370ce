package httpapi

import (
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/apperr"
	"streetchief/internal/lookup"
)

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
