package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// mayCopyDirect says whether a chunk may be copied straight into area instead of through staging:
// a bulk load (row triggers paused, area locked against other writers) by a caller who sees every
// area, with the communities at hand (not when repairing, which may move a geometry), no corridor
// (PostGIS draws it) and no key area holds already (that row changes in place).
func (l *areaLoad) mayCopyDirect(ctx context.Context, chunk []*ImportArea) (bool, error) {
	if !l.bulk || l.communities == nil || !l.who.Scope.All || l.corridors > 0 || len(chunk) == 0 {
		return false, nil
	}
	var keys []string
	for _, a := range chunk {
		if a.Key != "" {
			keys = append(keys, a.Key)
		}
	}
	if len(keys) == 0 {
		return true, nil
	}
	var stored bool
	if err := l.tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM area WHERE source_key = ANY($1))`, keys).Scan(&stored); err != nil {
		return false, fmt.Errorf("import: stored keys: %w", err)
	}
	return !stored, nil
}

// copyDirect writes a chunk into area with one COPY, the one write of each row: area's CHECKs
// validate every geometry as it arrives, and each area is placed in Go when its community is
// certain there (communityIndex.place), else by locateAreas once the rows are in. false, with the
// chunk rolled back, when the database refused a row (a geometry PostGIS finds invalid, say): the
// caller then takes the staging path, which finds every problem and words it.
func (l *areaLoad) copyDirect(ctx context.Context, chunk []*ImportArea) (bool, error) {
	tx := l.tx
	// Rows above the largest id are this COPY's, in its order: the paused triggers hold a lock on
	// area that keeps every other writer out until commit, and the ids this import gave before
	// are all at most res.LastID.
	before := l.res.LastID
	if before == 0 {
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(id), 0) FROM area`).Scan(&before); err != nil {
			return false, fmt.Errorf("import: largest id: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `SAVEPOINT import_direct`); err != nil {
		return false, fmt.Errorf("import: savepoint: %w", err)
	}
	var unplaced []int
	src := pgx.CopyFromSlice(len(chunk), func(i int) ([]any, error) {
		a := chunk[i]
		var community, subdistrict *int64
		if c, ok := l.communities.place(a); ok {
			community, subdistrict = &c.id, c.subdistrict
		} else {
			unplaced = append(unplaced, i)
		}
		return []any{a.Kind, strings.TrimSpace(a.Name), a.geomEWKB, a.lineEWKB, string(a.attrs), subdistrict, community, keyOrNull(a)}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"area"},
		[]string{"kind", "name", "geom", "centreline", "attributes", "subdistrict_id", "community_id", "source_key"}, src); err != nil {
		if ctx.Err() != nil {
			return false, err
		}
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT import_direct; RELEASE SAVEPOINT import_direct`); err != nil {
			return false, fmt.Errorf("import: rollback to savepoint: %w", err)
		}
		return false, nil
	}
	id, first, last, err := newIDs(ctx, tx, before, len(chunk))
	if err != nil {
		return false, err
	}
	ids := make([]int64, len(unplaced))
	for j, i := range unplaced {
		ids[j] = id(i)
	}
	if err := locateAreas(ctx, tx, ids); err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT import_direct`); err != nil {
		return false, fmt.Errorf("import: release savepoint: %w", err)
	}
	for _, a := range chunk {
		l.res.ByKind[a.Kind]++
	}
	l.res.Areas += len(chunk)
	if l.res.FirstID == 0 || first < l.res.FirstID {
		l.res.FirstID = first
	}
	l.res.LastID = max(l.res.LastID, last)
	return true, nil
}

// newIDs are the ids of the n rows just copied above id before, in copy order. The identity gives
// them one after the other, so the first and the count usually say it all; should another session
// have taken numbers from it meanwhile (nextval is not locked out), they are read one by one.
func newIDs(ctx context.Context, tx pgx.Tx, before int64, n int) (func(i int) int64, int64, int64, error) {
	var first, last, count int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(min(id), 0), COALESCE(max(id), 0), count(*) FROM area WHERE id > $1`, before).Scan(&first, &last, &count); err != nil {
		return nil, 0, 0, fmt.Errorf("import: new ids: %w", err)
	}
	if count != int64(n) {
		return nil, 0, 0, fmt.Errorf("import: %d rows copied into area, %d found after", n, count)
	}
	if last-first+1 == count {
		return func(i int) int64 { return first + int64(i) }, first, last, nil
	}
	rows, err := tx.Query(ctx, `SELECT id FROM area WHERE id > $1 ORDER BY id`, before)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("import: new ids: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, 0, 0, fmt.Errorf("import: new ids: %w", err)
	}
	return func(i int) int64 { return ids[i] }, first, last, nil
}
