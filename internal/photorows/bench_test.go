package photorows_test

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"streetchief/internal/dbtest"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows"
)

// BenchmarkMoveOut moves 1,000 legacy rows of 100 KiB each (a phone photo after the app shrinks it)
// out of task_photo into a fresh file-system store, 500 a batch, as `streetchief photos move-out`
// does; then checks them. Writing the rows is not timed. Figures: docs/benchmarks.md.
func BenchmarkMoveOut(b *testing.B) {
	const rows, size = 1000, 100 << 10
	ctx := context.Background()
	pool := dbtest.Pool(b)
	var moving, checking time.Duration
	for n := 0; b.Loop(); n++ {
		b.StopTimer()
		if _, err := pool.Exec(ctx, `TRUNCATE task_photo`); err != nil {
			b.Fatal(err)
		}
		var shas, contents [][]byte
		for i := range rows {
			c := make([]byte, size)
			binary.LittleEndian.PutUint64(c, uint64(n*rows+i))
			sum := sha256.Sum256(c)
			shas, contents = append(shas, sum[:]), append(contents, c)
		}
		if _, err := pool.Exec(ctx, `INSERT INTO task_photo (sha256, content_type, bytes) SELECT s, 'image/jpeg', c FROM unnest($1::bytea[], $2::bytea[]) AS u(s, c)`,
			shas, contents); err != nil {
			b.Fatal(err)
		}
		store, err := objectstore.NewFS(filepath.Join(b.TempDir(), "photos"))
		if err != nil {
			b.Fatal(err)
		}
		table := photorows.For(pool, store, "task_photo")
		b.StartTimer()
		start := time.Now()
		m, err := table.MoveOut(ctx, 500, func(err error) { b.Error(err) })
		if err != nil || m.Moved != rows {
			b.Fatalf("moved %+v, %v", m, err)
		}
		moving += time.Since(start)
		start = time.Now()
		c, err := table.Check(ctx, func(err error) { b.Error(err) })
		if err != nil || c.InStore != rows || c.Problems != 0 {
			b.Fatalf("checked %+v, %v", c, err)
		}
		checking += time.Since(start)
	}
	b.SetBytes(rows * size)
	b.ReportMetric(moving.Seconds()/float64(b.N), "move-s/op")
	b.ReportMetric(checking.Seconds()/float64(b.N), "check-s/op")
}
