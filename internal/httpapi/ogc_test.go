package httpapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/incidents"
	"streetchief/internal/registry"
)

type ogcLink struct {
	Href, Rel, Type string
}

type ogcPage struct {
	Type           string           `json:"type"`
	Features       []map[string]any `json:"features"`
	NumberMatched  *int             `json:"numberMatched"`
	NumberReturned int              `json:"numberReturned"`
	Links          []ogcLink        `json:"links"`
}

func linkOf(links []ogcLink, rel string) *ogcLink {
	for i := range links {
		if links[i].Rel == rel {
			return &links[i]
		}
	}
	return nil
}

// getJSON fetches an absolute or server-relative URL and decodes it, checking the content type.
func getJSON(t *testing.T, c *apiClient, url, wantType string, v any) {
	t.Helper()
	status, h, raw := c.fetch("GET", strings.TrimPrefix(url, c.srv.URL), "", "")
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, status, raw)
	}
	if got := h.Get("Content-Type"); got != wantType {
		t.Fatalf("GET %s: Content-Type %q, want %q", url, got, wantType)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func newOGCServer(t *testing.T) (*httptest.Server, *apiClient, *apiClient) {
	t.Helper()
	pool := dbtest.Pool(t)
	svc := auth.NewService(pool, auth.Options{})
	srv := httptest.NewServer(httpapi.New(httpapi.Deps{DB: pool, Registry: registry.NewStore(pool), Auth: svc,
		Incidents: incidents.NewService(pool, routingEngine(t, pool), incidents.Options{})}))
	t.Cleanup(srv.Close)
	return srv, asUser(t, srv, svc, "ogc-admin-"+strings.ToLower(t.Name()), access.Admin, 0), &apiClient{t: t, srv: srv}
}

func TestOGCFeaturesLandingConformanceAndCollections(t *testing.T) {
	_, admin, public := newOGCServer(t)
	var landing struct{ Links []ogcLink }
	getJSON(t, public, "/ogc", "application/json", &landing)
	for _, rel := range []string{"self", "service-desc", "conformance", "data"} {
		if l := linkOf(landing.Links, rel); l == nil || !strings.HasPrefix(l.Href, "http://") {
			t.Errorf("landing page has no absolute %q link: %v", rel, landing.Links)
		}
	}
	var conf struct{ ConformsTo []string }
	getJSON(t, public, "/ogc/conformance", "application/json", &conf)
	for _, c := range []string{"http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core", "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"} {
		if !slices.Contains(conf.ConformsTo, c) {
			t.Errorf("conformsTo lacks %s: %v", c, conf.ConformsTo)
		}
	}
	var cols struct {
		Links       []ogcLink
		Collections []struct {
			ID    string
			Links []ogcLink
		}
	}
	getJSON(t, public, "/ogc/collections", "application/json", &cols)
	var ids []string
	for _, c := range cols.Collections {
		ids = append(ids, c.ID)
		if l := linkOf(c.Links, "items"); l == nil || l.Type != "application/geo+json" || !strings.HasSuffix(l.Href, "/ogc/collections/"+c.ID+"/items") {
			t.Errorf("collection %s has no items link: %v", c.ID, c.Links)
		}
	}
	if !slices.Equal(ids, []string{"admin_units", "areas"}) {
		t.Errorf("anonymous collections %v, want only the public ones", ids)
	}
	getJSON(t, admin, "/ogc/collections", "application/json", &cols)
	if len(cols.Collections) != 3 || cols.Collections[2].ID != "incidents" {
		t.Errorf("signed-in collections %+v, want incidents too", cols.Collections)
	}
	service := linkOf(landing.Links, "service-desc")
	var desc struct{ OpenAPI string }
	getJSON(t, public, service.Href, service.Type, &desc)
	if !strings.HasPrefix(desc.OpenAPI, "3.0") {
		t.Errorf("service-desc is OpenAPI %q, its link says 3.0", desc.OpenAPI)
	}
	var one struct{ ID string }
	getJSON(t, public, "/ogc/collections/areas", "application/json", &one)
	if one.ID != "areas" {
		t.Errorf("collection document: %+v", one)
	}
	if status, _ := public.do("GET", "/ogc/collections/castles/items", ""); status != http.StatusNotFound {
		t.Errorf("unknown collection: %d, want 404", status)
	}
}

func TestOGCItemsPageWithNextLinks(t *testing.T) {
	_, admin, public := newOGCServer(t)
	var features []string
	for i := range 5 {
		features = append(features, areaFeature("park", fmt.Sprintf("OGC公园%d", i), sqAt(141+float64(i)*0.01, 41, 0.001)))
	}
	if status, doc := admin.do("POST", "/api/v1/areas:import", featureCollection(features...)); status != http.StatusOK {
		t.Fatalf("seeding: %d %v", status, doc)
	}
	url := "/ogc/collections/areas/items?bbox=140.9,40.9,141.5,41.5&limit=2"
	seen := map[float64]bool{}
	for pages := 0; url != ""; pages++ {
		if pages > 3 {
			t.Fatal("pagination does not end")
		}
		var page ogcPage
		getJSON(t, public, url, "application/geo+json", &page)
		if page.Type != "FeatureCollection" || page.NumberMatched == nil || *page.NumberMatched != 5 || page.NumberReturned != len(page.Features) {
			t.Fatalf("page %d: type %s, numberMatched %v, numberReturned %d for %d features", pages, page.Type, page.NumberMatched, page.NumberReturned, len(page.Features))
		}
		if l := linkOf(page.Links, "self"); l == nil || l.Type != "application/geo+json" {
			t.Fatalf("page %d has no self link: %v", pages, page.Links)
		}
		if linkOf(page.Links, "alternate") == nil {
			t.Errorf("page %d has no alternate link", pages)
		}
		for _, f := range page.Features {
			seen[f["id"].(float64)] = true
			props := f["properties"].(map[string]any)
			if _, ok := props["responsible"]; !ok || strings.Contains(fmt.Sprint(props), "phone") {
				t.Fatalf("public area properties: %v", props)
			}
		}
		url = ""
		if next := linkOf(page.Links, "next"); next != nil {
			url = next.Href
		}
	}
	if len(seen) != 5 {
		t.Fatalf("saw %d distinct areas over the pages, want 5", len(seen))
	}
	var id float64
	for k := range seen {
		id = k
	}
	var item struct {
		Type  string
		ID    float64
		Links []ogcLink
	}
	getJSON(t, public, fmt.Sprintf("/ogc/collections/areas/items/%d", int64(id)), "application/geo+json", &item)
	if item.Type != "Feature" || item.ID != id || linkOf(item.Links, "self") == nil || linkOf(item.Links, "collection") == nil {
		t.Fatalf("item: %+v", item)
	}
	var plain ogcPage
	getJSON(t, public, "/ogc/collections/admin_units/items?limit=1&f=json", "application/json", &plain)
	if plain.NumberReturned > 1 {
		t.Fatalf("admin units with limit=1 returned %d", plain.NumberReturned)
	}
	if status, doc := public.do("GET", "/ogc/collections/areas/items?limit=0", ""); status != http.StatusBadRequest {
		t.Errorf("limit=0: %d %v, want 400", status, doc)
	}
}

func TestOGCIncidentsNeedSignIn(t *testing.T) {
	_, admin, public := newOGCServer(t)
	if status, doc := public.do("POST", "/api/v1/incidents", `{"category":"street_occupying","lon":141.7,"lat":41.7,"description":"OGC"}`); status >= 300 {
		t.Fatalf("reporting: %d %v", status, doc)
	}
	if status, _ := public.do("GET", "/ogc/collections/incidents/items", ""); status != http.StatusUnauthorized {
		t.Fatalf("anonymous incidents: %d, want 401", status)
	}
	var page ogcPage
	getJSON(t, admin, "/ogc/collections/incidents/items?bbox=141.6,41.6,141.8,41.8", "application/geo+json", &page)
	if page.NumberReturned != 1 || page.Features[0]["geometry"].(map[string]any)["type"] != "Point" {
		t.Fatalf("incidents page: %+v", page)
	}
}
