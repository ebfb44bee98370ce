package lookup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"sync"

	"github.com/paulmach/orb"

	"streetchief/internal/apperr"
	"streetchief/internal/jsonlist"
)

// A batch is read whole before any answer is written, so a bad row is refused with one error naming
// its line (or its place in the JSON), never discovered halfway through answers already written:
// the caller, over HTTP or on the command line, gets either every answer or none.

// Format is how a batch's points come in and its answers go out.
type Format string

const (
	FormatJSON   Format = "json"   // {"points":[[lon,lat],...]} or a GeoJSON FeatureCollection in; {"results":[...]} out
	FormatNDJSON Format = "ndjson" // one [lon,lat] or {"lon":..,"lat":..} a line in; one answer a line out
	FormatCSV    Format = "csv"    // lon,lat rows (a header row allowed) in; a header and one row an answer out
)

// MaxBatch is the most points a batch may carry as CSV or NDJSON over HTTP.
const MaxBatch = 1_000_000

// MaxJSONBatch is the most as a JSON document, which is decoded whole by encoding/json at about
// 100 bytes of memory a point: larger batches come as CSV or NDJSON.
const MaxJSONBatch = 100_000

// DecodeBatch reads every point of body in format in, refusing the whole batch at its first bad
// line (apperr.Malformed) or when it holds more than limit points (apperr.TooLarge; 0: no limit).
// A UTF-8 byte order mark, as spreadsheets write, is skipped.
func DecodeBatch(in Format, body []byte, limit int) ([]orb.Point, error) {
	body = bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	var points []orb.Point
	var err error
	switch in {
	case FormatJSON:
		points, err = decodeJSONPoints(body)
	case FormatNDJSON:
		points, err = decodeLines(body, parseNDJSONLine, limit)
	case FormatCSV:
		points, err = decodeLines(body, parseCSVLine, limit)
	default:
		return nil, apperr.New(apperr.Malformed, "batch format %q is not one of json, ndjson, csv", in)
	}
	if err != nil {
		return nil, err
	}
	if limit > 0 && len(points) > limit {
		return nil, tooMany(limit, len(points))
	}
	return points, nil
}

func tooMany(limit, n int) error {
	return apperr.New(apperr.TooLarge, "a batch may hold at most %d points, this one has %d", limit, n)
}

// decodeLines parses every non-blank line of body with parse on all CPUs: the body is cut at line
// ends into one piece a CPU, each piece read in one pass that numbers its own lines, and the
// pieces' points joined in order. parse returns skip for a line that is no point (a header, which
// only the first line not blank may be); the first bad line in the body is the error, named by its number,
// and more than limit points (0: no limit) refuse the batch before they are joined.
func decodeLines(body []byte, parse func(line []byte, first bool) (pt orb.Point, skip bool, err error), limit int) ([]orb.Point, error) {
	pieces := max(1, min(runtime.GOMAXPROCS(0), len(body)>>20))
	type piece struct {
		body   []byte
		lines  int // lines read, up to and including a bad one
		points []orb.Point
		err    error // the bad line's, without its number
	}
	ps := make([]piece, 0, pieces)
	for len(body) > 0 {
		end := len(body)
		if left := pieces - len(ps); left > 1 {
			end = len(body) / left
			if i := bytes.IndexByte(body[end:], '\n'); i >= 0 {
				end += i + 1
			} else {
				end = len(body)
			}
		}
		ps = append(ps, piece{body: body[:end]})
		body = body[end:]
	}
	var wg sync.WaitGroup
	for k := range ps {
		wg.Go(func() {
			p := &ps[k]
			rest, read := p.body, false // read: a line not blank has been read
			p.points = make([]orb.Point, 0, len(rest)/24)
			for len(rest) > 0 {
				line := rest
				if i := bytes.IndexByte(rest, '\n'); i >= 0 {
					line, rest = rest[:i], rest[i+1:]
				} else {
					rest = nil
				}
				p.lines++
				if line = bytes.TrimSpace(line); len(line) == 0 {
					continue
				}
				pt, skip, err := parse(line, k == 0 && !read)
				read = true
				if err == nil && !skip && (pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90) {
					err = fmt.Errorf("[%g, %g] is out of range (lon -180..180, lat -90..90)", pt[0], pt[1])
				}
				if err != nil {
					p.err = err
					return
				}
				if !skip {
					p.points = append(p.points, pt)
				}
			}
		})
	}
	wg.Wait()
	total, before := 0, 0
	for _, p := range ps {
		if p.err != nil {
			return nil, apperr.New(apperr.Malformed, "line %d: %v", before+p.lines, p.err)
		}
		total += len(p.points)
		before += p.lines
	}
	if limit > 0 && total > limit {
		return nil, tooMany(limit, total)
	}
	points := make([]orb.Point, 0, total)
	for _, p := range ps {
		points = append(points, p.points...)
	}
	return points, nil
}

// parseCSVLine reads lon,lat; further columns are ignored and fields may be quoted. The first line
// not blank is taken for a header when its first field is not a number ("lon,lat", "x,y"), so a first row of
// data that is broken is refused rather than skipped.
func parseCSVLine(line []byte, first bool) (orb.Point, bool, error) {
	lonText, rest, ok := bytes.Cut(line, []byte{','})
	latText, _, _ := bytes.Cut(rest, []byte{','})
	lon, okLon := parseFinite(unquoteCSV(lonText))
	lat, okLat := parseFinite(unquoteCSV(latText))
	if !ok || !okLon || !okLat {
		if first && !okLon {
			return orb.Point{}, true, nil
		}
		return orb.Point{}, false, fmt.Errorf("%q is not lon,lat", truncate(line))
	}
	return orb.Point{lon, lat}, false, nil
}

func unquoteCSV(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	return string(b)
}

// parseNDJSONLine reads [lon,lat] or {"lon":..,"lat":..}.
func parseNDJSONLine(line []byte, _ bool) (orb.Point, bool, error) {
	lon, lat, ok := parsePairLine(line)
	if !ok {
		var obj struct {
			Lon *float64 `json:"lon"`
			Lat *float64 `json:"lat"`
		}
		if json.Unmarshal(line, &obj) != nil || obj.Lon == nil || obj.Lat == nil {
			return orb.Point{}, false, fmt.Errorf(`%q is not [lon,lat] or {"lon":…,"lat":…}`, truncate(line))
		}
		lon, lat = *obj.Lon, *obj.Lat
	}
	return orb.Point{lon, lat}, false, nil
}

// parsePairLine reads "[lon,lat]" without encoding/json: a million lines of it are most of a large
// batch's reading time otherwise.
func parsePairLine(line []byte) (lon, lat float64, ok bool) {
	if len(line) < 5 || line[0] != '[' || line[len(line)-1] != ']' {
		return 0, 0, false
	}
	a, b, found := bytes.Cut(line[1:len(line)-1], []byte{','})
	if !found || bytes.IndexByte(b, ',') >= 0 {
		return 0, 0, false
	}
	lon, okLon := parseFinite(string(bytes.TrimSpace(a)))
	lat, okLat := parseFinite(string(bytes.TrimSpace(b)))
	return lon, lat, okLon && okLat
}

// parseFinite reads a finite decimal number: strconv also reads "NaN" and "Inf", which compare
// false with every bound and so would pass the range check.
func parseFinite(raw string) (float64, bool) {
	v, err := strconv.ParseFloat(raw, 64)
	return v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
}

func truncate(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}

// decodeJSONPoints reads {"points":[[lon,lat],...]} or a GeoJSON FeatureCollection of Points.
func decodeJSONPoints(body []byte) ([]orb.Point, error) {
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
	doc.Points = jsonlist.Capped[[]float64]{Max: MaxJSONBatch, Field: "points"}
	doc.Features = jsonlist.Capped[feature]{Max: MaxJSONBatch, Field: "features"}
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
