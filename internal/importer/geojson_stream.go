package importer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"streetchief/internal/apperr"
	"streetchief/internal/jsonlist"
	"streetchief/internal/registry"
)

// featureBatch is a run of consecutive features: split off the document by the reader, decoded and
// prepared by a worker, handed out in order by next.
type featureBatch struct {
	start int
	raws  []json.RawMessage
	out   []decoded
	err   error // the document is malformed here; nothing after it counts
	done  chan struct{}
}

type decoded struct {
	area registry.ImportArea
	skip *registry.ImportSkip
}

const (
	batchSize = 256
	readAhead = 24576 // features
)

// featureStream reads a FeatureCollection while the import consumes it: one goroutine splits the
// document into features, workers on every core decode them and prepare their rows (checks, WKB),
// and next returns them in input order. Decoding thus overlaps with the COPY and uses all cores.
type featureStream struct {
	order   chan *featureBatch
	quit    chan struct{}
	once    sync.Once
	strict  bool
	cur     *featureBatch
	pos     int
	skipped []registry.ImportSkip
}

func newFeatureStream(r io.Reader, opt GeoJSONOptions, strict bool) *featureStream {
	if opt.NameProp == "" {
		opt.NameProp = "name"
	}
	workers := runtime.GOMAXPROCS(0)
	// The reader may run a little more than the importer's chunk ahead, so decoding goes on while the
	// database checks and inserts the chunk before.
	s := &featureStream{order: make(chan *featureBatch, readAhead/batchSize), quit: make(chan struct{}), strict: strict}
	jobs := make(chan *featureBatch, workers)
	for range workers {
		go func() {
			for b := range jobs {
				b.decode(opt)
				close(b.done)
			}
		}()
	}
	go func() {
		defer close(s.order)
		defer close(jobs)
		send := func(b *featureBatch) bool {
			select {
			case s.order <- b:
			case <-s.quit:
				return false
			}
			if b.err != nil {
				close(b.done)
				return true
			}
			select {
			case jobs <- b:
				return true
			case <-s.quit:
				return false
			}
		}
		if err := splitFeatures(r, send); err != nil && !errors.Is(err, errStopped) {
			send(&featureBatch{err: err, done: make(chan struct{})})
		}
	}()
	return s
}

// close stops the reader and the workers when the import ends early.
func (s *featureStream) close() { s.once.Do(func() { close(s.quit) }) }

// next returns the next area that decoded, nil at the end; features that cannot become areas are
// kept for the report, or, in strict mode, end the import.
func (s *featureStream) next() (*registry.ImportArea, error) {
	for {
		if s.cur == nil || s.pos == len(s.cur.out) {
			b, ok := <-s.order
			if !ok {
				return nil, nil
			}
			<-b.done
			if b.err != nil {
				s.close()
				return nil, b.err
			}
			s.cur, s.pos = b, 0
		}
		d := &s.cur.out[s.pos]
		s.pos++
		if d.skip == nil {
			return &d.area, nil
		}
		if s.strict {
			s.close()
			return nil, skipError(*d.skip)
		}
		s.skipped = append(s.skipped, *d.skip)
	}
}

func (b *featureBatch) decode(opt GeoJSONOptions) {
	b.out = make([]decoded, len(b.raws))
	for j, raw := range b.raws {
		i := b.start + j
		f, err := readFeature(raw)
		if err != nil {
			b.err = &apperr.Error{Code: apperr.Malformed, Message: fmt.Sprintf("feature %d: malformed JSON: %v", i, err), Err: err}
			b.out = b.out[:j]
			return
		}
		a, err := featureArea(i, f, opt)
		if terr := jsonlist.CheckText(raw); terr != nil {
			err = errors.New(apperr.Message(terr))
		}
		if err != nil {
			b.out[j].skip = &registry.ImportSkip{Target: "area", Index: i, Source: a.Source, Kind: a.Kind, Reason: err.Error()}
			continue
		}
		a.Prepare()
		b.out[j].area = a
	}
	b.raws = nil
}
