package httpapi

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the citizen-app standard, so existing
// 311 apps can report to the district. Answers are JSON or XML by the path's extension, and errors are
// the spec's list of {code, description} rather than problem documents.

const open311Spec = "http://wiki.open311.org/GeoReport_v2"

func (s *Server) open311Routes() {
	s.handle("GET", "/open311/v2/discovery.{format}", Public, "open311", "Open311 GeoReport v2 discovery (json or xml)", s.open311(s.o311Discovery))
	s.handle("GET", "/open311/v2/services.{format}", Public, "open311", "Open311 service list: the incident categories", s.open311(s.o311Services))
	s.handle("GET", "/open311/v2/requests.{format}", Public, "open311", "Open311 service requests (service_request_id, service_code, start_date, end_date, status)", s.open311(s.o311Requests))
	s.handle("POST", "/open311/v2/requests.{format}", Public, "open311", "Open311 report (form-encoded service_code, lat, long, description, media_url)", s.open311(s.o311Create))
	s.handle("GET", "/open311/v2/requests/{id}.{format}", Public, "open311", "Open311 one service request", s.open311(s.o311Request))
}

type open311Handler func(w http.ResponseWriter, r *http.Request, format string) error

// open311 checks the format and answers errors in the spec's form. With an unknown format there is no
// spec form to answer in, so that error is an ordinary problem document.
func (s *Server) open311(h open311Handler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		format := chi.URLParam(r, "format")
		if format != "json" && format != "xml" {
			return apperr.New(apperr.NotFound, "Open311 answers .json or .xml, not .%s", format)
		}
		err := h(w, r, format)
		if err == nil {
			return nil
		}
		var e *apperr.Error
		if !errors.As(err, &e) {
			e = classifyInfrastructure(err)
		}
		status := statusOf[e.Code]
		msg := e.Message
		switch e.Code {
		case apperr.Internal:
			msg = "internal error; quote request id " + requestIDOf(r)
			s.Logger.ErrorContext(r.Context(), "request failed", "request_id", requestIDOf(r), "path", r.URL.Path, "err", err)
		case apperr.Unavailable:
			w.Header().Set("Retry-After", "2")
		}
		if status == http.StatusUnprocessableEntity {
			status = http.StatusBadRequest // the spec knows 400, 403 and 404
		}
		type o311Error struct {
			XMLName     xml.Name `json:"-" xml:"error"`
			Code        int      `json:"code" xml:"code"`
			Description string   `json:"description" xml:"description"`
		}
		doc := []o311Error{{Code: status, Description: msg}}
		return writeOpen311(w, format, status, "errors", doc)
	}
}

func writeOpen311(w http.ResponseWriter, format string, status int, root string, v any) error {
	if format == "json" {
		return writeJSON(w, status, "application/json; charset=utf-8", v)
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	if _, err := w.Write([]byte(xml.Header)); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	start := xml.StartElement{Name: xml.Name{Local: root}}
	if reflect.ValueOf(v).Kind() != reflect.Slice {
		if err := enc.EncodeElement(v, start); err != nil {
			return err
		}
		return enc.Flush()
	}
	// A list is its root element around one element per item, each named by its XMLName.
	if err := enc.EncodeToken(start); err != nil {
		return err
	}
	if err := enc.Encode(v); err != nil {
		return err
	}
	if err := enc.EncodeToken(start.End()); err != nil {
		return err
	}
	return enc.Flush()
}

type o311Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

type o311Discovery struct {
	Changeset  string         `json:"changeset" xml:"changeset"`
	Contact    string         `json:"contact" xml:"contact"`
	KeyService string         `json:"key_service" xml:"key_service"`
	Endpoints  []o311Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

func (s *Server) o311Discovery(w http.ResponseWriter, r *http.Request, format string) error {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	changeset := "2026-01-01T00:00:00Z"
	d := o311Discovery{Changeset: changeset, Contact: "District urban management duty desk", Endpoints: []o311Endpoint{{
		Specification: open311Spec, URL: scheme + "://" + r.Host + "/open311/v2", Changeset: changeset,
		Type: "production", Formats: []string{"application/json", "text/xml"}}}}
	return writeOpen311(w, format, http.StatusOK, "discovery", d)
}

type o311Service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

func (s *Server) o311Services(w http.ResponseWriter, r *http.Request, format string) error {
	svc, err := s.incidentService()
	if err != nil {
		return err
	}
	cats, err := svc.Categories(r.Context())
	if err != nil {
		return err
	}
	out := make([]o311Service, 0, len(cats))
	for _, c := range cats {
		out = append(out, o311Service{ServiceCode: c.Code, ServiceName: c.NameZh, Description: c.NameEn, Type: "realtime",
			Keywords: c.NameZh + "," + c.NameEn, Group: "街长制 street chief system"})
	}
	return writeOpen311(w, format, http.StatusOK, "services", out)
}

type o311Request struct {
	XMLName           xml.Name `json:"-" xml:"request"`
	ServiceRequestID  string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status,omitempty" xml:"status,omitempty"`
	StatusNotes       string   `json:"status_notes,omitempty" xml:"status_notes,omitempty"`
	ServiceName       string   `json:"service_name,omitempty" xml:"service_name,omitempty"`
	ServiceCode       string   `json:"service_code,omitempty" xml:"service_code,omitempty"`
	Description       string   `json:"description,omitempty" xml:"description,omitempty"`
	AgencyResponsible string   `json:"agency_responsible,omitempty" xml:"agency_responsible,omitempty"`
	ServiceNotice     string   `json:"service_notice,omitempty" xml:"service_notice,omitempty"`
	Requested         string   `json:"requested_datetime,omitempty" xml:"requested_datetime,omitempty"`
	Updated           string   `json:"updated_datetime,omitempty" xml:"updated_datetime,omitempty"`
	Expected          string   `json:"expected_datetime,omitempty" xml:"expected_datetime,omitempty"`
	Lat               *float64 `json:"lat,omitempty" xml:"lat,omitempty"`
	Long              *float64 `json:"long,omitempty" xml:"long,omitempty"`
	MediaURL          string   `json:"media_url,omitempty" xml:"media_url,omitempty"`
}

func (s *Server) o311Create(w http.ResponseWriter, r *http.Request, format string) error {
	svc, key, err := s.beginReport(w, r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Malformed, "send the request form-encoded: %v", err)
	}
	f := incidents.IntakeFields{Category: r.PostForm.Get("service_code"), Description: r.PostForm.Get("description"),
		MediaURL: r.PostForm.Get("media_url")}
	if f.Category == "" {
		return apperr.New(apperr.Malformed, "service_code is required")
	}
	for name, dst := range map[string]**float64{"lat": &f.Lat, "long": &f.Lon} {
		raw := r.PostForm.Get(name)
		if raw == "" {
			return apperr.New(apperr.Malformed, "lat and long are required (this endpoint has no geocoder for address_string)")
		}
		v, ok := parseNumber(raw)
		if !ok {
			return apperr.New(apperr.Malformed, "%s %q is not a finite number", name, raw)
		}
		*dst = &v
	}
	in, err := f.Intake(nil)
	if err != nil {
		return err
	}
	in.Source = "open311"
	ctx, cancel := context.WithTimeout(r.Context(), writeTimeout)
	defer cancel()
	rc, _, err := svc.Report(ctx, principal(r), in, incidents.IdempotencyKey{Endpoint: "POST /open311/v2/requests", Key: key})
	if err != nil {
		return err
	}
	notice := "已受理 received"
	if rc.Assignee != nil {
		notice += "; " + rc.Assignee.Name + " is responsible"
	}
	return writeOpen311(w, format, http.StatusCreated, "service_requests",
		[]o311Request{{ServiceRequestID: itoa(rc.ID), ServiceNotice: notice}})
}

func (s *Server) o311Requests(w http.ResponseWriter, r *http.Request, format string) error {
	v := r.URL.Query()
	f := incidents.PublicFilter{Category: v.Get("service_code"), To: time.Now()}
	for _, raw := range strings.Split(v.Get("service_request_id"), ",") {
		if raw = strings.TrimSpace(raw); raw == "" {
			continue
		}
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return apperr.New(apperr.Malformed, "service_request_id %q is not an id", raw)
		}
		f.IDs = append(f.IDs, id)
	}
	for name, dst := range map[string]*time.Time{"start_date": &f.From, "end_date": &f.To} {
		if raw := v.Get(name); raw != "" {
			t, err := time.Parse(time.RFC3339, raw)
			if err != nil {
				return apperr.New(apperr.Malformed, "%s %q is not a W3C date-time such as 2026-03-03T09:00:00+08:00", name, raw)
			}
			*dst = t
		}
	}
	if f.From.IsZero() {
		f.From = f.To.AddDate(0, 0, -90) // the spec's default window
	}
	switch st := v.Get("status"); st {
	case "":
	case "open", "closed":
		open := st == "open"
		f.Open = &open
	default:
		return apperr.New(apperr.Malformed, "status %q is not open or closed", st)
	}
	return s.o311List(w, r, format, f, false)
}

func (s *Server) o311Request(w http.ResponseWriter, r *http.Request, format string) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	return s.o311List(w, r, format, incidents.PublicFilter{IDs: []int64{id}}, true)
}

func (s *Server) o311List(w http.ResponseWriter, r *http.Request, format string, f incidents.PublicFilter, one bool) error {
	svc, err := s.incidentService()
	if err != nil {
		return err
	}
	list, err := svc.PublicRequests(r.Context(), f)
	if err != nil {
		return err
	}
	if one && len(list) == 0 {
		return apperr.New(apperr.NotFound, "service request %d not found", f.IDs[0])
	}
	names := map[string]string{}
	if cats, err := svc.Categories(r.Context()); err == nil {
		for _, c := range cats {
			names[c.Code] = c.NameZh
		}
	}
	out := make([]o311Request, 0, len(list))
	for _, p := range list {
		status := "closed"
		if p.Status.Open() {
			status = "open"
		}
		lat, lon := p.Lat, p.Lon
		o := o311Request{ServiceRequestID: itoa(p.ID), Status: status, StatusNotes: string(p.Status), ServiceCode: p.Category,
			ServiceName: names[p.Category], Description: p.Description, AgencyResponsible: p.Subdistrict,
			Requested: p.ReportedAt.Format(time.RFC3339), Updated: p.UpdatedAt.Format(time.RFC3339), Lat: &lat, Long: &lon,
			MediaURL: p.MediaURL}
		if p.DueAt != nil && p.Status.Open() {
			o.Expected = p.DueAt.Format(time.RFC3339)
		}
		out = append(out, o)
	}
	return writeOpen311(w, format, http.StatusOK, "service_requests", out)
}
