package registry

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/database"
)

// InTx runs fn with a Store bound to one transaction: every read and write fn makes through it —
// Import, ImportPosts, CreatePerson, … — runs in that transaction (a write as a savepoint, so its
// own checks and audit rows hold as they do alone), and all of it commits when fn returns nil or
// none of it does. tx is handed to fn for the writes of other packages that must commit with the
// registry's, such as an audit row of their own. Import stages in temporary tables that live until
// commit, so it may be called once per transaction.
func (s *Store) InTx(ctx context.Context, fn func(r *Store, tx pgx.Tx) error) error {
	if s.bound {
		return errors.New("registry: InTx on a Store that is already bound to a transaction")
	}
	return pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		return fn(&Store{db: tx, bound: true}, tx)
	})
}

// TerritoryEmpty reports whether the registry has no admin units and no areas.
func TerritoryEmpty(ctx context.Context, db database.Querier) (bool, error) {
	var empty bool
	err := db.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM admin_unit) AND NOT EXISTS (SELECT 1 FROM area)`).Scan(&empty)
	if err != nil {
		return false, fmt.Errorf("registry: check the territory is empty: %w", err)
	}
	return empty, nil
}

// LockEmptyTerritory locks admin units and areas against every other writer until the transaction
// of InTx ends, then reports whether both are empty: a load that goes on only into an empty
// registry cannot race another that found it empty too. Readers are not held up.
func (s *Store) LockEmptyTerritory(ctx context.Context) (bool, error) {
	if !s.bound {
		return false, errors.New("registry: LockEmptyTerritory needs the Store of InTx: a lock outside a transaction holds nothing")
	}
	if _, err := s.db.Exec(ctx, `LOCK TABLE admin_unit, area IN EXCLUSIVE MODE`); err != nil {
		return false, fmt.Errorf("registry: lock the territory: %w", err)
	}
	return TerritoryEmpty(ctx, s.db)
}
