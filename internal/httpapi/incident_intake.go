package httpapi

import (
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// Intake bodies carry photos: six of 5 MB, base64 in JSON or raw in multipart, plus the fields.
const (
	maxIntakeJSONBytes      = (incidents.MaxPhotos*incidents.MaxPhotoBytes)*4/3 + 1<<20
	maxIntakeMultipartBytes = incidents.MaxPhotos*incidents.MaxPhotoBytes + 1<<20
	// writeTimeout bounds a report's wait for the database: when it is away the client hears 503 and
	// retries with its Idempotency-Key instead of hanging on a pool that cannot connect.
	writeTimeout = 5 * time.Second
)

func errTooManyReports(retryAfter int) error {
	return apperr.New(apperr.RateLimited, "too many reports from this address; wait a minute, or sign in").With("retry_after_seconds", retryAfter)
}

// idempotencyKey says whether k may be an Idempotency-Key: 1–255 printable ASCII characters.
var idempotencyKey = func(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for _, c := range k {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// limitPublicReports counts a report filed without signing in against its address's limit.
func (s *Server) limitPublicReports(w http.ResponseWriter, r *http.Request) error {
	if s.publicReports == 0 || principal(r).SignedIn() {
		return nil
	}
	v, err := s.limits.PublicReports.Take(r.Context(), s.clientAddress(r), s.publicReports)
	if err != nil {
		return fmt.Errorf("public reports' limit: %w", err)
	}
	setLimitHeaders(w, s.publicReports, v)
	if !v.Allowed {
		return errTooManyReports(v.RetryAfter(time.Now()))
	}
	return nil
}

// beginReport is what every way of filing a report checks first: an anonymous address is within its
// limit, and the Idempotency-Key, if any, is well formed.
func (s *Server) beginReport(w http.ResponseWriter, r *http.Request) (key string, err error) {
	if err := s.limitPublicReports(w, r); err != nil {
		return "", err
	}
	key = r.Header.Get("Idempotency-Key")
	if key != "" && !idempotencyKey(key) {
		return "", apperr.New(apperr.Malformed, "Idempotency-Key must be 1 to 255 printable ASCII characters")
	}
	return key, nil
}

func (s *Server) reportIncident(w http.ResponseWriter, r *http.Request) error {
	key, err := s.beginReport(w, r)
	if err != nil {
		return err
	}
	in, err := decodeIntake(w, r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), writeTimeout)
	defer cancel()
	rc, replayed, err := s.Incidents.Report(ctx, principal(r), in, incidents.IdempotencyKey{Endpoint: "POST /api/v1/incidents", Key: key})
	if err != nil {
		return err
	}
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Location", "/api/v1/incidents/"+itoa(rc.ID))
	return writeJSON(w, http.StatusCreated, "", rc)
}

// decodeIntake reads a report as JSON (photos in base64) or multipart/form-data (photos as files).
func decodeIntake(w http.ResponseWriter, r *http.Request) (incidents.Intake, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return incidents.Intake{}, apperr.New(apperr.Malformed, "unreadable Content-Type: %v", err)
	}
	if mt == "multipart/form-data" {
		return decodeIntakeMultipart(http.MaxBytesReader(w, r.Body, maxIntakeMultipartBytes), params["boundary"])
	}
	if mt != "" && mt != "application/json" {
		return incidents.Intake{}, apperr.New(apperr.Malformed, "send application/json or multipart/form-data, not %q", mt)
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, maxIntakeJSONBytes))
	if err != nil {
		return incidents.Intake{}, err
	}
	return incidents.DecodeIntakeJSON(body)
}

func decodeIntakeMultipart(body io.Reader, boundary string) (incidents.Intake, error) {
	if boundary == "" {
		return incidents.Intake{}, apperr.New(apperr.Malformed, "multipart/form-data without a boundary")
	}
	mr := multipart.NewReader(body, boundary)
	var f incidents.IntakeFields
	var photos [][]byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if _, e := readAll(body); e != nil && apperr.Is(e, apperr.TooLarge) {
				return incidents.Intake{}, e
			}
			return incidents.Intake{}, apperr.New(apperr.Malformed, "malformed multipart body: %v", err)
		}
		if part.FileName() != "" || part.FormName() == "photos" || part.FormName() == "photo" {
			if len(photos) == incidents.MaxPhotos {
				return incidents.Intake{}, apperr.New(apperr.TooLarge, "at most %d photos per request", incidents.MaxPhotos).With("field", "photos")
			}
			b, err := readAll(io.LimitReader(part, incidents.MaxPhotoBytes+1))
			if err != nil {
				return incidents.Intake{}, err
			}
			if len(b) > incidents.MaxPhotoBytes {
				return incidents.Intake{}, apperr.New(apperr.TooLarge, "photo %d is over the limit of %d bytes", len(photos)+1, incidents.MaxPhotoBytes).With("field", "photos")
			}
			photos = append(photos, b)
			continue
		}
		b, err := readAll(io.LimitReader(part, 64<<10))
		if err != nil {
			return incidents.Intake{}, err
		}
		v := string(b)
		switch part.FormName() {
		case "category":
			f.Category = v
		case "description":
			f.Description = v
		case "crs":
			f.CRS = v
		case "contact":
			f.Contact = v
		case "observed_at":
			f.ObservedAt = v
		case "accuracy_m":
			x, ok := parseNumber(strings.TrimSpace(v))
			if !ok {
				return incidents.Intake{}, apperr.New(apperr.Malformed, "accuracy_m %q is not a finite number", v).With("field", "accuracy_m")
			}
			f.AccuracyM = &x
		case "lon", "lat":
			x, ok := parseNumber(strings.TrimSpace(v))
			if !ok {
				return incidents.Intake{}, apperr.New(apperr.Malformed, "%s %q is not a finite number", part.FormName(), v).With("field", part.FormName())
			}
			if part.FormName() == "lon" {
				f.Lon = &x
			} else {
				f.Lat = &x
			}
		default:
			return incidents.Intake{}, apperr.New(apperr.Malformed, "unknown field %q", part.FormName())
		}
	}
	return f.Intake(photos)
}
