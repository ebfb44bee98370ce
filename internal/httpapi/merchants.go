package httpapi

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"streetchief/geo"
	"streetchief/internal/apperr"
	"streetchief/internal/merchants"
)

// merchantProps are a shop's properties in GeoJSON; contact fields appear only in answers to callers
// whose scope holds the shop, which is every shop they can read at all.
type merchantProps struct {
	Name            string            `json:"name"`
	LicenceNo       string            `json:"licence_no,omitempty"`
	BusinessType    string            `json:"business_type,omitempty"`
	Address         string            `json:"address,omitempty"`
	ContactName     string            `json:"contact_name,omitempty"`
	ContactPhone    string            `json:"contact_phone,omitempty"`
	Frontage        *geojson.Geometry `json:"frontage,omitempty"`
	Status          merchants.Status  `json:"status"`
	StatusSince     string            `json:"status_since"`
	SubdistrictID   int64             `json:"subdistrict_id,omitempty"`
	CommunityID     int64             `json:"community_id,omitempty"`
	Pledged         bool              `json:"pledged"`
	InspectorID     int64             `json:"inspector_person_id,omitempty"`
	InspectorName   string            `json:"inspector,omitempty"`
	LastInspectedAt *time.Time        `json:"last_inspected_at"`
	InspectedToday  bool              `json:"inspected_today"`
	DistanceM       *float64          `json:"distance_m,omitempty"`
	SourceKey       string            `json:"source_key,omitempty"`
	Attributes      map[string]any    `json:"attributes,omitempty"`
	UpdatedAt       time.Time         `json:"updated_at"`
}

func merchantFeature(m merchants.Merchant, near bool) featureOut {
	p := merchantProps{Name: m.Name, LicenceNo: m.LicenceNo, BusinessType: m.BusinessType, Address: m.Address,
		ContactName: m.ContactName, ContactPhone: m.ContactPhone, Status: m.Status, StatusSince: m.StatusSince.Format(time.DateOnly),
		SubdistrictID: m.SubdistrictID, CommunityID: m.CommunityID, Pledged: m.Pledged, InspectorID: m.InspectorID,
		InspectorName: m.InspectorName, LastInspectedAt: m.LastInspectedAt, InspectedToday: m.InspectedToday, SourceKey: m.SourceKey, Attributes: m.Attributes,
		UpdatedAt: m.UpdatedAt}
	if m.Frontage != nil {
		p.Frontage = geojson.NewGeometry(m.Frontage)
	}
	if near {
		d := m.DistanceM
		p.DistanceM = &d
	}
	return featureOut{Type: "Feature", ID: m.ID, Geometry: geojson.NewGeometry(m.Location), Properties: p}
}

func (s *Server) listMerchants(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	v := r.URL.Query()
	f := merchants.Filter{Name: q.text("name", maxSearchText), Status: merchants.Status(q.text("status", 20)),
		SubdistrictID: q.int64("subdistrict"), CommunityID: q.int64("community"), BBox: q.bbox("bbox"),
		After: q.int64("after"), Limit: int(q.int64("limit")), Due: q.text("due", 20)}
	if raw := v.Get("near"); raw != "" {
		p, ok := merchantPoint(raw)
		if !ok {
			return apperr.New(apperr.Invalid, "query parameter near: %q is not lon,lat in degrees", merchantClip(raw))
		}
		f.Near = &p
		if raw := v.Get("within_m"); raw != "" {
			m, ok := parseNumber(raw)
			if !ok {
				return apperr.New(apperr.Malformed, "query parameter within_m: %q is not a number", merchantClip(raw))
			}
			f.WithinM = m
		}
	}
	if q.err != nil {
		return q.err
	}
	list, next, err := s.Merchants.ListMerchants(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	out := collectionOut{Type: "FeatureCollection", Features: make([]featureOut, 0, len(list)), Next: next}
	for _, m := range list {
		out.Features = append(out.Features, merchantFeature(m, f.Near != nil))
	}
	setNextLink(w, r, next)
	return writeJSON(w, http.StatusOK, geoJSONType, out)
}

// parsePoint reads lon,lat.
func merchantPoint(raw string) (orb.Point, bool) {
	lon, lat, ok := strings.Cut(raw, ",")
	if !ok {
		return orb.Point{}, false
	}
	x, ok1 := parseNumber(strings.TrimSpace(lon))
	y, ok2 := parseNumber(strings.TrimSpace(lat))
	return orb.Point{x, y}, ok1 && ok2 && x >= -180 && x <= 180 && y >= -90 && y <= 90
}

func merchantClip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

func (s *Server) getMerchant(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	m, err := s.Merchants.Merchant(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, geoJSONType, merchantFeature(m, false))
}

// merchantIn is what a client sends of a shop: the properties of a Feature whose geometry is its
// Point, and for PATCH the same names at the top level with location as [lon, lat].
type merchantIn struct {
	Name         *string         `json:"name"`
	LicenceNo    *string         `json:"licence_no"`
	BusinessType *string         `json:"business_type"`
	Address      *string         `json:"address"`
	ContactName  *string         `json:"contact_name"`
	ContactPhone *string         `json:"contact_phone"`
	Frontage     json.RawMessage `json:"frontage"`
	Attributes   map[string]any  `json:"attributes"`
	Location     *[2]float64     `json:"location"`
}

func merchantDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (s *Server) createMerchant(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var p merchantIn
	f, err := s.decodeFeature(body, &p)
	if err != nil {
		return err
	}
	pt, err := decodeShopPoint(f.Geometry)
	if err != nil {
		return err
	}
	front, err := merchants.DecodeFrontage(p.Frontage)
	if err != nil {
		return err
	}
	m, err := s.Merchants.CreateMerchant(r.Context(), principal(r), merchants.Input{Name: merchantDeref(p.Name), LicenceNo: merchantDeref(p.LicenceNo),
		BusinessType: merchantDeref(p.BusinessType), Address: merchantDeref(p.Address), ContactName: merchantDeref(p.ContactName),
		ContactPhone: merchantDeref(p.ContactPhone), Location: pt, Frontage: front, Attributes: p.Attributes})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/merchants/"+itoa(m.ID))
	return writeJSON(w, http.StatusCreated, geoJSONType, merchantFeature(m, false))
}

// decodeShopPoint reads a shop's GeoJSON Point.
func decodeShopPoint(raw json.RawMessage) (orb.Point, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return orb.Point{}, apperr.New(apperr.Invalid, "geometry is required: the shop's Point")
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return orb.Point{}, apperr.New(apperr.Invalid, "geometry is not a GeoJSON Point: %s", merchantClip(err.Error()))
	}
	pt, ok := g.Coordinates.(orb.Point)
	if !ok {
		return orb.Point{}, apperr.New(apperr.Invalid, "geometry must be the shop's Point, not %s (the frontage goes in properties.frontage)", g.Type)
	}
	return pt, nil
}

func (s *Server) patchMerchant(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var p merchantIn
	if err := s.decodeJSON(w, r, &p); err != nil {
		return err
	}
	patch := merchants.Patch{Name: p.Name, LicenceNo: p.LicenceNo, BusinessType: p.BusinessType, Address: p.Address,
		ContactName: p.ContactName, ContactPhone: p.ContactPhone, Attributes: p.Attributes}
	if p.Location != nil {
		pt := orb.Point{p.Location[0], p.Location[1]}
		patch.Location = &pt
	}
	if string(p.Frontage) == "null" {
		patch.ClearFrontage = true
	} else if patch.Frontage, err = merchants.DecodeFrontage(p.Frontage); err != nil {
		return err
	}
	m, err := s.Merchants.UpdateMerchant(r.Context(), principal(r), id, patch)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, geoJSONType, merchantFeature(m, false))
}

func (s *Server) merchantStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
		Since  string `json:"since"`
		Note   string `json:"note"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	since, err := merchantDate("since", in.Since)
	if err != nil {
		return err
	}
	m, err := s.Merchants.SetStatus(r.Context(), principal(r), id, merchants.StatusChange{Status: merchants.Status(in.Status), Since: since, Note: in.Note})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, geoJSONType, merchantFeature(m, false))
}

// optionalDate reads a YYYY-MM-DD date; empty is the zero time.
func merchantDate(field, raw string) (time.Time, error) {
	if raw == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, raw)
	if err != nil {
		return time.Time{}, apperr.New(apperr.Invalid, "%s %q is not a date such as 2026-03-03", field, merchantClip(raw)).With("field", field)
	}
	return t, nil
}

// importMerchants loads a register sent as CSV or XLSX (by Content-Type, or format=csv|xlsx).
func (s *Server) importMerchants(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	format := q.text("format", 10)
	crs := geo.WGS84
	if raw := q.text("crs", 20); raw != "" {
		c, err := geo.ParseCRS(raw)
		if err != nil {
			return apperr.New(apperr.Invalid, "query parameter crs: %v", err)
		}
		crs = c
	}
	opt := merchants.ImportOptions{Strict: q.bool("strict"), DryRun: q.bool("dry_run"), Label: "POST /api/v1/merchants:import"}
	if q.err != nil {
		return q.err
	}
	if format == "" {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		switch mt {
		case "text/csv":
			format = merchants.FormatCSV
		case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
			format = merchants.FormatXLSX
		}
	}
	if format != merchants.FormatCSV && format != merchants.FormatXLSX {
		return apperr.New(apperr.Malformed, "send the register as CSV (Content-Type: text/csv) or XLSX, or say format=csv|xlsx")
	}
	body := http.MaxBytesReader(w, r.Body, importMaxBytes)
	rows, pre, err := merchants.ReadTable(body, format, crs)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.New(apperr.TooLarge, "the file is over the limit of %d bytes; split it", tooBig.Limit)
	}
	if err != nil {
		return err
	}
	rep, err := s.Merchants.ImportRows(r.Context(), principal(r), rows, pre, opt)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !rep.Complete() {
		status = http.StatusMultiStatus
	}
	return writeJSON(w, status, "application/json", rep)
}
