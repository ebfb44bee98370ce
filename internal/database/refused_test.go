package database_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"streetchief/internal/apperr"
	"streetchief/internal/database"
	"streetchief/internal/dbtest"
)

// TestRefusedNamesWhatTheDatabaseRefused provokes each refusal for real and checks the code and
// the words a person reads, the package's own words where it has them, and that failures which
// are nobody's input stay internal.
func TestRefusedNamesWhatTheDatabaseRefused(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	// The temporary tables live on one connection: every statement runs on it.
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `
		CREATE TEMP TABLE shelf (id int, name text UNIQUE CHECK (length(name) < 5), during tstzrange,
			EXCLUDE USING gist (id WITH =, during WITH &&), PRIMARY KEY (id, during));
		CREATE TEMP TABLE book (id int PRIMARY KEY, shelf_id int, shelf_during tstzrange,
			FOREIGN KEY (shelf_id, shelf_during) REFERENCES shelf (id, during));
		INSERT INTO shelf VALUES (1, 'a', '[2026-01-01,2026-02-01)');
		INSERT INTO book VALUES (1, 1, '[2026-01-01,2026-02-01)');`); err != nil {
		t.Fatal(err)
	}
	refused := func(sql string) error {
		_, err := conn.Exec(ctx, sql)
		if err == nil {
			t.Fatalf("%s: the database took it", sql)
		}
		return err
	}
	own := database.Messages{"shelf_name_key": "another shelf has this name", "23P01": "%s is taken for that month"}
	cases := []struct {
		name, sql string
		own       database.Messages
		code      apperr.Code
		words     string
	}{
		{"a duplicate key", `INSERT INTO shelf VALUES (2, 'a', '[2026-03-01,2026-04-01)')`, nil, apperr.Conflict, "shelf already exists (shelf_name_key)"},
		{"a duplicate key in the package's words", `INSERT INTO shelf VALUES (2, 'a', '[2026-03-01,2026-04-01)')`, own, apperr.Conflict, "another shelf has this name"},
		{"overlapping periods", `INSERT INTO shelf VALUES (1, 'b', '[2026-01-15,2026-03-01)')`, nil, apperr.Conflict, "shelf overlaps an existing one in time"},
		{"overlapping periods in the package's words", `INSERT INTO shelf VALUES (1, 'b', '[2026-01-15,2026-03-01)')`, own, apperr.Conflict, "shelf is taken for that month"},
		{"a reference to nothing", `INSERT INTO book VALUES (2, 9, '[2026-01-01,2026-02-01)')`, nil, apperr.Invalid, "shelf refers to something that does not exist"},
		{"removing what is referred to", `DELETE FROM shelf WHERE id = 1`, nil, apperr.Conflict, "shelf: others still refer to it"},
		{"a broken check", `INSERT INTO shelf VALUES (3, 'toolong', '[2027-01-01,2027-02-01)')`, nil, apperr.Invalid, `violates check constraint "shelf_name_check"`},
		{"a bad value", `SELECT 'nope'::int`, nil, apperr.Invalid, "invalid input syntax"},
		{"a geometry PostGIS refuses, where listed", `SELECT ST_GeomFromText('POLYGON((0 0, 1 1))')`, database.Messages{"XX000": ""}, apperr.Invalid, "shelf: "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := database.Refused(refused(c.sql), "shelf", c.own)
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Code != c.code || !strings.Contains(ae.Message, c.words) {
				t.Fatalf("got %v, want %s with %q", err, c.code, c.words)
			}
		})
	}
	t.Run("a geometry PostGIS refuses, unlisted, and a missing table stay internal", func(t *testing.T) {
		for _, sql := range []string{`SELECT ST_GeomFromText('POLYGON((0 0, 1 1))')`, `SELECT * FROM no_such_table`} {
			err := database.Refused(refused(sql), "shelf", nil)
			var ae *apperr.Error
			if errors.As(err, &ae) || !strings.HasPrefix(err.Error(), "shelf: ") {
				t.Fatalf("%s: got %v, want an internal error naming shelf", sql, err)
			}
		}
	})
	t.Run("no row is not found, and the application's own errors pass through", func(t *testing.T) {
		err := conn.QueryRow(ctx, `SELECT id FROM shelf WHERE id = 99`).Scan(new(int))
		if !errors.Is(err, pgx.ErrNoRows) || !apperr.Is(database.Refused(err, "shelf 99", nil), apperr.NotFound) {
			t.Fatalf("got %v", database.Refused(err, "shelf 99", nil))
		}
		mine := apperr.New(apperr.Forbidden, "not yours")
		if got := database.Refused(mine, "shelf", nil); got != mine {
			t.Fatalf("got %v", got)
		}
		if database.Refused(nil, "shelf", nil) != nil {
			t.Fatal("no error became one")
		}
	})
}

// TestGoneCountsAConnectionClosedMidExchange: when a primary is lost in a failover, a statement
// whose connection died during an earlier step of the same exchange fails with pgconn's
// ErrConnClosed (make test-ha met it at COMMIT). Whether it committed is unknown, so the client
// must be told to retry with its key, not that the server failed.
func TestGoneCountsAConnectionClosedMidExchange(t *testing.T) {
	err := fmt.Errorf("incident: %w", pgconn.ErrConnClosed)
	if !database.Gone(err) {
		t.Fatalf("Gone(%v) = false", err)
	}
	if got := database.RefusedOrGone(err, "incident", nil); !apperr.Is(got, apperr.Unavailable) {
		t.Fatalf("RefusedOrGone(%v) = %v, want unavailable", err, got)
	}
}
