package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"streetchief/internal/dbtest"
)

func TestOpen311KeyCommandIssuesListsAndRevokes(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := open311KeyCommand(ctx, pool, args, &out)
		return out.String(), err
	}
	out, err := run("issue", "--name", "12345 热线", "--per-minute", "120")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`Open311 key (\d+) for 12345 热线 \(xinluo\.example, 120 a minute\).*\n(o311_\S+)\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("issue printed %q", out)
	}
	if _, err := run("issue", "--name", "x", "--per-minute", "0"); err == nil {
		t.Fatal("a key with no limit was issued")
	}
	if out, err = run("list"); err != nil || !strings.Contains(out, "12345 热线") || strings.Contains(out, m[2]) {
		t.Fatalf("list: %v %q", err, out)
	}
	if out, err = run("revoke", m[1]); err != nil || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %v %q", err, out)
	}
	if _, err := run("revoke", "nope"); err == nil {
		t.Fatal("revoked a key by a word")
	}
}
