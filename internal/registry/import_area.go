package registry

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// bulkThreshold is the batch size above which an import loads like a maintenance operation: the
// per-row locate and notify triggers are switched off for the transaction (staging already holds
// every row's location, and one notification announces the whole batch), and, when the batch is at
// least as large as the table, the foreign keys, the GiST index and the plain b-trees are dropped and
// rebuilt after the INSERT (PostgreSQL checks the keys again then, with one join). Measured on the bench city (98,624
// areas): the locate trigger ~6 s against ~0.5 s for the set-based locate, the notify trigger 0.6 s,
// the two foreign keys' row checks 1.2 s against 0.04 s for re-adding them, the GiST index 0.9 s
// row by row against 0.15 s built at once. The price: pausing triggers locks area against writers
// until commit; dropping keys and the index locks area and admin_unit against readers too.
var bulkThreshold = 5000 // a variable for the tests only

func mayBulkLoad(who access.Principal, opt ImportOptions) bool {
	return !opt.DryRun && who.Role == access.Admin // access.System is an administrator too
}

// chunkRows is how many rows are copied, checked, located and inserted at a time, so that the
// database works on one chunk while the reader decodes the next.
var chunkRows = 16384 // a variable for the tests only

type areaMeta struct {
	index        int
	source, kind string
}

// areaLoad is one import's areas on their way through staging.
type areaLoad struct {
	tx    pgx.Tx
	who   access.Principal
	opt   ImportOptions
	res   *ImportResult
	next  AreaStream
	a     *ImportArea // the next area to copy; nil at the end of the stream
	metas []areaMeta
	keys  map[string]int // Key → Index of the feature that gave it, to refuse a second one
	// updated are the areas changed in place by Key, announced one by one when the row triggers
	// are paused.
	updated []int64
	bulk    bool
	plan    *rebuildPlan
	// communities indexes the communities for the locate's shortcuts; nil when it must not use them.
	communities *communityIndex
	corridors   int // in the chunk being copied
	vertices    int // in the import so far, against MaxImportVertices
}

// importAreas copies the stream into a staging table chunk by chunk, then checks, locates and
// inserts each chunk set-based while the reader goes on decoding.
func importAreas(ctx context.Context, tx pgx.Tx, who access.Principal, first *ImportArea, next AreaStream, opt ImportOptions, res *ImportResult) error {
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_area_stage (n int PRIMARY KEY, kind text, name text,
			geom geometry, centreline geometry, width_m float8, attributes jsonb, source_key text,
			ncand int, cand bigint, x0 float8, y0 float8, problem text, px float8, py float8) ON COMMIT DROP;
		CREATE TEMP TABLE import_area_place (n int PRIMARY KEY, community_id bigint, subdistrict_id bigint) ON COMMIT DROP`); err != nil {
		return fmt.Errorf("import: staging table: %w", err)
	}
	l := &areaLoad{tx: tx, who: who, opt: opt, res: res, next: next, a: first, keys: map[string]int{}}
	if !opt.Repair { // repairs may move a geometry out of the box it came with
		var err error
		if l.communities, err = communityBoxes(ctx, tx); err != nil {
			return err
		}
	}
	for l.a != nil {
		lo := len(l.metas)
		chunk, err := l.gather()
		if err != nil {
			return err
		}
		if err := l.startBulk(ctx, lo); err != nil {
			return err
		}
		if direct, err := l.mayCopyDirect(ctx, chunk); err != nil {
			return err
		} else if direct {
			if done, err := l.copyDirect(ctx, chunk); err != nil || done {
				if err != nil {
					return err
				}
				continue
			}
		}
		if err := l.copyStage(ctx, chunk); err != nil {
			return err
		}
		if err := l.stageChunk(ctx, lo); err != nil {
			return err
		}
	}
	if !l.bulk {
		return nil
	}
	if err := l.plan.restore(ctx, tx); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE area ENABLE TRIGGER area_locate_on_insert, ENABLE TRIGGER area_locate_on_move,
		ENABLE TRIGGER area_notify`); err != nil {
		return fmt.Errorf("import: resume row triggers: %w", err)
	}
	if len(l.updated) > 0 {
		if _, err := tx.Exec(ctx, `SELECT pg_notify($1, 'area:update:' || id) FROM unnest($2::bigint[]) id`, ChangeChannel, l.updated); err != nil {
			return fmt.Errorf("import: announce: %w", err)
		}
	}
	// One notification, delivered at commit, stands for the rows the paused trigger did not announce.
	if res.LastID > 0 {
		if _, err := tx.Exec(ctx, `SELECT pg_notify($1, $2)`, ChangeChannel, bulkChange("area", res.FirstID, res.LastID)); err != nil {
			return fmt.Errorf("import: announce: %w", err)
		}
	}
	return nil
}

func (l *areaLoad) source(n int) (int, string, string) {
	return l.metas[n].index, l.metas[n].source, l.metas[n].kind
}

// gather takes up to chunkRows areas off the stream that pass the checks in Go; the others are
// reported, or, in strict mode, end the import.
func (l *areaLoad) gather() ([]*ImportArea, error) {
	var chunk []*ImportArea
	l.corridors = 0
	for l.a != nil && len(chunk) < chunkRows {
		a := l.a
		if !a.prepared {
			a.Prepare()
		}
		if a.problem == nil && a.Key != "" {
			if first, seen := l.keys[a.Key]; seen {
				a.problem = fmt.Errorf("key %s was given to feature %d already", a.Key, first)
			} else {
				l.keys[a.Key] = a.Index
			}
		}
		if a.problem != nil {
			sk := ImportSkip{Target: "area", Index: a.Index, Source: a.Source, Kind: a.Kind, Reason: a.problem.Error()}
			if l.opt.Strict {
				return nil, strictError(sk)
			}
			l.res.Skipped = append(l.res.Skipped, sk)
		} else {
			if l.vertices += vertexCount(a.Geom) + vertexCount(a.Centreline); l.vertices > MaxImportVertices {
				return nil, apperr.New(apperr.TooLarge, "the import holds over %d positions (at feature %d); split it into several", MaxImportVertices, a.Index)
			}
			l.metas = append(l.metas, areaMeta{a.Index, a.Source, a.Kind})
			if a.Geom == nil {
				l.corridors++
			}
			chunk = append(chunk, a)
		}
		var err error
		if l.a, err = l.next(); err != nil {
			return nil, err
		}
	}
	return chunk, nil
}

// copyStage copies a gathered chunk into staging; its rows are numbered on from where the chunk's
// metas begin.
func (l *areaLoad) copyStage(ctx context.Context, chunk []*ImportArea) error {
	lo := len(l.metas) - len(chunk)
	src := pgx.CopyFromSlice(len(chunk), func(i int) ([]any, error) {
		a := chunk[i]
		k, cand := l.candidates(a)
		var x0, y0 *float64
		if a.Geom != nil {
			x0, y0 = &a.vertex[0], &a.vertex[1]
		}
		return []any{lo + i, a.Kind, strings.TrimSpace(a.Name), a.geomEWKB, a.lineEWKB, a.WidthM, string(a.attrs), keyOrNull(a), k, cand, x0, y0}, nil
	})
	if _, err := l.tx.CopyFrom(ctx, pgx.Identifier{"import_area_stage"},
		[]string{"n", "kind", "name", "geom", "centreline", "width_m", "attributes", "source_key", "ncand", "cand", "x0", "y0"}, src); err != nil {
		return translate(err, "import areas")
	}
	return nil
}

func keyOrNull(a *ImportArea) *string {
	if a.Key == "" {
		return nil
	}
	return &a.Key
}

// startBulk pauses area's row triggers, and drops its keys and plain indexes when that pays, for a
// large import by an administrator. The first chunk decides: a full one means a large import;
// otherwise the count tells. Only an administrator's real import may do it: the locks that takes
// stop everyone else, which a chief's import or a dry run has no business doing.
func (l *areaLoad) startBulk(ctx context.Context, lo int) error {
	staged := len(l.metas) - lo
	if lo != 0 || !(l.a != nil || staged > bulkThreshold) || !mayBulkLoad(l.who, l.opt) {
		return nil
	}
	l.bulk = true
	if _, err := l.tx.Exec(ctx, `ALTER TABLE area DISABLE TRIGGER area_locate_on_insert, DISABLE TRIGGER area_locate_on_move,
		DISABLE TRIGGER area_notify`); err != nil {
		return fmt.Errorf("import: pause row triggers: %w", err)
	}
	var err error
	l.plan, err = dropForBulk(ctx, l.tx, staged, l.a != nil)
	return err
}

// stageChunk checks, locates and inserts the staged rows from n = lo on. Most files are clean, so it
// first tries the INSERT as it is, letting area's CHECKs validate each geometry once; only when that
// fails (or to repair) does it roll the chunk back to a savepoint and ask ST_IsValidDetail of every
// row, to report each problem with its reason and place.
func (l *areaLoad) stageChunk(ctx context.Context, lo int) error {
	tx := l.tx
	if l.corridors > 0 {
		if _, err := tx.Exec(ctx, `UPDATE import_area_stage
			SET geom = ST_Multi(ST_Buffer(centreline::geography, width_m / 2, 'quad_segs=2')::geometry) WHERE n >= $1 AND geom IS NULL`, lo); err != nil {
			return translate(err, "import areas")
		}
	}
	if !l.opt.Repair {
		skipped, byKind, saved, updated := len(l.res.Skipped), maps.Clone(l.res.ByKind), *l.res, len(l.updated)
		if _, err := tx.Exec(ctx, `SAVEPOINT import_chunk`); err != nil {
			return fmt.Errorf("import: savepoint: %w", err)
		}
		err := l.placeAndInsert(ctx, lo)
		if err == nil {
			_, err = tx.Exec(ctx, `RELEASE SAVEPOINT import_chunk`)
			return err
		}
		if ctx.Err() != nil {
			return err
		}
		// Whatever went wrong — an invalid geometry, or a strict import's first refusal — the careful
		// pass below finds it again, and in input order.
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT import_chunk`); err != nil {
			return fmt.Errorf("import: rollback to savepoint: %w", err)
		}
		saved.Skipped, saved.ByKind = l.res.Skipped[:skipped], byKind
		*l.res, l.updated = saved, l.updated[:updated]
	}
	if err := checkStage(ctx, tx, lo, l.opt, l.source, l.res); err != nil {
		return err
	}
	return l.placeAndInsert(ctx, lo)
}

// placeAndInsert locates the rows from n = lo on, refuses those outside the caller's scope, reports
// the problems and inserts the rest.
func (l *areaLoad) placeAndInsert(ctx context.Context, lo int) error {
	tx := l.tx
	if err := locateStage(ctx, tx, lo, l.communities != nil); err != nil {
		return err
	}
	if !l.who.Scope.All {
		scope, args := l.who.Scope.Predicate("subdistrict_id", "community_id", []any{lo})
		if _, err := tx.Exec(ctx, `UPDATE import_area_stage SET problem = 'the area falls outside your scope'
			WHERE n >= $1 AND problem IS NULL AND n NOT IN (SELECT n FROM import_area_place WHERE `+scope+`)`, args...); err != nil {
			return fmt.Errorf("import: scope: %w", err)
		}
		// Changing an area in place needs the area as it stands to be in scope too; one in no unit
		// (the predicate is NULL there) is outside every limited scope.
		scope, args = l.who.Scope.Predicate("a.subdistrict_id", "a.community_id", []any{lo})
		if _, err := tx.Exec(ctx, `UPDATE import_area_stage s SET problem = 'the area stored under key ' || s.source_key || ' falls outside your scope'
			WHERE n >= $1 AND problem IS NULL
				AND EXISTS (SELECT 1 FROM area a WHERE a.source_key = s.source_key AND NOT COALESCE(`+scope+`, false))`, args...); err != nil {
			return fmt.Errorf("import: scope: %w", err)
		}
	}
	reported := len(l.res.Skipped)
	if err := collectProblems(ctx, tx, "import_area_stage", "area", l.source, l.opt, l.res, "", lo); err != nil {
		return err
	}
	// Every staged row from lo on has just been reported or is good.
	return l.insertAreas(ctx, lo, len(l.metas)-lo-(len(l.res.Skipped)-reported))
}

// checkStage marks what is wrong with the staged geometries from n = lo on, with ST_IsValidDetail's
// reason and place, and repairs them if asked.
func checkStage(ctx context.Context, tx pgx.Tx, lo int, opt ImportOptions, source func(int) (int, string, string), res *ImportResult) error {
	if _, err := tx.Exec(ctx, `UPDATE import_area_stage s
		SET problem = CASE WHEN NOT (x.d).valid THEN (x.d).reason ELSE 'geometry is empty' END,
			px = CASE WHEN NOT (x.d).valid THEN ST_X((x.d).location) END, py = CASE WHEN NOT (x.d).valid THEN ST_Y((x.d).location) END
		FROM (SELECT n, geom, ST_IsValidDetail(geom) AS d FROM import_area_stage WHERE n >= $1) x
		WHERE s.n = x.n AND (NOT (x.d).valid OR ST_IsEmpty(x.geom))`, lo); err != nil {
		return fmt.Errorf("import: validate: %w", err)
	}
	if opt.Repair {
		if err := repairStage(ctx, tx, "import_area_stage", lo, "area", source, res); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE import_area_stage s SET problem = 'centreline: ' || (x.d).reason
		FROM (SELECT n, ST_IsValidDetail(centreline) AS d FROM import_area_stage WHERE n >= $1 AND centreline IS NOT NULL) x
		WHERE s.n = x.n AND s.problem IS NULL AND NOT (x.d).valid`, lo); err != nil {
		return fmt.Errorf("import: validate centrelines: %w", err)
	}
	return nil
}

// insertAreas writes the good staged rows from n = lo on (good of them) into area with one
// INSERT … SELECT, in input order. A row whose key is already stored changes that area in place,
// unless nothing the import gives (kind, name, attributes, geometry, centreline) differs: then it is
// left alone, so an extract imported twice changes nothing the second time.
func (l *areaLoad) insertAreas(ctx context.Context, lo, good int) error {
	res := l.res
	rows, err := l.tx.Query(ctx, `INSERT INTO area AS a (kind, name, geom, centreline, attributes, subdistrict_id, community_id, source_key)
		SELECT s.kind, s.name, s.geom, s.centreline, s.attributes, p.subdistrict_id, p.community_id, s.source_key
		FROM import_area_stage s LEFT JOIN import_area_place p ON p.n = s.n
		WHERE s.n >= $1 AND s.problem IS NULL ORDER BY s.n
		ON CONFLICT (source_key) WHERE source_key IS NOT NULL DO UPDATE
		SET kind = EXCLUDED.kind, name = EXCLUDED.name, geom = EXCLUDED.geom, centreline = EXCLUDED.centreline,
			attributes = EXCLUDED.attributes, subdistrict_id = EXCLUDED.subdistrict_id, community_id = EXCLUDED.community_id,
			updated_at = now()
		WHERE (a.kind, a.name, a.attributes) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.name, EXCLUDED.attributes)
			OR NOT ST_OrderingEquals(a.geom, EXCLUDED.geom)
			OR (a.centreline IS NULL) <> (EXCLUDED.centreline IS NULL) OR NOT ST_OrderingEquals(a.centreline, EXCLUDED.centreline)
		RETURNING a.id, a.kind, xmax = 0`, lo)
	if err != nil {
		return translate(err, "import areas")
	}
	var (
		id       int64
		kind     string
		inserted bool
		written  int
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &kind, &inserted}, func() error {
		written++
		res.ByKind[kind]++
		res.Areas++
		if !inserted {
			res.Updated++
			if l.bulk {
				l.updated = append(l.updated, id)
			}
			return nil
		}
		if res.FirstID == 0 || id < res.FirstID {
			res.FirstID = id
		}
		res.LastID = max(res.LastID, id)
		return nil
	})
	if err != nil {
		return translate(err, "import areas")
	}
	res.Unchanged += good - written
	return nil
}
