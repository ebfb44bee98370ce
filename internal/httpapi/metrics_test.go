package httpapi_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestMetricsCountMadeUpMethodsAsOther(t *testing.T) {
	srv, _ := newAPI(t)
	for _, m := range []string{"BREW", "WHEN", "GET"} {
		req, _ := http.NewRequest(m, srv.URL+"/api/v1/areas", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	text := string(body)
	if strings.Contains(text, `"BREW"`) || strings.Contains(text, `"WHEN"`) || !strings.Contains(text, `method="OTHER"`) ||
		!strings.Contains(text, `method="GET"`) {
		t.Fatalf("method labels in /metrics:\n%s", text)
	}
}
