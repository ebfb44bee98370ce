package httpapi

import (
	"context"
	"testing"

	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
)

// A statement the database ended at its time limit answers 503 in words, not an internal error.
func TestStatementTimeoutIsUnavailableNotInternal(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // the statement failed; the rollback only ends it
	if _, err := tx.Exec(ctx, `SET LOCAL statement_timeout = '20ms'`); err != nil {
		t.Fatal(err)
	}
	_, err = tx.Exec(ctx, `SELECT pg_sleep(2)`)
	if err == nil {
		t.Fatal("pg_sleep(2) finished within a 20 ms statement limit")
	}
	if got := classifyInfrastructure(ctx, err); got.Code != apperr.Unavailable {
		t.Fatalf("a statement timeout is classified %s (%v)", got.Code, err)
	}
}
