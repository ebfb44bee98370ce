package httpapi

import (
	"compress/gzip"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"streetchief/internal/apperr"
	"streetchief/internal/lookup"
)

var batchContentTypes = map[lookup.Format]string{
	lookup.FormatJSON:   "application/json",
	lookup.FormatNDJSON: "application/x-ndjson",
	lookup.FormatCSV:    "text/csv; charset=utf-8",
}

func formatOfMediaType(mt string) (lookup.Format, bool) {
	switch mt {
	case "", "application/json", "application/geo+json":
		return lookup.FormatJSON, true
	case "application/x-ndjson", "application/ndjson", "application/jsonl":
		return lookup.FormatNDJSON, true
	case "text/csv":
		return lookup.FormatCSV, true
	}
	return "", false
}

// lookupBatch answers up to lookup.MaxBatch points through lookup's batch path (the CLI's too),
// streaming the answers in input order as the engine makes them on all CPUs; a bad row refuses the
// batch with one problem naming its line before anything is written. The body's format is its Content-Type, the answers' is format=
// (json, ndjson, csv) or else the Accept header or else JSON; fields=ids leaves out names and
// people. Either may be gzip-compressed (Content-Encoding, Accept-Encoding).
func (s *Server) lookupBatch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	opt, err := parseLookupOptions(q)
	if err != nil {
		return err
	}
	ids, err := lookup.IDsOnly(q.Get("fields"))
	if err != nil {
		return err
	}
	out, err := answerFormat(q.Get("format"), r.Header.Get("Accept"))
	if err != nil {
		return err
	}
	in := lookup.FormatJSON
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
	var zw *gzip.Writer
	defer func() {
		if zw != nil {
			zw.Close()
		}
	}()
	return s.Lookup.AnswerBatch(lookup.Batch{In: in, Body: body, CRS: opt.crs, Limit: lookup.MaxBatch, Out: out, IDs: ids,
		Query: lookup.Query{At: opt.at, ToleranceM: opt.toleranceM, Who: principal(r)}}, func() (io.Writer, error) {
		w.Header().Set("Content-Type", batchContentTypes[out])
		w.Header().Add("Vary", "Accept, Accept-Encoding")
		if !acceptsGzip(r) {
			return w, nil
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ = gzip.NewWriterLevel(w, gzip.BestSpeed)
		return zw, nil
	})
}

func answerFormat(format, accept string) (lookup.Format, error) {
	if format != "" {
		return lookup.ParseFormat(format)
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if f, ok := formatOfMediaType(mt); err == nil && ok && mt != "" {
			return f, nil
		}
	}
	return lookup.FormatJSON, nil
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
		return nil, apperr.New(apperr.TooLarge, "a batch may hold at most %d points (%d bytes)", lookup.MaxBatch, maxLookupBatchBytes)
	}
	if err != nil {
		return nil, apperr.New(apperr.Malformed, "could not read the request body: %v", err)
	}
	return body, nil
}
