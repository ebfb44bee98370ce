package lookup_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/lookup"
)

// AnswerEach takes the points in its own order; every point must still get exactly the answer a
// lookup of that point alone gives, once.
func TestAnswerEachAnswersEveryPointOnceAsASingleLookupWould(t *testing.T) {
	c := demoCity(t)
	e := loadedEngine(t)
	pts := probePoints(c, 3000)
	pts = append(pts, orb.Point{0, 0}, pts[0]) // outside everything, and a repeat
	at := time.Now()
	seen := make([]int, len(pts))
	prev := -1
	inputOrder := true
	err := e.AnswerEach(lookup.Query{At: at}, pts, func(i int, got lookup.Answer) error {
		seen[i]++
		inputOrder = inputOrder && i == prev+1
		prev = i
		want, err := e.Answer(lookup.Query{Point: pts[i], At: at})
		if err != nil {
			return err
		}
		if g, w := string(got.AppendJSON(nil)), string(want.AppendJSON(nil)); g != w {
			t.Fatalf("point %d %v:\n got %s\nwant %s", i, pts[i], g, w)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("point %d answered %d times", i, n)
		}
	}
	if inputOrder {
		t.Error("the points were answered in input order: the batch is not being reordered for locality")
	}
}

func TestAnswerEachStopsAtTheFirstError(t *testing.T) {
	c := demoCity(t)
	e := loadedEngine(t)
	pts := probePoints(c, 100)
	pts = append(pts, orb.Point{math.NaN(), 25})
	stop := errors.New("stop")
	calls := 0
	err := e.AnswerEach(lookup.Query{}, pts, func(int, lookup.Answer) error {
		calls++
		if calls == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 10 {
		t.Fatalf("err %v after %d calls, want stop after 10", err, calls)
	}
}

// AnswerStream hands back, chunk by chunk and in input order, exactly what AnswerEach answers; the
// first error from out stops it (without leaving a worker blocked) and is returned.
func TestAnswerStreamWritesEveryAnswerInInputOrderAndStopsAtTheFirstError(t *testing.T) {
	c := demoCity(t)
	e := loadedEngine(t)
	pts := probePoints(c, 3*lookup.BatchChunk)
	at := time.Now()
	want := make([]string, len(pts))
	if err := e.AnswerEach(lookup.Query{At: at}, pts, func(i int, a lookup.Answer) error {
		want[i] = string(a.AppendIDsJSON(nil)) + "\n"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	encode := func(dst []byte, _ int, a lookup.Answer) []byte { return append(a.AppendIDsJSON(dst), '\n') }
	var got []byte
	chunks := 0
	if err := e.AnswerStream(lookup.Query{At: at}, pts, encode, func(b []byte) error {
		chunks++
		got = append(got, b...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if g, w := string(got), strings.Join(want, ""); g != w {
		t.Fatalf("streamed answers (%d bytes) differ from AnswerEach's (%d bytes)", len(g), len(w))
	}
	if wantChunks := (len(pts) + lookup.BatchChunk - 1) / lookup.BatchChunk; chunks != wantChunks {
		t.Fatalf("%d chunks written, want %d", chunks, wantChunks)
	}
	stop := errors.New("stop")
	calls := 0
	err := e.AnswerStream(lookup.Query{At: at}, pts, encode, func([]byte) error {
		calls++
		if calls == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || calls != 2 {
		t.Fatalf("err %v after %d chunks, want stop after 2", err, calls)
	}
}
