package lookup

import (
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
	var sc Scratch
	for _, i := range geo.CurveOrder(pts) {
		q.Point = pts[i]
		if err := fn(i, s.answer(q, &sc)); err != nil {
			return err
		}
	}
	return nil
}
