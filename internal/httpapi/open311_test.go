package httpapi_test

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestOpen311DiscoveryAndServices(t *testing.T) {
	w := newIncidentWorld(t)
	resp, raw := w.public.send("GET", "/open311/v2/discovery.json", "", nil, nil)
	var disc struct {
		Endpoints []struct {
			Specification, URL string
			Formats            []string
		}
	}
	if err := json.Unmarshal(raw, &disc); err != nil || resp.StatusCode != 200 || len(disc.Endpoints) != 1 ||
		disc.Endpoints[0].Specification != "http://wiki.open311.org/GeoReport_v2" || !strings.HasSuffix(disc.Endpoints[0].URL, "/open311/v2") {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	_, raw = w.public.send("GET", "/open311/v2/services.json", "", nil, nil)
	var services []struct {
		ServiceCode string `json:"service_code"`
		ServiceName string `json:"service_name"`
		Type        string
	}
	if err := json.Unmarshal(raw, &services); err != nil || len(services) != 7 {
		t.Fatalf("%v %s", err, raw)
	}
	resp, raw = w.public.send("GET", "/open311/v2/services.xml", "", nil, nil)
	var xs struct {
		XMLName  xml.Name `xml:"services"`
		Services []struct {
			Code string `xml:"service_code"`
			Name string `xml:"service_name"`
		} `xml:"service"`
	}
	if err := xml.Unmarshal(raw, &xs); err != nil || len(xs.Services) != 7 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
		t.Fatalf("%v %s", err, raw)
	}
	for _, s := range xs.Services {
		if s.Code == "street_occupying" && s.Name != "占道经营" {
			t.Fatalf("service %+v", s)
		}
	}
}

func TestOpen311ReportAndFetchARequest(t *testing.T) {
	w := newIncidentWorld(t)
	p := w.inMarket()
	form := url.Values{"service_code": {"street_occupying"}, "lat": {fmt.Sprint(p[1])}, "long": {fmt.Sprint(p[0])},
		"description": {"夜市占道"}, "media_url": {"https://example.org/p.jpg"}, "email": {"a@example.org"}}
	resp, raw := w.public.send("POST", "/open311/v2/requests.json", "application/x-www-form-urlencoded", []byte(form.Encode()), nil)
	var created []struct {
		ID       string `json:"service_request_id"`
		Tracking string `json:"tracking_number"`
	}
	if err := json.Unmarshal(raw, &created); err != nil || resp.StatusCode != http.StatusCreated || len(created) != 1 || created[0].ID == "" {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	// A reporter through an Open311 client follows the case by its tracking number, as on the web form.
	if status, doc := w.public.do("GET", "/api/v1/tracking/"+url.PathEscape(created[0].Tracking), ""); status != 200 ||
		doc["tracking_number"] != created[0].Tracking || created[0].Tracking == "" {
		t.Fatalf("tracking number %q of the Open311 answer: %d %v", created[0].Tracking, status, doc)
	}
	_, raw = w.public.send("GET", "/open311/v2/requests/"+created[0].ID+".xml", "", nil, nil)
	var got struct {
		Requests []struct {
			ID          string  `xml:"service_request_id"`
			Status      string  `xml:"status"`
			ServiceCode string  `xml:"service_code"`
			Lat         float64 `xml:"lat"`
			MediaURL    string  `xml:"media_url"`
		} `xml:"request"`
	}
	if err := xml.Unmarshal(raw, &got); err != nil || len(got.Requests) != 1 || got.Requests[0].Status != "open" ||
		got.Requests[0].ServiceCode != "street_occupying" || got.Requests[0].MediaURL != "https://example.org/p.jpg" {
		t.Fatalf("%v %s", err, raw)
	}
	_, raw = w.public.send("GET", "/open311/v2/requests.json?status=open&service_code=street_occupying&service_request_id="+created[0].ID, "", nil, nil)
	if !strings.Contains(string(raw), `"service_request_id":"`+created[0].ID+`"`) {
		t.Fatalf("list: %s", raw)
	}
	// The responsible person's name and post are public, as on the street chief boards; the
	// reporter's contact details and anyone's phone are not.
	if strings.Contains(string(raw), "a@example.org") || strings.Contains(string(raw), "phone") {
		t.Fatalf("the public list shows contact details: %s", raw)
	}
}

func TestOpen311ErrorsUseTheSpecFormat(t *testing.T) {
	w := newIncidentWorld(t)
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/open311/v2/requests.json", "service_code=graffiti&lat=35&long=105", 400},
		{"POST", "/open311/v2/requests.json", "service_code=sanitation&address_string=somewhere", 400},
		{"POST", "/open311/v2/requests.xml", "service_code=sanitation&lat=95&long=105", 400},
		{"GET", "/open311/v2/requests/999999999.json", "", 404},
		{"GET", "/open311/v2/requests.json?start_date=yesterday", "", 400},
	} {
		t.Run(tc.method+" "+tc.path+" "+tc.body, func(t *testing.T) {
			before := incidentCounts(t)
			resp, raw := w.public.send(tc.method, tc.path, "application/x-www-form-urlencoded", []byte(tc.body), nil)
			if resp.StatusCode != tc.want {
				t.Fatalf("%d %s", resp.StatusCode, raw)
			}
			if strings.HasSuffix(tc.path, ".xml") {
				var doc struct {
					XMLName xml.Name `xml:"errors"`
					Errors  []struct {
						Code        int    `xml:"code"`
						Description string `xml:"description"`
					} `xml:"error"`
				}
				if err := xml.Unmarshal(raw, &doc); err != nil || len(doc.Errors) != 1 || doc.Errors[0].Code != tc.want {
					t.Fatalf("%v %s", err, raw)
				}
			} else {
				var doc []struct {
					Code        int    `json:"code"`
					Description string `json:"description"`
				}
				if err := json.Unmarshal(raw, &doc); err != nil || len(doc) != 1 || doc[0].Code != tc.want || doc[0].Description == "" {
					t.Fatalf("%v %s", err, raw)
				}
			}
			if after := incidentCounts(t); after != before {
				t.Fatalf("wrote: %s → %s", before, after)
			}
		})
	}
}
