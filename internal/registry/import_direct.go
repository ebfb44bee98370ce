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
// validate every geometry as it arrives, and each area comes with its place, found in Go where its
// community is certain there (communityIndex.place), else by locatePlaces just before. false, with
// the chunk rolled back, when the database refused a row (a geometry PostGIS finds invalid, say):
// the caller then takes the staging path, which finds every problem and words it.
func (l *areaLoad) copyDirect(ctx context.Context, chunk []*ImportArea) (bool, error) {
	tx := l.tx
	places := make([]placement, len(chunk))
	var unplaced []int
	for i, a := range chunk {
		if c, ok := l.communities.place(a); ok {
			places[i] = placement{community: &c.id, subdistrict: c.subdistrict}
		} else {
			unplaced = append(unplaced, i)
		}
	}
	// Rows above the largest id are this COPY's: the paused triggers hold a lock on area that keeps
	// every other writer out until commit, and the ids this import gave before are all at most
	// res.LastID.
	before := l.res.LastID
	if before == 0 {
		if err := tx.QueryRow(ctx, `SELECT COALESCE(max(id), 0) FROM area`).Scan(&before); err != nil {
			return false, fmt.Errorf("import: largest id: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `SAVEPOINT import_direct`); err != nil {
		return false, fmt.Errorf("import: savepoint: %w", err)
	}
	refused := func(err error) (bool, error) {
		if ctx.Err() != nil {
			return false, err
		}
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT import_direct; RELEASE SAVEPOINT import_direct`); err != nil {
			return false, fmt.Errorf("import: rollback to savepoint: %w", err)
		}
		return false, nil
	}
	// An invalid geometry may make GEOS fail here already.
	if err := locatePlaces(ctx, tx, chunk, unplaced, places); err != nil {
		return refused(err)
	}
	src := pgx.CopyFromSlice(len(chunk), func(i int) ([]any, error) {
		a, p := chunk[i], places[i]
		return []any{a.Kind, strings.TrimSpace(a.Name), a.geomEWKB, a.lineEWKB, a.attrs, p.subdistrict, p.community, keyOrNull(a)}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"area"},
		[]string{"kind", "name", "geom", "centreline", "attributes", "subdistrict_id", "community_id", "source_key"}, src); err != nil {
		return refused(err)
	}
	var first, last, n int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(min(id), 0), COALESCE(max(id), 0), count(*) FROM area WHERE id > $1`, before).Scan(&first, &last, &n); err != nil {
		return false, fmt.Errorf("import: new ids: %w", err)
	}
	if n != int64(len(chunk)) {
		return false, fmt.Errorf("import: %d rows copied into area, %d found after", len(chunk), n)
	}
	if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT import_direct`); err != nil {
		return false, fmt.Errorf("import: release savepoint: %w", err)
	}
	for _, a := range chunk {
		l.res.ByKind[a.Kind]++
	}
	l.res.Areas += len(chunk)
	if l.res.FirstID == 0 {
		l.res.FirstID = first
	}
	l.res.LastID = max(l.res.LastID, last)
	return true, nil
}
