package httpapi

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"runtime"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/apperr"
	"streetchief/internal/lookup"
)

// A batch is read whole before any answer is written, so a bad row is refused with one problem+json
// naming its line (or its place in the JSON), never discovered halfway through a stream already
// sent: the caller gets either every answer or none.

// batchFormat is how points come in and answers go out.
type batchFormat string

const (
	batchJSON   batchFormat = "json"   // {"points":[[lon,lat],...]} or a GeoJSON FeatureCollection in; {"results":[...]} out
	batchNDJSON batchFormat = "ndjson" // one [lon,lat] or {"lon":..,"lat":..} a line in; one answer a line out
	batchCSV    batchFormat = "csv"    // lon,lat rows (a header row allowed) in; a header and one row an answer out
)

var batchContentTypes = map[batchFormat]string{
	batchJSON:   "application/json",
	batchNDJSON: "application/x-ndjson",
	batchCSV:    "text/csv; charset=utf-8",
}

func formatOfMediaType(mt string) (batchFormat, bool) {
	switch mt {
	case "", "application/json", "application/geo+json":
		return batchJSON, true
	case "application/x-ndjson", "application/ndjson", "application/jsonl":
		return batchNDJSON, true
	case "text/csv":
		return batchCSV, true
	}
	return "", false
}

// lookupBatch answers up to MaxLookupBatch points, streaming the answers in input order as the
// engine makes them on all CPUs. The body's format is its Content-Type, the answers' is format=
// (json, ndjson, csv) or else the Accept header or else JSON; fields=ids leaves out names and
// people. Either may be gzip-compressed (Content-Encoding, Accept-Encoding).
func (s *Server) lookupBatch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	opt, err := parseLookupOptions(q)
	if err != nil {
		return err
	}
	ids := false
	switch f := q.Get("fields"); f {
	case "", "full":
	case "ids":
		ids = true
	default:
		return apperr.New(apperr.Malformed, "fields %q is not one of full, ids", f)
	}
	out, err := answerFormat(q.Get("format"), r.Header.Get("Accept"))
	if err != nil {
		return err
	}
	in := batchJSON
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		f, ok := formatOfMediaType(mt)
		if err != nil || !ok {
			return apperr.New(apperr.Malformed, "Content-Type %q is not application/json, application/x-ndjson or text/csv", ct)
		}
		in = f
	}
	body, err := readBatchBody(w, r)
	if err != nil {
		return err
	}
	var points []orb.Point
	switch in {
	case batchJSON:
		points, err = decodeLookupPoints(body)
	case batchNDJSON:
		points, err = decodeNDJSONPoints(body)
	case batchCSV:
		points, err = decodeCSVPoints(body)
	}
	if err != nil {
		return err
	}
	for i := range points {
		points[i] = geo.ToWGS84(points[i], opt.crs)
	}
	if !s.Lookup.Ready() {
		return apperr.New(apperr.Unavailable, "the responsibility index is still loading")
	}

	w.Header().Set("Content-Type", batchContentTypes[out])
	w.Header().Add("Vary", "Accept, Accept-Encoding")
	var dst io.Writer = w
	if acceptsGzip(r) {
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		defer zw.Close()
		dst = zw
	}
	bw := bufio.NewWriterSize(dst, 64<<10)
	switch {
	case out == batchJSON:
		bw.WriteString(`{"results":[`)
	case out == batchCSV && ids:
		bw.WriteString(lookup.IDsCSVHeader)
	case out == batchCSV:
		bw.WriteString(lookup.CSVHeader)
	}
	err = s.Lookup.AnswerStream(lookup.Query{At: opt.at, ToleranceM: opt.toleranceM, Who: principal(r), WithoutPeople: ids}, points,
		answerEncoder(out, ids), func(chunk []byte) error {
			_, err := bw.Write(chunk)
			return err
		})
	if err != nil {
		return err
	}
	if out == batchJSON {
		bw.WriteString("]}\n")
	}
	return bw.Flush()
}

func answerFormat(format, accept string) (batchFormat, error) {
	switch format {
	case "json", "ndjson", "csv":
		return batchFormat(format), nil
	case "":
	default:
		return "", apperr.New(apperr.Malformed, "format %q is not one of json, ndjson, csv", format)
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if f, ok := formatOfMediaType(mt); err == nil && ok && mt != "" {
			return f, nil
		}
	}
	return batchJSON, nil
}

// answerEncoder writes answer i in format out: JSON array items separated by commas, one a line.
func answerEncoder(out batchFormat, ids bool) func(dst []byte, i int, a lookup.Answer) []byte {
	switch {
	case out == batchCSV && ids:
		return func(dst []byte, _ int, a lookup.Answer) []byte { return a.AppendIDsCSV(dst) }
	case out == batchCSV:
		return func(dst []byte, _ int, a lookup.Answer) []byte { return a.AppendCSV(dst) }
	}
	appendAnswer := lookup.Answer.AppendJSON
	if ids {
		appendAnswer = lookup.Answer.AppendIDsJSON
	}
	if out == batchNDJSON {
		return func(dst []byte, _ int, a lookup.Answer) []byte { return append(appendAnswer(a, dst), '\n') }
	}
	return func(dst []byte, i int, a lookup.Answer) []byte {
		if i > 0 {
			dst = append(dst, ',')
		}
		return append(appendAnswer(a, dst), '\n')
	}
}

// readBatchBody reads the body, gunzipping it when it says it is gzip, up to maxLookupBatchBytes of
// content either way (a small gzip body cannot unpack into gigabytes).
func readBatchBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	rd := io.Reader(http.MaxBytesReader(w, r.Body, maxLookupBatchBytes))
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(rd)
		if err != nil {
			return nil, apperr.New(apperr.Malformed, "the body says Content-Encoding: gzip but is not gzip: %v", err)
		}
		defer zr.Close()
		rd = zr
	default:
		return nil, apperr.New(apperr.Malformed, "Content-Encoding %q is not gzip", enc)
	}
	body, err := io.ReadAll(io.LimitReader(rd, maxLookupBatchBytes+1))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) || len(body) > maxLookupBatchBytes {
		return nil, apperr.New(apperr.TooLarge, "a batch may hold at most %d points (%d bytes)", MaxLookupBatch, maxLookupBatchBytes)
	}
	if err != nil {
		return nil, apperr.New(apperr.Malformed, "could not read the request body: %v", err)
	}
	return body, nil
}

// decodeLines parses every non-blank line of body with parse (n is its number from 1) on all CPUs:
// the body is cut at line ends into one piece a CPU, and the pieces' points joined in order. parse
// returns skip for a line that is no point (a header); the first bad line in the body is the error.
func decodeLines(body []byte, parse func(n int, line []byte) (pt orb.Point, skip bool, err error)) ([]orb.Point, error) {
	pieces := max(1, min(runtime.GOMAXPROCS(0), len(body)>>20))
	type piece struct {
		body   []byte
		first  int // number of its first line
		points []orb.Point
		err    error
	}
	ps := make([]piece, 0, pieces)
	for line := 1; len(body) > 0; {
		end := len(body)
		if left := pieces - len(ps); left > 1 {
			end = len(body) / left
			if i := bytes.IndexByte(body[end:], '\n'); i >= 0 {
				end += i + 1
			} else {
				end = len(body)
			}
		}
		ps = append(ps, piece{body: body[:end], first: line})
		line += bytes.Count(body[:end], []byte{'\n'})
		body = body[end:]
	}
	var wg sync.WaitGroup
	for k := range ps {
		wg.Go(func() {
			p := &ps[k]
			rest := p.body
			p.points = make([]orb.Point, 0, bytes.Count(rest, []byte{'\n'})+1)
			for n := p.first; len(rest) > 0; n++ {
				line := rest
				if i := bytes.IndexByte(rest, '\n'); i >= 0 {
					line, rest = rest[:i], rest[i+1:]
				} else {
					rest = nil
				}
				if line = bytes.TrimSpace(line); len(line) == 0 {
					continue
				}
				pt, skip, err := parse(n, line)
				if err != nil {
					p.err = err
					return
				}
				if skip {
					continue
				}
				if pt[0] < -180 || pt[0] > 180 || pt[1] < -90 || pt[1] > 90 {
					p.err = apperr.New(apperr.Malformed, "line %d: [%g, %g] is out of range (lon -180..180, lat -90..90)", n, pt[0], pt[1])
					return
				}
				p.points = append(p.points, pt)
			}
		})
	}
	wg.Wait()
	total := 0
	for _, p := range ps {
		if p.err != nil {
			return nil, p.err
		}
		total += len(p.points)
	}
	if total > MaxLookupBatch {
		return nil, apperr.New(apperr.TooLarge, "a batch may hold at most %d points, this one has %d", MaxLookupBatch, total)
	}
	points := make([]orb.Point, 0, total)
	for _, p := range ps {
		points = append(points, p.points...)
	}
	return points, nil
}

// decodeCSVPoints reads lon,lat rows; further columns are ignored, and a first line that is not two
// numbers is taken for a header. Fields may be quoted.
func decodeCSVPoints(body []byte) ([]orb.Point, error) {
	return decodeLines(body, func(n int, line []byte) (orb.Point, bool, error) {
		lonText, rest, ok := bytes.Cut(line, []byte{','})
		latText, _, _ := bytes.Cut(rest, []byte{','})
		lon, okLon := parseNumber(unquoteCSV(lonText))
		lat, okLat := parseNumber(unquoteCSV(latText))
		if !ok || !okLon || !okLat {
			if n == 1 {
				return orb.Point{}, true, nil
			}
			return orb.Point{}, false, apperr.New(apperr.Malformed, "line %d: %q is not lon,lat", n, truncate(line))
		}
		return orb.Point{lon, lat}, false, nil
	})
}

func unquoteCSV(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		b = b[1 : len(b)-1]
	}
	return string(b)
}

// decodeNDJSONPoints reads one point a line: [lon,lat] or {"lon":..,"lat":..}.
func decodeNDJSONPoints(body []byte) ([]orb.Point, error) {
	return decodeLines(body, func(n int, line []byte) (orb.Point, bool, error) {
		lon, lat, ok := parsePairLine(line)
		if !ok {
			var obj struct {
				Lon *float64 `json:"lon"`
				Lat *float64 `json:"lat"`
			}
			if json.Unmarshal(line, &obj) != nil || obj.Lon == nil || obj.Lat == nil {
				return orb.Point{}, false, apperr.New(apperr.Malformed, `line %d: %q is not [lon,lat] or {"lon":…,"lat":…}`, n, truncate(line))
			}
			lon, lat = *obj.Lon, *obj.Lat
		}
		return orb.Point{lon, lat}, false, nil
	})
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
	lon, okLon := parseNumber(string(bytes.TrimSpace(a)))
	lat, okLat := parseNumber(string(bytes.TrimSpace(b)))
	return lon, lat, okLon && okLat
}

func truncate(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}
