package photorows_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows"
)

// BenchmarkMoveOut moves 1,000 legacy rows of 100 KiB each (a phone photo after the app shrinks it)
// out of task_photo into a file-system store, 500 a batch, as `streetchief photos move-out` does;
// then checks every row the table holds. Each round writes 1,000 new rows (nothing is erased: the
// table is history), so a round's check covers the rounds before it too; the check's figure is per
// 1,000 rows checked. Writing the rows is not timed. Figures: docs/benchmarks.md.
// One store and one count of rows for every run of the benchmark in this process: the package's
// database keeps the rows of earlier runs, and their blobs must stay checkable.
var (
	benchStoreOnce sync.Once
	benchDir       string
	benchStore     objectstore.Store
	benchStoreErr  error
	benchRows      uint64
)

func BenchmarkMoveOut(b *testing.B) {
	const rows, size = 1000, 100 << 10
	ctx := context.Background()
	pool := dbtest.Pool(b)
	benchStoreOnce.Do(func() {
		if benchDir, benchStoreErr = os.MkdirTemp("", "photorows-bench-"); benchStoreErr == nil {
			benchStore, benchStoreErr = objectstore.NewFS(filepath.Join(benchDir, "photos"))
		}
	})
	if benchStoreErr != nil {
		b.Fatal(benchStoreErr)
	}
	table := photorows.For(pool, benchStore, "task_photo")
	var moving, checking time.Duration
	var checked int
	for b.Loop() {
		b.StopTimer()
		var shas, contents [][]byte
		for range rows {
			c := make([]byte, size)
			binary.LittleEndian.PutUint64(c, benchRows)
			benchRows++
			sum := sha256.Sum256(c)
			shas, contents = append(shas, sum[:]), append(contents, c)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO task_photo (sha256, content_type, bytes) SELECT s, 'image/jpeg', c FROM unnest($1::bytea[], $2::bytea[]) AS u(s, c)`,
			shas, contents); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		m, err := table.MoveOut(ctx, 500, func(err error) { b.Error(err) })
		if err != nil || m.Moved != rows {
			b.Fatalf("moved %+v, %v", m, err)
		}
		moving += time.Since(start)
		start = time.Now()
		c, err := table.Check(ctx, func(err error) { b.Error(err) })
		if err != nil || c.InStore != int(benchRows) || c.Problems != 0 {
			b.Fatalf("checked %+v, %v; want all %d rows written in the store", c, err, benchRows)
		}
		checking += time.Since(start)
		checked += c.InStore
	}
	b.SetBytes(rows * size)
	b.ReportMetric(moving.Seconds()/float64(b.N), "move-s/op")
	b.ReportMetric(checking.Seconds()/float64(checked)*1000, "check-s/1000rows")
}
