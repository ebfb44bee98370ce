// Package photorows moves the bytes of photo rows written before migration 0045 into the object
// store, and checks that every row whose bytes are in the store has its blob there, whole.
//
// It works on any table of the shape migrations 0045 and 0046 give the seven photo tables (a sha256,
// bytes, size_bytes). Only a table's owner names it (its PhotoTable method returns a Table), once its
// reads follow a NULL bytes column to the store. Moving bytes changes where they are stored, never
// what is recorded: no row is deleted or otherwise changed.
package photorows

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/objectstore"
)

// Table is one owner's photo table and the store its photos go to.
type Table struct {
	db    *pgxpool.Pool
	store objectstore.Store
	name  string
}

// For is the owner's table name on db, its photos kept in store (nil: none configured, and Table's
// methods refuse to run).
func For(db *pgxpool.Pool, store objectstore.Store, name string) Table {
	return Table{db: db, store: store, name: name}
}

// Name is the table's name.
func (t Table) Name() string { return t.name }

// Moved counts what MoveOut did to one table.
type Moved struct {
	Table  string
	Moved  int // rows whose bytes are now in the store only
	Failed int // rows left in the table, each told to report
}

// MoveOut moves the bytes of the table's rows into the store, batch photos per transaction, in hash
// order. A row's bytes are set NULL only after the store returned them intact under the row's hash,
// and only if they still hash to it in the database; a photo that fails is reported and left as it
// was. Run again after an interruption, it continues with the rows still holding bytes. Rows sharing
// one photo (assessment marks may) move together.
func (t Table) MoveOut(ctx context.Context, batch int, report func(error)) (Moved, error) {
	m := Moved{Table: t.name}
	if batch < 1 {
		return m, fmt.Errorf("batch %d: at least 1", batch)
	}
	if t.store == nil {
		return m, fmt.Errorf("%s: no object store to move the photos to", t.name)
	}
	name := pgx.Identifier{t.name}.Sanitize()
	type row struct{ SHA, Bytes []byte }
	err := pages(ctx, t, `SELECT DISTINCT ON (sha256) sha256, bytes FROM `+name+`
		WHERE bytes IS NOT NULL AND sha256 > $1 ORDER BY sha256 LIMIT $2`, batch, pgx.RowToStructByPos[row],
		func(r row) []byte { return r.SHA },
		func(got []row) error {
			var verified [][]byte
			for _, r := range got {
				if err := putVerified(ctx, t.store, r.SHA, r.Bytes); err != nil {
					m.Failed++
					report(fmt.Errorf("%s row %x: %w", t.name, r.SHA, err))
					continue
				}
				verified = append(verified, r.SHA)
			}
			if len(verified) == 0 {
				return nil
			}
			// sha256(bytes) = sha256 guards against a row whose bytes changed since they were read.
			tag, err := t.db.Exec(ctx, `UPDATE `+name+` SET size_bytes = octet_length(bytes), bytes = NULL
				WHERE sha256 = ANY($1) AND bytes IS NOT NULL AND sha256(bytes) = sha256`, verified)
			m.Moved += int(tag.RowsAffected())
			return err
		})
	return m, err
}

func putVerified(ctx context.Context, store objectstore.Store, sha, b []byte) error {
	key, err := objectstore.KeyFromBytes(sha)
	if err != nil {
		return err
	}
	if sum := sha256.Sum256(b); !bytes.Equal(sum[:], sha) {
		return errors.New("the row's bytes do not hash to its sha256; left in the table")
	}
	if err := store.Put(ctx, key, b); err != nil {
		return err
	}
	back, err := store.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("read back: %w", err)
	}
	if !bytes.Equal(back, b) {
		return errors.New("read back other bytes")
	}
	return nil
}

// Checked counts what Check found in one table.
type Checked struct {
	Table    string
	InStore  int // rows whose bytes are in the store
	InTable  int // rows still holding their bytes
	Problems int // photos reported: blob missing or corrupt, or bytes in the table not matching the hash
}

// Check reads every row of the table: a row in the store must have its blob, matching its hash and
// size; a row holding bytes must hash to its sha256. Each problem is told to report.
func (t Table) Check(ctx context.Context, report func(error)) (Checked, error) {
	c := Checked{Table: t.name}
	if t.store == nil {
		return c, fmt.Errorf("%s: no object store to check", t.name)
	}
	name := pgx.Identifier{t.name}.Sanitize()
	var bad [][]byte
	err := t.db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE bytes IS NOT NULL),
		COALESCE(array_agg(sha256 ORDER BY sha256) FILTER (WHERE bytes IS NOT NULL AND sha256(bytes) <> sha256), '{}')
		FROM `+name).Scan(&c.InTable, &bad)
	if err != nil {
		return c, fmt.Errorf("%s: %w", t.name, err)
	}
	for _, sha := range bad {
		c.Problems++
		report(fmt.Errorf("%s row %x: its bytes in the table do not hash to it", t.name, sha))
	}
	// One line per photo: rows sharing it must agree on its size.
	type photo struct {
		SHA              []byte
		MinSize, MaxSize int
		Rows             int
	}
	err = pages(ctx, t, `SELECT sha256, min(size_bytes), max(size_bytes), count(*) FROM `+name+`
		WHERE bytes IS NULL AND sha256 > $1 GROUP BY sha256 ORDER BY sha256 LIMIT $2`, 1000, pgx.RowToStructByPos[photo],
		func(p photo) []byte { return p.SHA },
		func(got []photo) error {
			for _, p := range got {
				c.InStore += p.Rows
				if err := t.checkBlob(ctx, p.SHA, p.MinSize, p.MaxSize); err != nil {
					c.Problems++
					report(fmt.Errorf("%s row %x: %w", t.name, p.SHA, err))
				}
			}
			return nil
		})
	return c, err
}

func (t Table) checkBlob(ctx context.Context, sha []byte, minSize, maxSize int) error {
	if minSize != maxSize {
		return fmt.Errorf("its rows disagree on its size (%d and %d bytes)", minSize, maxSize)
	}
	key, err := objectstore.KeyFromBytes(sha)
	if err != nil {
		return err
	}
	b, err := t.store.Get(ctx, key)
	if err == nil && len(b) != minSize {
		err = fmt.Errorf("%d bytes, the row says %d", len(b), minSize)
	}
	return err
}

// pages runs query ($1: the sha256 the page before ended at, $2: the page's size) on t page after
// page, handing each to handle until one comes back empty. Each page is read whole before handle
// runs, so handle may write to the table.
func pages[R any](ctx context.Context, t Table, query string, size int, scan pgx.RowToFunc[R], sha func(R) []byte, handle func([]R) error) error {
	after := []byte{}
	for {
		rows, err := t.db.Query(ctx, query, after, size)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		got, err := pgx.CollectRows(rows, scan)
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		if len(got) == 0 {
			return nil
		}
		after = sha(got[len(got)-1])
		if err := handle(got); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
}
