package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestFieldAppServesPageWorkerAndManifest checks what a phone needs to install the field app: the
// page and the service worker asked for again each time (no-cache), the manifest with its type, and
// PNG icons of the sizes it names; and that /field leads to /field/, the worker's scope.
func TestFieldAppServesPageWorkerAndManifest(t *testing.T) {
	srv, _ := newAPI(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, []byte) {
		t.Helper()
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, body
	}

	res, _ := get("/field")
	if res.StatusCode != http.StatusMovedPermanently || res.Header.Get("Location") != "/field/" {
		t.Errorf("GET /field = %d to %q, want 301 to /field/", res.StatusCode, res.Header.Get("Location"))
	}
	res, _ = get("/field/nope.js")
	if res.StatusCode != http.StatusNotFound || res.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("GET /field/nope.js = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}

	res, page := get("/field/")
	if res.Header.Get("Content-Security-Policy") == "" {
		t.Error("the field page is served without a CSP")
	}
	if res.StatusCode == http.StatusServiceUnavailable {
		if !strings.Contains(string(page), "make web") {
			t.Fatalf("unbuilt field page does not say to run make web: %s", page)
		}
		t.Log("web/dist is not built: checked the placeholder page only")
		return
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") ||
		res.Header.Get("Cache-Control") != "no-cache" || !strings.Contains(string(page), `rel="manifest" href="/field/manifest.webmanifest"`) {
		t.Fatalf("GET /field/ = %d %v: %.300s", res.StatusCode, res.Header, page)
	}

	res, body := get("/field/sw.js")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") ||
		res.Header.Get("Cache-Control") != "no-cache" || !strings.Contains(string(body), "field-shell-") {
		t.Errorf("GET /field/sw.js = %d %v", res.StatusCode, res.Header)
	}

	res, body = get("/field/manifest.webmanifest")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/manifest+json" {
		t.Fatalf("GET manifest = %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var m struct {
		Name     string `json:"name"`
		StartURL string `json:"start_url"`
		Scope    string `json:"scope"`
		Display  string `json:"display"`
		Icons    []struct {
			Src   string `json:"src"`
			Sizes string `json:"sizes"`
		} `json:"icons"`
	}
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	if m.Name != "街巷长 · 外勤" || m.StartURL != "/field/" || m.Scope != "/field/" || m.Display != "standalone" || len(m.Icons) != 2 {
		t.Fatalf("manifest: %+v", m)
	}
	for _, icon := range m.Icons {
		res, body := get(icon.Src)
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/png" {
			t.Errorf("GET %s = %d %s", icon.Src, res.StatusCode, res.Header.Get("Content-Type"))
			continue
		}
		img, err := png.Decode(bytes.NewReader(body))
		if err != nil {
			t.Errorf("%s: %v", icon.Src, err)
			continue
		}
		if got := fmt.Sprintf("%dx%d", img.Bounds().Dx(), img.Bounds().Dy()); got != icon.Sizes {
			t.Errorf("%s is %v, the manifest says %s", icon.Src, img.Bounds(), icon.Sizes)
		}
	}
}
