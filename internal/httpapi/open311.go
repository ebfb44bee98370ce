package httpapi

import (
	"cmp"
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
	"streetchief/internal/auth"
	"streetchief/internal/incidents"
)

// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the citizen-app standard, so existing
// 311 apps can report to the district. Answers are JSON or XML by the path's extension, and errors are
// the spec's list of {code, description} rather than problem documents.

const open311Spec = "http://wiki.open311.org/GeoReport_v2"

// DefaultOpen311Jurisdiction is the jurisdiction_id of a deployment that names none: the demo district.
const DefaultOpen311Jurisdiction = "xinluo.example"

// Open311Options configure the Open311 endpoint; cmd/streetchief fills them from flags.
type Open311Options struct {
	// Jurisdiction is this deployment's jurisdiction_id; requests naming another are refused, and
	// api_keys are issued for it (empty: DefaultOpen311Jurisdiction).
	Jurisdiction string
	// KeyService tells integrators how to get an api_key (discovery's key_service).
	KeyService string
}

// o311Call is one Open311 request after the checks every route shares.
type o311Call struct {
	format string
	key    *auth.Open311Key // the caller's api_key, when it sent a valid one
}

type open311Handler func(w http.ResponseWriter, r *http.Request, c o311Call) error

// open311 checks the format, jurisdiction_id and api_key, and answers errors in the spec's form.
func (s *Server) open311(h open311Handler) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c := o311Call{format: chi.URLParam(r, "format")}
		if c.format != "json" && c.format != "xml" {
			s.open311Problem(w, r, apperr.New(apperr.NotFound, "Open311 answers .json or .xml, not .%s", chi.URLParam(r, "format")))
			return nil
		}
		if err := s.open311Check(w, r, &c); err != nil {
			s.open311Problem(w, r, err)
			return nil
		}
		if err := h(w, r, c); err != nil {
			s.open311Problem(w, r, err)
		}
		return nil
	}
}

// open311Check reads the form (query, and the body of a POST) and checks the parameters every
// method may carry. An api_key that is sent must be good: a bad one is refused, not taken as none.
func (s *Server) open311Check(w http.ResponseWriter, r *http.Request, c *o311Call) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return apperr.New(apperr.Malformed, "send the request form-encoded: %v", err)
	}
	if j := r.Form.Get("jurisdiction_id"); j != "" && j != s.open311Jurisdiction() {
		return apperr.New(apperr.NotFound, "jurisdiction_id %q not found; this endpoint serves %s", j, s.open311Jurisdiction())
	}
	if raw, sent := r.Form["api_key"]; sent {
		k, err := s.Auth.CheckOpen311Key(r.Context(), strings.Join(raw, ""), s.open311Jurisdiction())
		if err != nil {
			return err
		}
		c.key = &k
	}
	return nil
}

func (s *Server) open311Jurisdiction() string {
	return cmp.Or(s.Open311.Jurisdiction, DefaultOpen311Jurisdiction)
}

// open311Problem answers err as the spec's error list, in XML when the path asks for it and JSON
// otherwise; every answer under /open311/ is in this form, unknown routes and methods included.
func (s *Server) open311Problem(w http.ResponseWriter, r *http.Request, err error) {
	var e *apperr.Error
	if !errors.As(err, &e) {
		e = classifyInfrastructure(r.Context(), err)
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
	writeOpen311Error(w, r, status, msg)
}

func writeOpen311Error(w http.ResponseWriter, r *http.Request, status int, msg string) {
	type o311Error struct {
		XMLName     xml.Name `json:"-" xml:"error"`
		Code        int      `json:"code" xml:"code"`
		Description string   `json:"description" xml:"description"`
	}
	format := "json"
	if strings.HasSuffix(r.URL.Path, ".xml") {
		format = "xml"
	}
	w.Header().Set("Cache-Control", "no-store")
	_ = writeOpen311(w, format, status, "errors", []o311Error{{Code: status, Description: msg}})
}

// isOpen311 reports whether the request is for the Open311 endpoint, whose errors have their own form.
func isOpen311(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/open311/") }

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

func (s *Server) o311Discovery(w http.ResponseWriter, r *http.Request, c o311Call) error {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	changeset := "2026-01-01T00:00:00Z"
	keyService := cmp.Or(s.Open311.KeyService, "Integrators (a hotline, a city app) ask the district's administrators "+
		"for an api_key for jurisdiction "+s.open311Jurisdiction()+"; it lifts the anonymous limit to the key's own.")
	d := o311Discovery{Changeset: changeset, Contact: "District urban management duty desk", KeyService: keyService, Endpoints: []o311Endpoint{{
		Specification: open311Spec, URL: scheme + "://" + r.Host + "/open311/v2", Changeset: changeset,
		Type: "production", Formats: []string{"application/json", "text/xml"}}}}
	return writeOpen311(w, c.format, http.StatusOK, "discovery", d)
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

func (s *Server) o311Services(w http.ResponseWriter, r *http.Request, c o311Call) error {
	cats, err := s.Incidents.Categories(r.Context())
	if err != nil {
		return err
	}
	out := make([]o311Service, 0, len(cats))
	for _, cat := range cats {
		out = append(out, o311Service{ServiceCode: cat.Code, ServiceName: cat.NameZh, Description: cat.NameEn, Type: "realtime",
			Keywords: cat.NameZh + "," + cat.NameEn, Group: "街长制 street chief system", Metadata: true})
	}
	return writeOpen311(w, c.format, http.StatusOK, "services", out)
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
	Address           string   `json:"address,omitempty" xml:"address,omitempty"`
	ServiceNotice     string   `json:"service_notice,omitempty" xml:"service_notice,omitempty"`
	Requested         string   `json:"requested_datetime,omitempty" xml:"requested_datetime,omitempty"`
	Updated           string   `json:"updated_datetime,omitempty" xml:"updated_datetime,omitempty"`
	Expected          string   `json:"expected_datetime,omitempty" xml:"expected_datetime,omitempty"`
	Lat               *float64 `json:"lat,omitempty" xml:"lat,omitempty"`
	Long              *float64 `json:"long,omitempty" xml:"long,omitempty"`
	MediaURL          string   `json:"media_url,omitempty" xml:"media_url,omitempty"`
	// VerificationToken (an extension, in the create answer only) lets the reporter confirm or
	// dispute the resolution at POST /api/v1/incidents/{service_request_id}/verification.
	VerificationToken string `json:"verification_token,omitempty" xml:"verification_token,omitempty"`
	// TrackingNumber (an extension, in the create answer only) follows the case without signing in,
	// at GET /api/v1/tracking/{number}, as the web form's receipt does.
	TrackingNumber string `json:"tracking_number,omitempty" xml:"tracking_number,omitempty"`
}

func (s *Server) o311Create(w http.ResponseWriter, r *http.Request, c o311Call) error {
	key, err := s.beginOpen311Report(w, r, c)
	if err != nil {
		return err
	}
	// GeoReport v2's email and phone are the reporter's: where they hear of the request.
	f := incidents.IntakeFields{Category: r.PostForm.Get("service_code"), Description: r.PostForm.Get("description"),
		Contact:  cmp.Or(r.PostForm.Get("phone"), r.PostForm.Get("email")),
		MediaURL: r.PostForm.Get("media_url"), Address: r.PostForm.Get("address_string")}
	if err := o311ReadAttributes(r, &f); err != nil {
		return err
	}
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
	rc, _, err := s.Incidents.Report(ctx, principal(r), in, incidents.IdempotencyKey{Endpoint: "POST /open311/v2/requests", Key: key})
	if err != nil {
		return err
	}
	notice := "已受理 received"
	if rc.Assignee != nil {
		notice += "; " + rc.Assignee.Name + " is responsible"
	}
	return writeOpen311(w, c.format, http.StatusCreated, "service_requests",
		[]o311Request{{ServiceRequestID: itoa(rc.ID), ServiceNotice: notice, VerificationToken: rc.VerificationToken,
			TrackingNumber: rc.TrackingNumber}})
}

func (s *Server) o311Requests(w http.ResponseWriter, r *http.Request, c o311Call) error {
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
	return s.o311List(w, r, c.format, f, false)
}

func (s *Server) o311Request(w http.ResponseWriter, r *http.Request, c o311Call) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	return s.o311List(w, r, c.format, incidents.PublicFilter{IDs: []int64{id}}, true)
}

func (s *Server) o311List(w http.ResponseWriter, r *http.Request, format string, f incidents.PublicFilter, one bool) error {
	list, err := s.Incidents.PublicRequests(r.Context(), f)
	if err != nil {
		return err
	}
	if one && len(list) == 0 {
		return apperr.New(apperr.NotFound, "service request %d not found", f.IDs[0])
	}
	names := map[string]string{}
	if cats, err := s.Incidents.Catalogue(r.Context(), incidents.CatalogueQuery{IncludeRetired: true}); err == nil {
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
			ServiceName: names[p.Category], Description: p.Description, AgencyResponsible: p.AgencyResponsible, Address: p.Address,
			Requested: p.ReportedAt.Format(time.RFC3339), Updated: p.UpdatedAt.Format(time.RFC3339), Lat: &lat, Long: &lon,
			MediaURL: p.MediaURL}
		if p.DueAt != nil && p.Status.Open() {
			o.Expected = p.DueAt.Format(time.RFC3339)
		}
		out = append(out, o)
	}
	return writeOpen311(w, format, http.StatusOK, "service_requests", out)
}
