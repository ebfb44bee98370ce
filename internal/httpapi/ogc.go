package httpapi

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/registry"
)

// OGC API – Features, Part 1: Core with GeoJSON, so that GIS clients (QGIS "Add WFS / OGC API –
// Features layer") read admin units, areas and incidents. Admin units and areas are public (names of
// the responsible, never phones); incidents need sign-in and follow the caller's scope.

var ogcConformance = []string{
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
	"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
}

const crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

type ogcLink struct {
	Href  string `json:"href"`
	Rel   string `json:"rel"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

type ogcCollectionDoc struct {
	ID          string         `json:"id"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	ItemType    string         `json:"itemType"`
	CRS         []string       `json:"crs"`
	Extent      map[string]any `json:"extent,omitempty"`
	Links       []ogcLink      `json:"links"`
}

var ogcTitles = map[string][2]string{
	"admin_units": {"Administrative units", "Districts, subdistricts (街道) and communities (社区/村)"},
	"areas":       {"Managed areas", "Roads, back lanes, compounds, markets, parks, squares and rivers, with who is responsible"},
	"incidents":   {"Incidents", "Reported problems (事件) in the caller's scope; sign-in required"},
}

// baseURL is the scheme and host the client used, so links work behind a proxy that sets
// X-Forwarded-Proto.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) ogcLanding(w http.ResponseWriter, r *http.Request) error {
	b := baseURL(r)
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{
		"title":       "streetchief",
		"description": "Street chief / lane chief responsibility system: admin units, managed areas and incidents",
		"links": []ogcLink{
			{Href: b + "/ogc", Rel: "self", Type: "application/json", Title: "This document"},
			{Href: b + "/api/openapi.json", Rel: "service-desc", Type: openAPIType, Title: "The API definition"},
			{Href: b + "/ogc/conformance", Rel: "conformance", Type: "application/json", Title: "Conformance classes"},
			{Href: b + "/ogc/collections", Rel: "data", Type: "application/json", Title: "Feature collections"},
		},
	})
}

func (s *Server) ogcConformance(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"conformsTo": ogcConformance})
}

func (s *Server) ogcCollectionIDs() []string {
	return []string{"admin_units", "areas", "incidents"}
}

// ogcReadableIDs are the collections the caller may read: a client such as GDAL opens every listed
// collection and gives up on the first 401, so anonymous callers are not offered incidents.
func (s *Server) ogcReadableIDs(r *http.Request) []string {
	ids := s.ogcCollectionIDs()
	if !principal(r).SignedIn() {
		ids = slices.DeleteFunc(ids, func(id string) bool { return id == "incidents" })
	}
	return ids
}

func (s *Server) ogcCollectionDoc(r *http.Request, id string, extent *orb.Bound) ogcCollectionDoc {
	b := baseURL(r) + "/ogc/collections/" + id
	d := ogcCollectionDoc{ID: id, Title: ogcTitles[id][0], Description: ogcTitles[id][1], ItemType: "feature", CRS: []string{crs84},
		Links: []ogcLink{
			{Href: b, Rel: "self", Type: "application/json", Title: "This collection"},
			{Href: b + "/items", Rel: "items", Type: geoJSONType, Title: "Its features"},
		}}
	if extent != nil {
		d.Extent = map[string]any{"spatial": map[string]any{"crs": crs84,
			"bbox": [][]float64{{extent.Min[0], extent.Min[1], extent.Max[0], extent.Max[1]}}}}
	}
	return d
}

func (s *Server) ogcCollections(w http.ResponseWriter, r *http.Request) error {
	areas, units, err := s.RegistryReads.Extents(r.Context())
	if err != nil {
		return err
	}
	ext := map[string]*orb.Bound{"areas": areas, "admin_units": units, "incidents": areas}
	var docs []ogcCollectionDoc
	for _, id := range s.ogcReadableIDs(r) {
		docs = append(docs, s.ogcCollectionDoc(r, id, ext[id]))
	}
	b := baseURL(r)
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{
		"links":       []ogcLink{{Href: b + "/ogc/collections", Rel: "self", Type: "application/json", Title: "This document"}},
		"collections": docs,
	})
}

func (s *Server) ogcCollectionID(r *http.Request) (string, error) {
	id := chi.URLParam(r, "collection")
	for _, c := range s.ogcCollectionIDs() {
		if c == id {
			return id, nil
		}
	}
	return "", apperr.New(apperr.NotFound, "no collection %q (collections: %s)", id, strings.Join(s.ogcCollectionIDs(), ", "))
}

func (s *Server) ogcCollection(w http.ResponseWriter, r *http.Request) error {
	id, err := s.ogcCollectionID(r)
	if err != nil {
		return err
	}
	areas, units, err := s.RegistryReads.Extents(r.Context())
	if err != nil {
		return err
	}
	ext := areas
	if id == "admin_units" {
		ext = units
	}
	return writeJSON(w, http.StatusOK, "application/json", s.ogcCollectionDoc(r, id, ext))
}

const (
	ogcDefaultLimit = 100
	ogcMaxLimit     = 10_000
)

// ogcQuery reads limit, offset, bbox and datetime (an instant, or start/end with ".." open).
func ogcQuery(r *http.Request) (registry.FeatureQuery, error) {
	q := &query{r: r}
	fq := registry.FeatureQuery{Limit: int(q.int64("limit")), Offset: int(q.int64("offset")), BBox: q.bbox("bbox")}
	if q.err != nil {
		return fq, q.err
	}
	switch {
	case fq.Limit == 0 && r.URL.Query().Get("limit") == "":
		fq.Limit = ogcDefaultLimit
	case fq.Limit < 1:
		return fq, apperr.New(apperr.Malformed, "query parameter limit: must be at least 1")
	case fq.Limit > ogcMaxLimit:
		fq.Limit = ogcMaxLimit
	}
	if dt := r.URL.Query().Get("datetime"); dt != "" {
		parts := strings.Split(dt, "/")
		if len(parts) > 2 {
			return fq, apperr.New(apperr.Malformed, "query parameter datetime: %q is not an instant or an interval start/end", dt)
		}
		var ts [2]*time.Time
		for i, p := range parts {
			if p == ".." || p == "" {
				continue
			}
			t, err := time.Parse(time.RFC3339, p)
			if err != nil {
				return fq, apperr.New(apperr.Malformed, "query parameter datetime: %q is not an RFC 3339 time", p)
			}
			ts[i] = &t
		}
		fq.From, fq.To = ts[0], ts[1]
		if len(parts) == 1 {
			fq.To = fq.From
		}
	}
	return fq, nil
}

// ogcPage is a GeoJSON FeatureCollection page with the OGC members.
type ogcPage struct {
	Type           string    `json:"type"`
	Features       []any     `json:"features"`
	NumberMatched  *int64    `json:"numberMatched,omitempty"`
	NumberReturned int       `json:"numberReturned"`
	TimeStamp      string    `json:"timeStamp"`
	Links          []ogcLink `json:"links"`
}

// pageLink is this request's URL with some query parameters replaced.
func pageLink(r *http.Request, set map[string]string) string {
	u := url.URL{Path: r.URL.Path}
	qs := r.URL.Query()
	for k, v := range set {
		qs.Set(k, v)
	}
	u.RawQuery = qs.Encode()
	return baseURL(r) + u.String()
}

func (s *Server) ogcItems(w http.ResponseWriter, r *http.Request) error {
	id, err := s.ogcCollectionID(r)
	if err != nil {
		return err
	}
	fq, err := ogcQuery(r)
	if err != nil {
		return err
	}
	page := ogcPage{Type: "FeatureCollection", Features: []any{}, TimeStamp: time.Now().UTC().Format(time.RFC3339)}
	next := ""
	switch id {
	case "areas":
		list, matched, err := s.RegistryReads.PublicAreas(r.Context(), fq)
		if err != nil {
			return err
		}
		for _, a := range list {
			page.Features = append(page.Features, publicAreaFeature(a))
		}
		page.NumberMatched = &matched
		if int64(fq.Offset+len(list)) < matched {
			next = pageLink(r, map[string]string{"offset": strconv.Itoa(fq.Offset + len(list)), "limit": strconv.Itoa(fq.Limit)})
		}
	case "admin_units":
		list, matched, err := s.RegistryReads.PublicAdminUnits(r.Context(), fq)
		if err != nil {
			return err
		}
		for _, u := range list {
			page.Features = append(page.Features, ogcAdminUnitFeature(u))
		}
		page.NumberMatched = &matched
		if int64(fq.Offset+len(list)) < matched {
			next = pageLink(r, map[string]string{"offset": strconv.Itoa(fq.Offset + len(list)), "limit": strconv.Itoa(fq.Limit)})
		}
	case "incidents":
		// Incidents page by keyset (newest first): the next link carries before=, not offset=.
		q := &query{r: r}
		f := incidents.Filter{BBox: fq.BBox, From: fq.From, To: fq.To, Limit: fq.Limit, Before: q.int64("before")}
		if q.err != nil {
			return q.err
		}
		if !principal(r).SignedIn() {
			return apperr.New(apperr.Unauthorized, "sign in to read incidents")
		}
		list, nextID, err := s.Incidents.List(r.Context(), principal(r), f)
		if err != nil {
			return err
		}
		for _, in := range list {
			page.Features = append(page.Features, incidentFeature(in))
		}
		if nextID != 0 {
			next = pageLink(r, map[string]string{"before": strconv.FormatInt(nextID, 10), "limit": strconv.Itoa(fq.Limit)})
		}
	}
	page.NumberReturned = len(page.Features)
	page.Links = []ogcLink{
		{Href: pageLink(r, nil), Rel: "self", Type: geoJSONType, Title: "This page"},
		{Href: pageLink(r, map[string]string{"f": "json"}), Rel: "alternate", Type: "application/json", Title: "This page as plain JSON"},
		{Href: baseURL(r) + "/ogc/collections/" + id, Rel: "collection", Type: "application/json", Title: "The collection"},
	}
	if next != "" {
		page.Links = append(page.Links, ogcLink{Href: next, Rel: "next", Type: geoJSONType, Title: "Next page"})
	}
	return writeJSON(w, http.StatusOK, ogcItemsType(r), page)
}

// ogcItemsType is GeoJSON's media type unless the client asked for plain JSON with f=json.
func ogcItemsType(r *http.Request) string {
	if r.URL.Query().Get("f") == "json" {
		return "application/json"
	}
	return geoJSONType
}

func (s *Server) ogcItem(w http.ResponseWriter, r *http.Request) error {
	id, err := s.ogcCollectionID(r)
	if err != nil {
		return err
	}
	fid, err := idParam(r, "feature")
	if err != nil {
		return err
	}
	var f featureOut
	switch id {
	case "areas":
		a, err := s.RegistryReads.PublicArea(r.Context(), fid)
		if err != nil {
			return err
		}
		f = publicAreaFeature(a)
	case "admin_units":
		u, err := s.RegistryReads.AdminUnit(r.Context(), principal(r), fid)
		if err != nil {
			return err
		}
		f = ogcAdminUnitFeature(u)
	case "incidents":
		if !principal(r).SignedIn() {
			return apperr.New(apperr.Unauthorized, "sign in to read incidents")
		}
		in, err := s.Incidents.Incident(r.Context(), principal(r), fid)
		if err != nil {
			return err
		}
		in.Events = nil
		f = incidentFeature(in)
	}
	self := baseURL(r) + "/ogc/collections/" + id + "/items/" + strconv.FormatInt(fid, 10)
	return writeJSON(w, http.StatusOK, ogcItemsType(r), ogcItemDoc{featureOut: f, Links: []ogcLink{
		{Href: self, Rel: "self", Type: geoJSONType, Title: "This feature"},
		{Href: baseURL(r) + "/ogc/collections/" + id, Rel: "collection", Type: "application/json", Title: "The collection"}}})
}

type ogcItemDoc struct {
	featureOut
	Links []ogcLink `json:"links"`
}

// publicAreaFeature is an area as the public feature service shows it: the properties of an exported
// file (names of the responsible, never phones).
func publicAreaFeature(a registry.ExportArea) featureOut {
	return featureOut{Type: "Feature", ID: a.ID, Geometry: geojson.NewGeometry(a.Geom), Properties: a.Properties()}
}

func ogcAdminUnitFeature(u registry.AdminUnit) featureOut {
	return featureOut{Type: "Feature", ID: u.ID, Geometry: geojson.NewGeometry(u.Boundary), Properties: map[string]any{
		"level": u.Level, "code": u.Code, "name": u.Name, "parent_id": u.ParentID, "updated_at": u.UpdatedAt}}
}

func incidentFeature(in incidents.Incident) featureOut {
	return featureOut{Type: "Feature", ID: in.ID, Geometry: geojson.NewGeometry(orb.Point{in.Lon, in.Lat}), Properties: in}
}
