package httpapi

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/jsonlist"
	"streetchief/internal/merchants"
)

// recordInspection takes an inspection from the field app: JSON (photos in base64) or multipart
// (photos as files), with an Idempotency-Key so that a queue sent again after being offline is
// stored once.
func (s *Server) recordInspection(w http.ResponseWriter, r *http.Request) error {
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !idempotencyKey(key) {
		return apperr.New(apperr.Malformed, "Idempotency-Key must be 1 to 255 printable ASCII characters")
	}
	in, err := decodeInspection(w, r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), writeTimeout)
	defer cancel()
	ins, replayed, err := s.Merchants.Inspect(ctx, principal(r), in, key)
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", "/api/v1/inspections/"+itoa(ins.ID))
	return writeJSON(w, http.StatusCreated, "", ins)
}

func decodeInspection(w http.ResponseWriter, r *http.Request) (merchants.InspectionInput, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return merchants.InspectionInput{}, apperr.New(apperr.Malformed, "unreadable Content-Type: %v", err)
	}
	if mt == "multipart/form-data" {
		return decodeInspectionMultipart(http.MaxBytesReader(w, r.Body, maxIntakeMultipartBytes), params["boundary"])
	}
	if mt != "" && mt != "application/json" {
		return merchants.InspectionInput{}, apperr.New(apperr.Malformed, "send application/json or multipart/form-data, not %q", mt)
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, maxIntakeJSONBytes))
	if err != nil {
		return merchants.InspectionInput{}, err
	}
	return merchants.DecodeInspectionJSON(body, time.Now())
}

// decodeInspectionMultipart reads the fields as form values (results as a JSON array) and the
// photos as files.
func decodeInspectionMultipart(body io.Reader, boundary string) (merchants.InspectionInput, error) {
	fail := func(format string, args ...any) (merchants.InspectionInput, error) {
		return merchants.InspectionInput{}, apperr.New(apperr.Malformed, format, args...)
	}
	if boundary == "" {
		return fail("multipart/form-data without a boundary")
	}
	mr := multipart.NewReader(body, boundary)
	f := merchants.NewInspectionFields()
	var photos [][]byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if _, e := readAll(body); e != nil && apperr.Is(e, apperr.TooLarge) {
				return merchants.InspectionInput{}, e
			}
			return fail("malformed multipart body: %v", err)
		}
		if part.FileName() != "" || part.FormName() == "photos" || part.FormName() == "photo" {
			if len(photos) == incidents.MaxPhotos {
				return merchants.InspectionInput{}, apperr.New(apperr.TooLarge, "at most %d photos per inspection", incidents.MaxPhotos).With("field", "photos")
			}
			b, err := readAll(io.LimitReader(part, incidents.MaxPhotoBytes+1))
			if err != nil {
				return merchants.InspectionInput{}, err
			}
			if len(b) > incidents.MaxPhotoBytes {
				return merchants.InspectionInput{}, apperr.New(apperr.TooLarge, "photo %d is over the limit of %d bytes", len(photos)+1, incidents.MaxPhotoBytes).With("field", "photos")
			}
			photos = append(photos, b)
			continue
		}
		b, err := readAll(io.LimitReader(part, 64<<10))
		if err != nil {
			return merchants.InspectionInput{}, err
		}
		v := strings.TrimSpace(string(b))
		number := func() (*float64, error) {
			x, ok := parseNumber(v)
			if !ok {
				return nil, apperr.New(apperr.Malformed, "%s %q is not a finite number", part.FormName(), v).With("field", part.FormName())
			}
			return &x, nil
		}
		switch part.FormName() {
		case "merchant_id":
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return fail("merchant_id %q is not an id", v)
			}
			f.MerchantID = id
		case "at":
			f.At = v
		case "crs":
			f.CRS = v
		case "note":
			f.Note = string(b)
		case "refused":
			if f.Refused, err = strconv.ParseBool(v); err != nil {
				return fail("refused %q is not true or false", v)
			}
		case "results":
			if err := jsonlist.DecodeStrict(b, &f.Results); err != nil {
				return merchants.InspectionInput{}, err
			}
		case "lon", "lat", "accuracy_m":
			x, err := number()
			if err != nil {
				return merchants.InspectionInput{}, err
			}
			switch part.FormName() {
			case "lon":
				f.Lon = x
			case "lat":
				f.Lat = x
			default:
				f.AccuracyM = x
			}
		default:
			return fail("unknown field %q", part.FormName())
		}
	}
	return f.Input(photos, time.Now())
}

func (s *Server) getInspection(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	ins, err := s.Merchants.Inspection(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", ins)
}

func (s *Server) voidInspection(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Reason string `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	ins, err := s.Merchants.VoidInspection(r.Context(), principal(r), id, body.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", ins)
}

func (s *Server) listInspections(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	f := merchants.VisitFilter{MerchantID: q.int64("merchant"), PersonID: q.int64("person"), Limit: int(min(q.int64("limit"), 1<<20)),
		From: q.text("from", 10), To: q.text("to", 10)}
	if q.err != nil {
		return q.err
	}
	visits, err := s.Merchants.Visits(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"visits": visits})
}

// coverageParams reads by, period, at and format.
func coverageParams(r *http.Request, formats ...string) (merchants.CoverageBy, merchants.CoveragePeriod, string, error) {
	v := r.URL.Query()
	format := v.Get("format")
	if format == "" {
		format = formats[0]
	}
	ok := false
	for _, f := range formats {
		ok = ok || f == format
	}
	if !ok {
		return "", merchants.CoveragePeriod{}, "", apperr.New(apperr.Malformed, "format %q is not one of %v", format, formats).With("field", "format")
	}
	by, err := merchants.ParseCoverageBy(v.Get("by"))
	if err != nil {
		return "", merchants.CoveragePeriod{}, "", err
	}
	p, err := merchants.ParseCoveragePeriod(v.Get("period"), v.Get("at"), time.Now())
	return by, p, format, err
}

func (s *Server) inspectionCoverage(w http.ResponseWriter, r *http.Request) error {
	by, p, format, err := coverageParams(r, "json", "xlsx")
	if err != nil {
		return err
	}
	cov, err := s.Merchants.Coverage(r.Context(), principal(r), by, p)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(w, http.StatusOK, "", cov)
	}
	var buf bytes.Buffer
	if err := cov.WriteXLSX(&buf); err != nil {
		return err
	}
	return writeXLSX(w, "coverage-"+string(by)+"-"+p.Label, &buf)
}

func writeXLSX(w http.ResponseWriter, name string, buf *bytes.Buffer) error {
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.xlsx"`)
	w.Header().Set("Content-Type", kpiContentTypes["xlsx"])
	_, err := buf.WriteTo(w)
	return err
}

func (s *Server) inspectionCalendar(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	p, err := merchants.ParseCoveragePeriod(v.Get("period"), v.Get("at"), time.Now())
	if err != nil {
		return err
	}
	cal, err := s.Merchants.Calendar(r.Context(), principal(r), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", cal)
}

func (s *Server) repeatOffenders(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	sub := q.int64("subdistrict")
	format := q.text("format", 10)
	if q.err != nil {
		return q.err
	}
	if format != "" && format != "json" && format != "xlsx" {
		return apperr.New(apperr.Malformed, "format %q is not one of json, xlsx", format).With("field", "format")
	}
	list, err := s.Merchants.RepeatOffenders(r.Context(), principal(r), sub)
	if err != nil {
		return err
	}
	if format != "xlsx" {
		return writeJSON(w, http.StatusOK, "", map[string]any{"offenders": list})
	}
	var buf bytes.Buffer
	if err := merchants.WriteRepeatOffendersXLSX(list, &buf); err != nil {
		return err
	}
	return writeXLSX(w, "repeat-offenders", &buf)
}

func (s *Server) repeatRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.Merchants.RepeatRules(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"rules": rules})
}

func (s *Server) setRepeatRule(w http.ResponseWriter, r *http.Request) error {
	var body struct {
		Violations int `json:"violations"`
		WindowDays int `json:"window_days"`
	}
	if err := s.decodeJSON(w, r, &body); err != nil {
		return err
	}
	rule, err := s.Merchants.SetRepeatRule(r.Context(), principal(r), merchants.RepeatRule{Category: chi.URLParam(r, "category"),
		Violations: body.Violations, WindowDays: body.WindowDays})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", rule)
}
