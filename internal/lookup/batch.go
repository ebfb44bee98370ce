package lookup

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"streetchief/geo"
	"streetchief/internal/apperr"
)

// AnswerEach answers q at every point of pts (q.Point is ignored) and calls fn(i, answer at pts[i])
// once for each i, in spatial order rather than input order, until fn returns an error. Points next
// to each other share index cells, polygons and people, so a batch taken in spatial order runs
// largely from cache: several times faster than the same points in input order once the batch is
// large. Every point is answered from the same snapshot and, when q.At is zero, at the same moment.
// The answer is valid only during its call to fn.
func (e *Engine) AnswerEach(q Query, pts []orb.Point, fn func(i int, a Answer) error) error {
	s := e.snap.Load()
	if s == nil {
		return apperr.New(apperr.Unavailable, "the responsibility index is still loading")
	}
	if q.At.IsZero() {
		q.At = time.Now()
	}
	return s.answerEach(q, pts, new(Scratch), fn)
}

func (s *snapshot) answerEach(q Query, pts []orb.Point, sc *Scratch, fn func(i int, a Answer) error) error {
	for _, i := range geo.CurveOrder(pts) {
		q.Point = pts[i]
		if err := fn(i, s.answer(q, sc)); err != nil {
			return err
		}
	}
	return nil
}

// BatchChunk is how many points AnswerStream answers as one piece of work: large enough for the
// spatial order to pay, small enough that the first bytes leave early and a chunk's encoded
// answers (~0.5 KB a point in full) stay a few megabytes.
const BatchChunk = 16384

// AnswerStream answers q at every point of pts on all CPUs and hands the encoded answers to out in
// input order, a chunk of up to BatchChunk points at a time, as soon as each chunk and all before it
// are done. encode appends the answer at pts[i] to dst. Every point is answered from one snapshot
// at one moment. out's bytes are valid only during its call; the first error from out stops the
// work and is returned.
func (e *Engine) AnswerStream(q Query, pts []orb.Point, encode func(dst []byte, i int, a Answer) []byte,
	out func(chunk []byte) error) error {
	s := e.snap.Load()
	if s == nil {
		return apperr.New(apperr.Unavailable, "the responsibility index is still loading")
	}
	if q.At.IsZero() {
		q.At = time.Now()
	}
	chunks := (len(pts) + BatchChunk - 1) / BatchChunk
	workers := max(1, min(runtime.GOMAXPROCS(0), chunks))
	// A chunk's answers wait in done[c] until out has taken every chunk before it; tokens bound
	// the chunks answered but not yet written, and so the memory held.
	done := make([]chan []byte, chunks)
	for c := range done {
		done[c] = make(chan []byte, 1)
	}
	tokens := make(chan struct{}, 2*workers)
	var next atomic.Int64
	var stop atomic.Bool
	quit := make(chan struct{})
	var wg sync.WaitGroup
	free := make(chan []byte, 2*workers+1) // spent output buffers, reused
	for range workers {
		wg.Go(func() {
			var sc Scratch
			var answers []byte
			spans := make([][2]int32, BatchChunk)
			for {
				select {
				case tokens <- struct{}{}:
				case <-quit:
					return
				}
				c := int(next.Add(1) - 1)
				if c >= chunks || stop.Load() {
					<-tokens
					return
				}
				from := c * BatchChunk
				chunk := pts[from:min(from+BatchChunk, len(pts))]
				answers = answers[:0]
				_ = s.answerEach(q, chunk, &sc, func(i int, a Answer) error {
					start := len(answers)
					answers = encode(answers, from+i, a)
					spans[i] = [2]int32{int32(start), int32(len(answers))}
					return nil
				})
				var buf []byte
				select {
				case buf = <-free:
				default:
				}
				buf = buf[:0]
				for i := range chunk {
					buf = append(buf, answers[spans[i][0]:spans[i][1]]...)
				}
				done[c] <- buf
			}
		})
	}
	var err error
	for c := range chunks {
		buf := <-done[c]
		if err = out(buf); err != nil {
			stop.Store(true)
			close(quit)
			break
		}
		select {
		case free <- buf:
		default:
		}
		<-tokens
	}
	wg.Wait()
	return err
}
