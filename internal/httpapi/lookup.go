package httpapi

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
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

// MaxLookupBatch is the most points one POST /api/v1/lookup may carry.
const MaxLookupBatch = 100_000

// maxLookupBatchBytes leaves room for 100,000 points written as GeoJSON Features.
const maxLookupBatchBytes = 32 << 20

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

// lookupBatch answers up to MaxLookupBatch points in order, streaming the answers as they are made.
func (s *Server) lookupBatch(w http.ResponseWriter, r *http.Request) error {
	opt, err := parseLookupOptions(r.URL.Query())
	if err != nil {
		return err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxLookupBatchBytes))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.New(apperr.TooLarge, "a batch may hold at most %d points (%d bytes)", MaxLookupBatch, maxLookupBatchBytes)
	}
	if err != nil {
		return apperr.New(apperr.Malformed, "could not read the request body: %v", err)
	}
	points, err := decodeLookupPoints(body)
	if err != nil {
		return err
	}
	if !s.Lookup.Ready() {
		return apperr.New(apperr.Unavailable, "the responsibility index is still loading")
	}
	who := principal(r)
	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"results":[`)
	// The engine answers a chunk in spatial order, several times faster than point by point; the
	// answers wait as JSON until the chunk is done and are then written in the order asked.
	var buf []byte
	spans := make([][2]int, min(len(points), lookupChunk))
	for from := 0; from < len(points); from += lookupChunk {
		chunk := points[from:min(from+lookupChunk, len(points))]
		for i := range chunk {
			chunk[i] = geo.ToWGS84(chunk[i], opt.crs)
		}
		buf = buf[:0]
		err := s.Lookup.AnswerEach(lookup.Query{At: opt.at, ToleranceM: opt.toleranceM, Who: who}, chunk,
			func(i int, a lookup.Answer) error {
				start := len(buf)
				buf = a.AppendJSON(buf)
				spans[i] = [2]int{start, len(buf)}
				return nil
			})
		if err != nil {
			return err
		}
		for i := range chunk {
			if from+i > 0 {
				bw.WriteByte(',')
			}
			bw.Write(buf[spans[i][0]:spans[i][1]])
			if _, err := bw.Write(newline); err != nil {
				return err
			}
		}
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}

// lookupChunk bounds the answers a batch holds at once (as JSON, ~0.5 KB each).
const lookupChunk = 16384

var newline = []byte{'\n'}

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
	doc.Points = jsonlist.Capped[[]float64]{Max: MaxLookupBatch, Field: "points"}
	doc.Features = jsonlist.Capped[feature]{Max: MaxLookupBatch, Field: "features"}
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
