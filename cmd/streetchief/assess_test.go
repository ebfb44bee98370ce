package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// simulatorCase is one case of the policy package's testdata/cases.json, run here through the command.
type simulatorCase struct {
	Name  string          `json:"name"`
	Input json.RawMessage `json:"input"`
	Want  map[string]any  `json:"want"`
	Error string          `json:"error"`
}

func simulatorCases(t *testing.T) []simulatorCase {
	t.Helper()
	raw, err := os.ReadFile("../../internal/policy/testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Cases []simulatorCase `json:"cases"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Cases) < 30 {
		t.Fatalf("only %d cases", len(doc.Cases))
	}
	return doc.Cases
}

func TestSimulatorRunsTheRuleCases(t *testing.T) {
	dir := t.TempDir()
	for i, tc := range simulatorCases(t) {
		t.Run(tc.Name, func(t *testing.T) {
			path := filepath.Join(dir, strings.Repeat("x", i%3)+"case.json")
			if err := os.WriteFile(path, tc.Input, 0o644); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"assess", "simulate", "--input", path}, &stdout, &stderr)
			if tc.Error != "" {
				if status := exitStatus(err); status != 2 {
					t.Fatalf("exit status %d (%v), want 2", status, err)
				}
				if !strings.Contains(err.Error(), tc.Error) {
					t.Fatalf("error %q does not say %q", err, tc.Error)
				}
				if stdout.Len() > 0 {
					t.Fatalf("refused input printed %s", stdout.String())
				}
				return
			}
			if err != nil {
				t.Fatalf("exit status %d: %v", exitStatus(err), err)
			}
			doc := simulatorOutput(t, stdout.Bytes())
			checkSimulatorOutput(t, doc, tc.Want)
		})
	}
}

// simulatorOutput reads the command's output with its numbers as written, and checks that every
// score and average is written with two decimals (85.00, never 85).
func simulatorOutput(t *testing.T, out []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	twoDecimals := func(where string, v any) {
		n, _ := v.(json.Number)
		if i := strings.IndexByte(string(n), '.'); i < 0 || len(n)-i != 3 {
			t.Errorf("%s %v is not written with two decimals", where, v)
		}
	}
	var scores []any
	for _, q := range doc["quarters"].([]any) {
		scores = append(scores, q.(map[string]any)["ranking"].([]any)...)
	}
	if annual, ok := doc["annual"].(map[string]any); ok {
		scores = append(scores, annual["ranking"].([]any)...)
		for name, v := range annual["averages"].(map[string]any) {
			twoDecimals("the average of "+name, v)
		}
	}
	for _, r := range scores {
		twoDecimals("a ranking's score", r.(map[string]any)["score"])
	}
	return doc
}

// checkSimulatorOutput checks the documented shape of every quarter, then the last quarter's
// outcomes and the annual outcome against want (absent from want: empty, or no annual at all).
func checkSimulatorOutput(t *testing.T, doc, want map[string]any) {
	t.Helper()
	quarters, ok := doc["quarters"].([]any)
	if !ok || len(quarters) == 0 {
		t.Fatalf("no quarters: %v", doc)
	}
	for _, q := range quarters {
		q := q.(map[string]any)
		if _, ok := q["period"].(string); !ok {
			t.Fatalf("a quarter without its period: %v", q)
		}
		for _, r := range q["ranking"].([]any) {
			r := r.(map[string]any)
			if _, ok := r["name"].(string); !ok || r["score"] == nil || r["rank"] == nil {
				t.Fatalf("a ranking entry without name, score and rank: %v", r)
			}
		}
		for key, empty := range map[string]string{"rewards": "{}", "penalties": "{}", "interviews": "[]", "public_explanations": "[]"} {
			v, ok := q[key]
			if !ok || v == nil {
				t.Fatalf("%s missing or null in %v", key, q)
			}
			if w, ok := want[key]; q["period"] == quarters[len(quarters)-1].(map[string]any)["period"] {
				got, _ := json.Marshal(v)
				wantJSON := []byte(empty)
				if ok {
					wantJSON, _ = json.Marshal(w)
				}
				if !bytes.Equal(got, wantJSON) {
					t.Errorf("%s: %s, want %s\nreasons: %v", key, got, wantJSON, q["reasons"])
				}
			}
		}
	}
	wantAnnual, wantsAnnual := want["annual"].(map[string]any)
	annual, hasAnnual := doc["annual"].(map[string]any)
	if wantsAnnual != hasAnnual {
		t.Fatalf("annual: %v, want %v", doc["annual"], want["annual"])
	}
	for key, w := range wantAnnual {
		got, _ := json.Marshal(annual[key])
		wantJSON, _ := json.Marshal(w)
		if !bytes.Equal(got, wantJSON) {
			t.Errorf("annual %s: %s, want %s", key, got, wantJSON)
		}
	}
}

// TestSimulatorProcess is the command itself, run by TestSimulateExitStatuses in a child process;
// in the parent it is only that child's entry point and checks nothing, so it returns rather than
// skipping (a skip under make test would hide a test that did not run).
func TestSimulatorProcess(t *testing.T) {
	args := os.Getenv("STREETCHIEF_SIMULATOR_ARGS")
	if args == "" {
		return
	}
	os.Args = append([]string{"streetchief"}, strings.Split(args, "\x1f")...)
	main()
}

// TestSimulateExitStatuses runs the command as a process: 0 for good input, 2 for bad input or a
// file it cannot read, and 1 still for other commands' failures.
func TestSimulateExitStatuses(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := os.WriteFile(good, []byte(`{"quarters":[{"period":"2026-Q1","scores":{"东城街道":85.01,"西城街道":85,"南城街道":69.99}}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		args   []string
		stdin  string
		status int
		stderr string
	}{
		{"good input from a file", []string{"assess", "simulate", "--input", good}, "", 0, ""},
		{"good input from stdin", []string{"assess", "simulate", "--input", "-"}, `{"quarters":[{"period":"2026-Q1","scores":{"东城街道":85.01}}]}`, 0, ""},
		{"a score with three decimals on stdin", []string{"assess", "simulate", "--input", "-"}, `{"quarters":[{"period":"2026-Q1","scores":{"东城街道":85.001}}]}`, 2, "more than two decimals"},
		{"not JSON", []string{"assess", "simulate", "--input", "-"}, `{"quarters":`, 2, "malformed JSON"},
		{"a file that is not there", []string{"assess", "simulate", "--input", filepath.Join(dir, "missing.json")}, "", 2, "no such file"},
		{"a directory", []string{"assess", "simulate", "--input", dir}, "", 2, "assess simulate"},
		{"no --input", []string{"assess", "simulate"}, "", 2, "--input FILE.json is required"},
		{"an unknown flag", []string{"assess", "simulate", "--inptu", good}, "", 2, "flag provided but not defined"},
		{"an unknown subcommand", []string{"assess", "score"}, "", 2, "the subcommand is simulate"},
		{"another command's failure", []string{"no-such-command"}, "", 1, "unknown command"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestSimulatorProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), "STREETCHIEF_SIMULATOR_ARGS="+strings.Join(tc.args, "\x1f"))
			cmd.Stdin = strings.NewReader(tc.stdin)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			status := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				status = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tc.status {
				t.Fatalf("exit status %d, want %d\nstdout: %s\nstderr: %s", status, tc.status, stdout.String(), stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Fatalf("stderr %q does not say %q", stderr.String(), tc.stderr)
			}
			if tc.status != 0 {
				return
			}
			// The child's own test framework prints PASS after main's output when main returns.
			out := bytes.TrimSuffix(bytes.TrimSpace(stdout.Bytes()), []byte("PASS"))
			doc := simulatorOutput(t, out)
			q := doc["quarters"].([]any)[0].(map[string]any)
			if got, _ := json.Marshal(q["rewards"]); string(got) != `{"东城街道":500000}` {
				t.Fatalf("rewards %s", got)
			}
		})
	}
}
