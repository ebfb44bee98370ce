package audit_test

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"streetchief/internal/audit"
	"streetchief/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestAuditLogAllowsExactlyTheActions(t *testing.T) {
	var def string
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'audit_log'::regclass AND conname = 'audit_log_action_check'`).Scan(&def)
	if err != nil {
		t.Fatal(err)
	}
	var allowed []string
	for _, m := range regexp.MustCompile(`'([a-z_]+)'`).FindAllStringSubmatch(def, -1) {
		allowed = append(allowed, m[1])
	}
	var actions []string
	for _, a := range audit.Actions {
		actions = append(actions, string(a))
	}
	slices.Sort(allowed)
	slices.Sort(actions)
	if !slices.Equal(allowed, actions) {
		t.Fatalf("audit_log allows %v, the code knows %v", allowed, actions)
	}
}
