// Package registry owns the territory and the people responsible for it: admin units, areas, people,
// departments and assignments (who is responsible for what, and since when). Every read is filtered by
// the caller's scope and every write is checked against it and audited in the same transaction.
// It must not depend on the HTTP layer.
package registry

import (
	"context"
	"streetchief/internal/database"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store reads and writes the registry tables.
type Store struct {
	db conn
	// bound says db is the transaction of InTx: the Store's writes nest in it as savepoints.
	bound bool
	// districts, when set, limits the spatial reads (an index's load) to these districts' units,
	// their areas and posts (WithinDistricts).
	districts []int64
}

// conn is what both a pool and a transaction offer; a Store bound by InTx reads and writes
// through its transaction.
type conn interface {
	Begin(ctx context.Context) (pgx.Tx, error)
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// NewStore returns a Store on db.
func NewStore(db *pgxpool.Pool) *Store { return &Store{db: db} }

// Page asks for one page of a list in id order: rows with id > After, at most Limit of them.
type Page struct {
	After int64
	Limit int
}

const (
	defaultPageSize = 100
	maxPageSize     = 1000
)

func (p Page) limit() int {
	switch {
	case p.Limit <= 0:
		return defaultPageSize
	case p.Limit > maxPageSize:
		return maxPageSize
	}
	return p.Limit
}

// trimPage drops the one extra row a list query fetches to learn whether another page follows, and
// returns the id to continue after (0 on the last page).
func trimPage[T any](rows []T, limit int, id func(T) int64) ([]T, int64) {
	if len(rows) <= limit {
		return rows, 0
	}
	return rows[:limit], id(rows[limit-1])
}

// inTx runs fn in one transaction: everything it wrote, audit rows included, commits or none does.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.db, fn)
}

// translate turns the database's refusals into errors a person can act on.
func translate(err error, what string) error {
	return database.Refused(err, what, database.Messages{
		"23P01": "%s overlaps an existing one in time: end the current one first, or ask for a handover",
		"XX000": "", // PostGIS refusing a geometry
	})
}
