package httpapi_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestDashboardServesPageAndImmutableAssets checks the page and a hashed asset when the front end
// is built into the binary, and the "run make web" page when it is not.
func TestDashboardServesPageAndImmutableAssets(t *testing.T) {
	srv, _ := newAPI(t)
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.Header.Get("Content-Security-Policy") == "" {
		t.Error("the page is served without a CSP")
	}
	if res.StatusCode == http.StatusServiceUnavailable {
		if !strings.Contains(string(page), "make web") {
			t.Fatalf("unbuilt dashboard page does not say to run make web: %s", page)
		}
		t.Log("web/dist is not built: checked the placeholder page only")
		return
	}
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET / = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	script := regexp.MustCompile(`/assets/main-[A-Za-z0-9]+\.js`).FindString(string(page))
	if script == "" {
		t.Fatalf("no script in the page: %s", page)
	}
	req, _ := http.NewRequest("GET", srv.URL+script, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err = http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != "gzip" ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") ||
		!strings.Contains(res.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s = %d, headers %v", script, res.StatusCode, res.Header)
	}
	for _, path := range []string{"/assets/nope.js", "/assets/../index.html", "/assets/" + strings.TrimPrefix(script, "/assets/") + ".gz"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, res.StatusCode)
		}
	}
}
