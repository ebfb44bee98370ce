package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"streetchief/internal/access"
)

func TestSimulatingTheAssessmentOverHTTP(t *testing.T) {
	srv, svc := newAPI(t)
	assessor := asUser(t, srv, svc, "simulating-assessor", access.Assessor, 0)
	body := `{"quarters": [
		{"period": "2026-Q1", "scores": {"东城街道": 92.5, "西城街道": 85.01, "南城街道": 85, "东肖街道": 66}},
		{"period": "2026-Q2", "scores": {"东城街道": 90, "西城街道": 90, "南城街道": 86.4, "东肖街道": 68.25}}],
		"rules": {"ties": "each"}}`
	status, doc := assessor.do("POST", "/api/v1/assessments:simulate", body)
	if status != http.StatusOK {
		t.Fatalf("simulate: %d %v", status, doc)
	}
	quarters := doc["quarters"].([]any)
	q1, q2 := quarters[0].(map[string]any), quarters[1].(map[string]any)
	for _, c := range []struct {
		what      string
		got, want any
	}{
		{"2026-Q1 rewards", q1["rewards"], map[string]any{"东城街道": 500000.0, "西城街道": 300000.0}},
		{"2026-Q1 penalties", q1["penalties"], map[string]any{"东肖街道": 200000.0}},
		{"2026-Q2 rewards under each", q2["rewards"], map[string]any{"东城街道": 500000.0, "西城街道": 500000.0, "南城街道": 200000.0}},
		{"2026-Q2 interviews", q2["interviews"], []any{"东肖街道"}},
		{"2026-Q2 public explanations", q2["public_explanations"], []any{}},
	} {
		if got, want := mustJSON(t, c.got), mustJSON(t, c.want); got != want {
			t.Errorf("%s: %v, want %v", c.what, c.got, c.want)
		}
	}
	if _, ok := doc["annual"]; ok {
		t.Errorf("two quarters gave an annual outcome: %v", doc["annual"])
	}

	// Scores are written with two decimals, as the sheets print them.
	req, _ := http.NewRequest("POST", srv.URL+"/api/v1/assessments:simulate", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+assessor.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(raw), `"name":"南城街道","score":85.00,"rank":3`) {
		t.Errorf("85 is not written 85.00 in the ranking: %.300s", raw)
	}

	for _, c := range []struct {
		name, body string
		status     int
		field      string
	}{
		{"a score with three decimals", `{"quarters":[{"period":"2026-Q1","scores":{"东城街道":85.001}}]}`, http.StatusUnprocessableEntity, "quarters[0].scores.东城街道"},
		{"a gap between quarters", `{"quarters":[{"period":"2026-Q1","scores":{"东城街道":85}},{"period":"2026-Q3","scores":{"东城街道":85}}]}`, http.StatusUnprocessableEntity, "quarters[1].period"},
		{"an unknown rule", `{"quarters":[{"period":"2026-Q1","scores":{"东城街道":85}}],"rules":{"tie":"each"}}`, http.StatusBadRequest, "rules.tie"},
		{"a score as text", `{"quarters":[{"period":"2026-Q1","scores":{"东城街道":"85"}}]}`, http.StatusBadRequest, "quarters[0].scores.东城街道"},
		{"not JSON", `{"quarters":[`, http.StatusBadRequest, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, doc := assessor.do("POST", "/api/v1/assessments:simulate", c.body)
			if status != c.status || doc["detail"] == nil {
				t.Fatalf("%d %v, want %d with a detail", status, doc, c.status)
			}
			if c.field != "" && doc["field"] != c.field {
				t.Fatalf("field %v, want %q: %v", doc["field"], c.field, doc)
			}
		})
	}

	inspector := asUser(t, srv, svc, "simulating-inspector", access.Inspector, 0)
	if status, doc := inspector.do("POST", "/api/v1/assessments:simulate", body); status != http.StatusForbidden {
		t.Fatalf("an inspector simulated: %d %v", status, doc)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
