// Package photorows moves the bytes of photo rows written before migration 0045 into the object
// store, and checks that every row whose bytes are in the store has its blob there, whole.
//
// It works on any table of the shape migration 0045 gives them (sha256 primary key, bytes, size_bytes).
// Only a table's owner calls it, for its own table (incidents.Service.MoveOutPhotos,
// merchants.Store.MoveOutPhotos), once its reads follow a NULL bytes column to the store. Moving bytes
// changes where they are stored, never what is recorded: no row is deleted or otherwise changed.
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

// Moved counts what MoveOut did to one table.
type Moved struct {
	Table  string
	Moved  int // rows whose bytes are now in the store only
	Failed int // rows left in the table, each told to report
}

// MoveOut moves the bytes of table's rows into store, batch rows per transaction, in hash order. A
// row's bytes are set NULL only after the store returned them intact under the row's hash, and only
// if they still hash to it in the database; a row that fails is reported and left as it was. Run
// again after an interruption, it continues with the rows still holding bytes.
func MoveOut(ctx context.Context, db *pgxpool.Pool, store objectstore.Store, table string, batch int, report func(error)) (Moved, error) {
	m := Moved{Table: table}
	if batch < 1 {
		return m, fmt.Errorf("batch %d: at least 1", batch)
	}
	name := pgx.Identifier{table}.Sanitize()
	after := []byte{}
	for {
		rows, err := db.Query(ctx, `SELECT sha256, bytes FROM `+name+` WHERE bytes IS NOT NULL AND sha256 > $1 ORDER BY sha256 LIMIT $2`, after, batch)
		if err != nil {
			return m, fmt.Errorf("%s: %w", table, err)
		}
		type row struct{ sha, b []byte }
		var got []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.sha, &r.b); err != nil {
				rows.Close()
				return m, fmt.Errorf("%s: %w", table, err)
			}
			got = append(got, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return m, fmt.Errorf("%s: %w", table, err)
		}
		if len(got) == 0 {
			return m, nil
		}
		after = got[len(got)-1].sha
		var verified [][]byte
		for _, r := range got {
			if err := putVerified(ctx, store, r.sha, r.b); err != nil {
				m.Failed++
				report(fmt.Errorf("%s row %x: %w", table, r.sha, err))
				continue
			}
			verified = append(verified, r.sha)
		}
		if len(verified) == 0 {
			continue
		}
		// sha256(bytes) = sha256 guards against a row whose bytes changed since they were read.
		tag, err := db.Exec(ctx, `UPDATE `+name+` SET size_bytes = octet_length(bytes), bytes = NULL
			WHERE sha256 = ANY($1) AND bytes IS NOT NULL AND sha256(bytes) = sha256`, verified)
		if err != nil {
			return m, fmt.Errorf("%s: %w", table, err)
		}
		m.Moved += int(tag.RowsAffected())
	}
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
	Problems int // rows reported: blob missing or corrupt, or bytes in the table not matching the hash
}

// Check reads every row of table: a row in the store must have its blob, matching its hash and size;
// a row holding bytes must hash to its sha256. Each problem is told to report.
func Check(ctx context.Context, db *pgxpool.Pool, store objectstore.Store, table string, report func(error)) (Checked, error) {
	c := Checked{Table: table}
	name := pgx.Identifier{table}.Sanitize()
	var bad [][]byte
	err := db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE bytes IS NOT NULL),
		COALESCE(array_agg(sha256 ORDER BY sha256) FILTER (WHERE bytes IS NOT NULL AND sha256(bytes) <> sha256), '{}')
		FROM `+name).Scan(&c.InTable, &bad)
	if err != nil {
		return c, fmt.Errorf("%s: %w", table, err)
	}
	for _, sha := range bad {
		c.Problems++
		report(fmt.Errorf("%s row %x: its bytes in the table do not hash to it", table, sha))
	}
	after := []byte{}
	for {
		rows, err := db.Query(ctx, `SELECT sha256, size_bytes FROM `+name+` WHERE bytes IS NULL AND sha256 > $1 ORDER BY sha256 LIMIT 1000`, after)
		if err != nil {
			return c, fmt.Errorf("%s: %w", table, err)
		}
		type row struct {
			sha  []byte
			size int
		}
		var got []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.sha, &r.size); err != nil {
				rows.Close()
				return c, fmt.Errorf("%s: %w", table, err)
			}
			got = append(got, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return c, fmt.Errorf("%s: %w", table, err)
		}
		if len(got) == 0 {
			return c, nil
		}
		after = got[len(got)-1].sha
		for _, r := range got {
			c.InStore++
			key, err := objectstore.KeyFromBytes(r.sha)
			if err == nil {
				var b []byte
				if b, err = store.Get(ctx, key); err == nil && len(b) != r.size {
					err = fmt.Errorf("%d bytes, the row says %d", len(b), r.size)
				}
			}
			if err != nil {
				c.Problems++
				report(fmt.Errorf("%s row %x: %w", table, r.sha, err))
			}
		}
	}
}
