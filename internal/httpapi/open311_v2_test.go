package httpapi_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/httpapi"
	"streetchief/internal/incidents"
	"streetchief/internal/registry"
)

// open311Errors decodes an Open311 error answer, JSON or XML by the path, and fails on anything else
// (a problem document included).
func open311Errors(t *testing.T, resp *http.Response, raw []byte, xmlFormat bool) []int {
	t.Helper()
	var codes []int
	if xmlFormat {
		var doc struct {
			XMLName xml.Name `xml:"errors"`
			Errors  []struct {
				Code        int    `xml:"code"`
				Description string `xml:"description"`
			} `xml:"error"`
		}
		if err := xml.Unmarshal(raw, &doc); err != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
			t.Fatalf("not an Open311 XML error (%s): %v %s", resp.Header.Get("Content-Type"), err, raw)
		}
		for _, e := range doc.Errors {
			codes = append(codes, e.Code)
		}
		return codes
	}
	var doc []struct {
		Code        int    `json:"code"`
		Description string `json:"description"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("not an Open311 JSON error (%s): %v %s", resp.Header.Get("Content-Type"), err, raw)
	}
	for _, e := range doc {
		if e.Description == "" {
			t.Fatalf("error without a description: %s", raw)
		}
		codes = append(codes, e.Code)
	}
	return codes
}

func TestOpen311ServiceDefinitionListsItsAttributes(t *testing.T) {
	w := newIncidentWorld(t)
	resp, raw := w.public.send("GET", "/open311/v2/services/street_occupying.json", "", nil, nil)
	var def struct {
		ServiceCode string `json:"service_code"`
		Attributes  []struct {
			Variable    bool   `json:"variable"`
			Code        string `json:"code"`
			Datatype    string `json:"datatype"`
			Required    bool   `json:"required"`
			Order       int    `json:"order"`
			Description string `json:"description"`
			Values      []struct{ Key, Name string }
		} `json:"attributes"`
	}
	if err := json.Unmarshal(raw, &def); err != nil || resp.StatusCode != 200 || def.ServiceCode != "street_occupying" || len(def.Attributes) == 0 {
		t.Fatalf("%d %v %s", resp.StatusCode, err, raw)
	}
	crs := def.Attributes[0]
	if crs.Code != "crs" || !crs.Variable || crs.Datatype != "singlevaluelist" || crs.Required || len(crs.Values) != 4 || crs.Order != 1 {
		t.Fatalf("crs attribute: %+v", crs)
	}
	resp, raw = w.public.send("GET", "/open311/v2/services/street_occupying.xml", "", nil, nil)
	var xdef struct {
		XMLName    xml.Name `xml:"service_definition"`
		Code       string   `xml:"service_code"`
		Attributes []struct {
			Code   string `xml:"code"`
			Values []struct {
				Key  string `xml:"key"`
				Name string `xml:"name"`
			} `xml:"values>value"`
		} `xml:"attributes>attribute"`
	}
	if err := xml.Unmarshal(raw, &xdef); err != nil || resp.StatusCode != 200 || xdef.Code != "street_occupying" ||
		len(xdef.Attributes) == 0 || len(xdef.Attributes[0].Values) != 4 {
		t.Fatalf("%d %v %s", resp.StatusCode, err, raw)
	}
	// A report in GCJ-02 (what Chinese map apps give) through the attribute lands where it really is.
	p := w.inMarket()
	form := url.Values{"service_code": {"street_occupying"}, "lat": {fmt.Sprint(p[1])}, "long": {fmt.Sprint(p[0])}, "attribute[crs]": {"wgs84"}}
	if resp, raw := w.public.send("POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded", []byte(form.Encode()), nil); resp.StatusCode != 201 {
		t.Fatalf("report with attribute[crs]: %d %s", resp.StatusCode, raw)
	}
	form.Set("attribute[colour]", "red")
	before := incidentCounts(t)
	resp, raw = w.public.send("POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	if codes := open311Errors(t, resp, raw, false); resp.StatusCode != 400 || len(codes) != 1 || codes[0] != 400 {
		t.Fatalf("unknown attribute: %d %s", resp.StatusCode, raw)
	}
	if incidentCounts(t) != before {
		t.Fatal("a refused report wrote")
	}
}

func TestOpen311AnswersEveryErrorInItsOwnFormat(t *testing.T) {
	w := newIncidentWorld(t)
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/open311/v2/services/castles.json", 404},
		{"GET", "/open311/v2/services/castles.xml", 404},
		{"GET", "/open311/v2/nothing-here.json", 404},
		{"GET", "/open311/v2/nothing/here.xml", 404},
		{"GET", "/open311/v3/services.json", 404},
		{"GET", "/open311/v2/services.html", 404},
		{"DELETE", "/open311/v2/requests.json", 405},
		{"GET", "/open311/v2/services.json?jurisdiction_id=elsewhere.example", 404},
		{"GET", "/open311/v2/requests.xml?jurisdiction_id=elsewhere.example", 404},
		{"GET", "/open311/v2/services/street_occupying.json?jurisdiction_id=elsewhere.example", 404},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			resp, raw := w.public.send(tc.method, tc.path, "", nil, nil)
			codes := open311Errors(t, resp, raw, strings.Contains(tc.path, ".xml"))
			if resp.StatusCode != tc.want || len(codes) != 1 || codes[0] != tc.want {
				t.Fatalf("%d %s, want %d", resp.StatusCode, raw, tc.want)
			}
		})
	}
	resp, raw := w.public.send("GET", "/open311/v2/services.json?jurisdiction_id=xinluo.example", "", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("the deployment's own jurisdiction: %d %s", resp.StatusCode, raw)
	}
	_, raw = w.public.send("GET", "/open311/v2/discovery.json", "", nil, nil)
	var disc struct {
		KeyService string `json:"key_service"`
	}
	if err := json.Unmarshal(raw, &disc); err != nil || disc.KeyService == "" {
		t.Fatalf("discovery without key_service: %s", raw)
	}
}

func TestOpen311RequestsSayWhereAndWhoIsResponsible(t *testing.T) {
	w := newIncidentWorld(t)
	p := w.inMarket()
	post := func(extra url.Values) string {
		form := url.Values{"service_code": {"street_occupying"}, "lat": {fmt.Sprint(p[1])}, "long": {fmt.Sprint(p[0])}, "jurisdiction_id": {"xinluo.example"}}
		for k, v := range extra {
			form[k] = v
		}
		resp, raw := w.public.send("POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
		var created []struct {
			ID string `json:"service_request_id"`
		}
		if err := json.Unmarshal(raw, &created); err != nil || resp.StatusCode != 201 || len(created) != 1 {
			t.Fatalf("%d %s", resp.StatusCode, raw)
		}
		return created[0].ID
	}
	located, given := post(nil), post(url.Values{"address_string": {"中山路12号 夜市东口"}})
	for id, want := range map[string]string{located: "夜市 · 甲社区 · 新罗街道", given: "中山路12号 夜市东口"} {
		_, raw := w.public.send("GET", "/open311/v2/requests/"+id+".json", "", nil, nil)
		var got []struct {
			Address           string `json:"address"`
			AgencyResponsible string `json:"agency_responsible"`
		}
		if err := json.Unmarshal(raw, &got); err != nil || len(got) != 1 {
			t.Fatalf("%v %s", err, raw)
		}
		if got[0].Address != want {
			t.Errorf("request %s: address %q, want %q", id, got[0].Address, want)
		}
		if got[0].AgencyResponsible != "夜市经理 (area manager)" {
			t.Errorf("request %s: agency_responsible %q, want the market's manager and post", id, got[0].AgencyResponsible)
		}
	}
	before := incidentCounts(t)
	form := url.Values{"service_code": {"street_occupying"}, "lat": {fmt.Sprint(p[1])}, "long": {fmt.Sprint(p[0])}, "jurisdiction_id": {"elsewhere.example"}}
	resp, raw := w.public.send("POST", "/open311/v2/requests.xml", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	if codes := open311Errors(t, resp, raw, true); resp.StatusCode != 404 || len(codes) != 1 {
		t.Fatalf("report for another jurisdiction: %d %s", resp.StatusCode, raw)
	}
	if incidentCounts(t) != before {
		t.Fatal("a refused report wrote")
	}
}

func TestOpen311KeysLiftThePublicLimitAndBadKeysAreRefused(t *testing.T) {
	w := newIncidentWorld(t)
	pool := dbtest.Pool(t)
	authSvc := auth.NewService(pool, auth.Options{})
	srv := httptest.NewServer(httpapi.New(httpapi.Deps{DB: pool, Registry: registry.NewStore(pool), Auth: authSvc,
		Incidents: incidents.NewService(pool, routingEngine(t, pool), incidents.Options{}), PublicReportsPerMinute: 2}))
	t.Cleanup(srv.Close)
	admin := asUser(t, srv, authSvc, fmt.Sprintf("o311-admin-%f", w.x), access.Admin, 0)
	leader := asUser(t, srv, authSvc, fmt.Sprintf("o311-leader-%f", w.x), access.DistrictLeader, 0)
	public := &apiClient{t: t, srv: srv}
	expires := time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339)
	issue := func(name, jurisdiction string, perMinute int) (string, int64) {
		t.Helper()
		status, doc := admin.do("POST", "/api/v1/open311-keys", fmt.Sprintf(`{"name":%q,"jurisdiction":%q,"per_minute":%d,"expires_at":%q}`, name, jurisdiction, perMinute, expires))
		if status != http.StatusCreated {
			t.Fatalf("issuing a key: %d %v", status, doc)
		}
		k := doc["open311_key"].(map[string]any)
		return doc["api_key"].(string), int64(k["id"].(float64))
	}
	hotline, hotlineID := issue("12345 热线", "xinluo.example", 5)
	other, _ := issue("邻区", "elsewhere.example", 5)
	if status, _ := leader.do("POST", "/api/v1/open311-keys", `{"name":"x","jurisdiction":"xinluo.example","per_minute":5,"expires_at":"`+expires+`"}`); status != http.StatusForbidden {
		t.Fatalf("a district leader issued a key: %d", status)
	}
	if status, doc := admin.do("POST", "/api/v1/open311-keys", `{"name":"x","jurisdiction":"xinluo.example","per_minute":0,"expires_at":"`+expires+`"}`); status != http.StatusUnprocessableEntity {
		t.Fatalf("a key without a limit: %d %v", status, doc)
	}

	report := func(key string) (*http.Response, []byte) {
		form := url.Values{"service_code": {"random_piling"}, "lat": {fmt.Sprint(w.inMarket()[1])}, "long": {fmt.Sprint(w.inMarket()[0])}}
		if key != "" {
			form.Set("api_key", key)
		}
		return public.send("POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	}
	for i := range 5 {
		if resp, raw := report(hotline); resp.StatusCode != 201 {
			t.Fatalf("keyed report %d (the anonymous limit is 2): %d %s", i, resp.StatusCode, raw)
		}
	}
	if resp, raw := report(hotline); resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a sixth keyed report in a minute (its limit is 5): %d %s", resp.StatusCode, raw)
	}
	for name, key := range map[string]string{"made up": "o311_" + strings.Repeat("A", 43), "garbage": "letmein", "another jurisdiction's": other} {
		before := incidentCounts(t)
		resp, raw := report(key)
		if codes := open311Errors(t, resp, raw, false); resp.StatusCode != http.StatusForbidden || len(codes) != 1 || codes[0] != 403 {
			t.Fatalf("%s key: %d %s, want 403", name, resp.StatusCode, raw)
		}
		if incidentCounts(t) != before {
			t.Fatalf("%s key: a refused report wrote", name)
		}
	}
	status, doc := admin.do("GET", "/api/v1/open311-keys", "")
	if status != 200 || !strings.Contains(fmt.Sprint(doc), "12345 热线") || strings.Contains(fmt.Sprint(doc), hotline) {
		t.Fatalf("listing keys: %d %v", status, doc)
	}
	if status, doc := admin.do("DELETE", fmt.Sprintf("/api/v1/open311-keys/%d", hotlineID), ""); status != 200 || doc["revoked_at"] == nil {
		t.Fatalf("revoking: %d %v", status, doc)
	}
	if resp, raw := report(hotline); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a revoked key: %d %s", resp.StatusCode, raw)
	}
	if resp, raw := public.send("GET", "/open311/v2/services.json?api_key=letmein", "", nil, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a bad key on a read: %d %s", resp.StatusCode, raw)
	}
}
