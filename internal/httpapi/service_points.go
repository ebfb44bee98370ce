package httpapi

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"streetchief/geo"
	"streetchief/internal/apperr"
	"streetchief/internal/servicepoints"
)

// servicePointProps are a point's GeoJSON properties; contacts and revisions only where the caller's
// scope holds the point (servicepoints blanks them otherwise).
type servicePointProps struct {
	Type            string                       `json:"type"`
	Name            string                       `json:"name"`
	Address         string                       `json:"address"`
	Hours           []servicepoints.Window       `json:"hours"`
	HoursText       string                       `json:"hours_text"`
	OpenNow         bool                         `json:"open_now"`
	OperatorOrg     string                       `json:"operator_org"`
	ContactName     string                       `json:"contact_name,omitempty"`
	ContactPhone    string                       `json:"contact_phone,omitempty"`
	Capacity        *int                         `json:"capacity"`
	Status          servicepoints.Status         `json:"status"`
	StatusSince     string                       `json:"status_since"`
	SubdistrictID   int64                        `json:"subdistrict_id"`
	SubdistrictName string                       `json:"subdistrict"`
	CommunityID     int64                        `json:"community_id,omitempty"`
	CommunityName   string                       `json:"community,omitempty"`
	InScope         bool                         `json:"in_scope"`
	RevisedAt       time.Time                    `json:"revised_at"`
	Statuses        []servicepoints.StatusChange `json:"statuses,omitempty"`
	Revisions       []servicepoints.Revision     `json:"revisions,omitempty"`
}

func servicePointFeature(p servicepoints.Point, now time.Time) featureOut {
	return featureOut{Type: "Feature", ID: p.ID, Geometry: geojson.NewGeometry(p.Location), Properties: servicePointProps{
		Type: p.Type, Name: p.Name, Address: p.Address, Hours: p.Hours, HoursText: servicepoints.HoursText(p.Hours),
		OpenNow: p.Status == servicepoints.Open && servicepoints.OpenAt(p.Hours, now), OperatorOrg: p.OperatorOrg,
		ContactName: p.ContactName, ContactPhone: p.ContactPhone, Capacity: p.Capacity, Status: p.Status,
		StatusSince: p.StatusSince.Format(time.DateOnly), SubdistrictID: p.SubdistrictID, SubdistrictName: p.SubdistrictName,
		CommunityID: p.CommunityID, CommunityName: p.CommunityName, InScope: p.InScope, RevisedAt: p.RevisedAt,
		Statuses: p.Statuses, Revisions: p.Revisions}}
}

func (s *Server) listServicePoints(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	f := servicepoints.Filter{Type: q.text("type", 40), Status: servicepoints.Status(q.text("status", 20)),
		SubdistrictID: q.int64("subdistrict"), CommunityID: q.int64("community"), BBox: q.bbox("bbox"), Limit: int(q.int64("limit"))}
	format := q.text("format", 10)
	if q.err != nil {
		return q.err
	}
	if format != "" && format != "geojson" && format != "csv" {
		return apperr.New(apperr.Malformed, "format %q is not geojson or csv", merchantClip(format))
	}
	list, err := s.ServicePoints.List(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	if format == "csv" {
		return writeServicePointsCSV(w, list)
	}
	now := time.Now()
	out := collectionOut{Type: "FeatureCollection", Features: make([]featureOut, 0, len(list))}
	for _, p := range list {
		out.Features = append(out.Features, servicePointFeature(p, now))
	}
	return writeJSON(w, http.StatusOK, geoJSONType, out)
}

func (s *Server) getServicePoint(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	p, err := s.ServicePoints.Get(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, geoJSONType, servicePointFeature(p, time.Now()))
}

// servicePointIn is what a client sends of a point: a Feature's properties on POST (its geometry the
// Point), and the same names at the top level on PATCH, with location as [lon, lat] and a reason.
type servicePointIn struct {
	Type         *string         `json:"type"`
	Name         *string         `json:"name"`
	Address      *string         `json:"address"`
	Hours        json.RawMessage `json:"hours"`
	OperatorOrg  *string         `json:"operator_org"`
	ContactName  *string         `json:"contact_name"`
	ContactPhone *string         `json:"contact_phone"`
	Capacity     json.RawMessage `json:"capacity"`
	OpenedOn     string          `json:"opened_on"`
	Location     *[2]float64     `json:"location"`
	Reason       string          `json:"reason"`
}

// capacity reads the capacity: absent or null is none given.
func (in servicePointIn) capacity() (*int, bool, error) {
	if len(in.Capacity) == 0 || string(in.Capacity) == "null" {
		return nil, string(in.Capacity) == "null", nil
	}
	var n int
	if err := json.Unmarshal(in.Capacity, &n); err != nil {
		return nil, false, apperr.New(apperr.Invalid, "capacity must be a whole number of people").With("field", "capacity")
	}
	return &n, false, nil
}

// servicePointCRS is the crs= of a write: the system the client's coordinates are in (GCJ-02 from
// Chinese web maps, say), turned into WGS-84 here.
func servicePointCRS(r *http.Request) (geo.CRS, error) {
	raw := r.URL.Query().Get("crs")
	if raw == "" {
		return geo.WGS84, nil
	}
	c, err := geo.ParseCRS(raw)
	if err != nil {
		return c, apperr.New(apperr.Invalid, "crs %q is not one of wgs84, cgcs2000, gcj02, bd09", merchantClip(raw)).With("field", "crs")
	}
	return c, nil
}

func (s *Server) createServicePoint(w http.ResponseWriter, r *http.Request) error {
	crs, err := servicePointCRS(r)
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	var p servicePointIn
	f, err := s.decodeFeature(body, &p)
	if err != nil {
		return err
	}
	pt, err := decodeShopPoint(f.Geometry)
	if err != nil {
		return err
	}
	hours, err := servicepoints.ParseHours(p.Hours)
	if err != nil {
		return err
	}
	capacity, _, err := p.capacity()
	if err != nil {
		return err
	}
	opened, err := merchantDate("opened_on", p.OpenedOn)
	if err != nil {
		return err
	}
	sp, err := s.ServicePoints.Create(r.Context(), principal(r), servicepoints.Input{Type: merchantDeref(p.Type), Name: merchantDeref(p.Name),
		Location: geo.ToWGS84(pt, crs), Address: merchantDeref(p.Address), Hours: hours, OperatorOrg: merchantDeref(p.OperatorOrg),
		ContactName: merchantDeref(p.ContactName), ContactPhone: merchantDeref(p.ContactPhone), Capacity: capacity}, opened, p.Reason)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/service-points/"+itoa(sp.ID))
	return writeJSON(w, http.StatusCreated, geoJSONType, servicePointFeature(sp, time.Now()))
}

func (s *Server) reviseServicePoint(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	crs, err := servicePointCRS(r)
	if err != nil {
		return err
	}
	var p servicePointIn
	if err := s.decodeJSON(w, r, &p); err != nil {
		return err
	}
	if p.OpenedOn != "" {
		return apperr.New(apperr.Invalid, "opened_on is set by POST …:reopen, not by a revision").With("field", "opened_on")
	}
	patch := servicepoints.Patch{Type: p.Type, Name: p.Name, Address: p.Address, OperatorOrg: p.OperatorOrg, ContactName: p.ContactName,
		ContactPhone: p.ContactPhone, Reason: p.Reason}
	if p.Location != nil {
		pt := geo.ToWGS84(orb.Point{p.Location[0], p.Location[1]}, crs)
		patch.Location = &pt
	}
	if len(p.Hours) > 0 {
		if patch.Hours, err = servicepoints.ParseHours(p.Hours); err != nil {
			return err
		}
	}
	if patch.Capacity, patch.ClearCapacity, err = p.capacity(); err != nil {
		return err
	}
	sp, err := s.ServicePoints.Revise(r.Context(), principal(r), id, patch)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, geoJSONType, servicePointFeature(sp, time.Now()))
}

// setServicePointStatus answers POST …:close and …:reopen ({"reason", "since"}).
func (s *Server) setServicePointStatus(status servicepoints.Status) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := idParam(r, "id")
		if err != nil {
			return err
		}
		var in struct {
			Reason string `json:"reason"`
			Since  string `json:"since"`
		}
		if err := s.decodeJSON(w, r, &in); err != nil {
			return err
		}
		since, err := merchantDate("since", in.Since)
		if err != nil {
			return err
		}
		sp, err := s.ServicePoints.SetStatus(r.Context(), principal(r), id, status, since, in.Reason)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, geoJSONType, servicePointFeature(sp, time.Now()))
	}
}

func (s *Server) listServicePointTypes(w http.ResponseWriter, r *http.Request) error {
	types, err := s.ServicePoints.Types(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"types": types})
}

func (s *Server) addServicePointType(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code         string `json:"code"`
		NameZh       string `json:"name_zh"`
		NameEn       string `json:"name_en"`
		GapDistanceM int    `json:"gap_distance_m"`
		Colour       string `json:"colour"`
		SortOrder    int    `json:"sort_order"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := s.ServicePoints.AddType(r.Context(), principal(r), servicepoints.Type{Code: in.Code, NameZh: in.NameZh, NameEn: in.NameEn,
		GapDistanceM: in.GapDistanceM, Colour: in.Colour, SortOrder: in.SortOrder})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", t)
}

func (s *Server) retireServicePointType(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := s.ServicePoints.RetireType(r.Context(), principal(r), chi.URLParam(r, "code"), in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", t)
}

// writeServicePointsCSV writes the register as the caller may read it (contacts only in scope), with
// a byte order mark so that Excel opens the Chinese names correctly.
func writeServicePointsCSV(w http.ResponseWriter, list []servicepoints.Point) error {
	var buf bytes.Buffer
	buf.WriteString("\uFEFF")
	cw := csv.NewWriter(&buf)
	rows := [][]string{{"id", "type", "name", "lon", "lat", "address", "hours", "operator_org", "contact_name", "contact_phone",
		"capacity", "status", "status_since", "subdistrict", "community"}}
	for _, p := range list {
		capacity := ""
		if p.Capacity != nil {
			capacity = strconv.Itoa(*p.Capacity)
		}
		rows = append(rows, []string{itoa(p.ID), p.Type, p.Name, strconv.FormatFloat(p.Location[0], 'f', 7, 64), strconv.FormatFloat(p.Location[1], 'f', 7, 64),
			p.Address, servicepoints.HoursText(p.Hours), p.OperatorOrg, p.ContactName, p.ContactPhone, capacity, string(p.Status),
			p.StatusSince.Format(time.DateOnly), p.SubdistrictName, p.CommunityName})
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="service-points.csv"`)
	_, err := buf.WriteTo(w)
	return err
}
