package lookup

import (
	"context"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/registry"
)

// DefaultToleranceM is how far from a point an area may lie and still be named when none covers it:
// about the GPS error of a phone on a street.
const DefaultToleranceM = 20

// MaxToleranceM bounds the tolerance a caller may ask for.
const MaxToleranceM = 500

// Engine answers responsibility lookups from memory.
type Engine struct {
	store *registry.Store
	snap  atomic.Pointer[snapshot]

	mu        sync.Mutex
	followers []*Updates

	// districts, when set, are the only districts the engine holds (NewWithin): its snapshot has
	// their subdistricts only, so a point in none of those is refused as misdirected.
	districts []int64
}

// New returns an engine that has loaded nothing yet; call Load (or Run) before Lookup.
func New(store *registry.Store) *Engine { return &Engine{store: store} }

// NewWithin is New holding only the districts ids (ids of admin units of level district): one
// shard of a territory too large for one process (docs/scale.md, "Routing by district").
func NewWithin(store *registry.Store, districts []int64) *Engine {
	if len(districts) == 0 {
		return New(store)
	}
	return &Engine{store: store.WithinDistricts(districts), districts: districts}
}

// Districts are the districts the engine is limited to; nil when it holds the whole territory.
func (e *Engine) Districts() []int64 { return e.districts }

// Load reads the whole territory and swaps it in.
func (e *Engine) Load(ctx context.Context) error {
	areas, err := e.store.SpatialAreas(ctx, nil)
	if err != nil {
		return err
	}
	units, err := e.store.SpatialUnits(ctx, nil)
	if err != nil {
		return err
	}
	posts, err := e.store.Posts(ctx, nil, nil)
	if err != nil {
		return err
	}
	// The rows arrive in slices grown by appending, up to a quarter longer than needed, and the
	// snapshot keeps them for its life: copied to their length they cost no more than they hold.
	e.snap.Store(newSnapshot(slices.Clone(areas), slices.Clone(units), slices.Clone(posts)))
	// Reading and building left about twice the snapshot's size in garbage, and the runtime would
	// keep those pages resident for minutes: a full load is rare, so hand them back now.
	debug.FreeOSMemory()
	return nil
}

// Ready reports whether a snapshot is loaded.
func (e *Engine) Ready() bool { return e.snap.Load() != nil }

// Query is one lookup.
type Query struct {
	Point      orb.Point // WGS-84
	At         time.Time // zero: now
	ToleranceM float64   // < 0: none; 0: DefaultToleranceM
	Who        access.Principal
	// SubdistrictPosts asks for the posts held over the subdistrict besides its street chief (a
	// point's full answer; batches and incident routing leave them out, as they need the chiefs only).
	SubdistrictPosts bool
	// WithoutPeople leaves every area's, community's and subdistrict's people out: a batch asking
	// for ids only then spares the walk over their posts.
	WithoutPeople bool
}

// Answer answers who is responsible at q.Point.
func (e *Engine) Answer(q Query) (Answer, error) {
	return e.AnswerWith(q, new(Scratch))
}

// AnswerWith answers like Answer but builds the answer in sc's storage: a caller answering many
// points (a batch, a busy handler) then allocates nothing per point. The answer stays valid until
// sc is used again.
func (e *Engine) AnswerWith(q Query, sc *Scratch) (Answer, error) {
	s := e.snap.Load()
	if s == nil {
		return Answer{}, apperr.New(apperr.Unavailable, "the responsibility index is still loading")
	}
	ans := s.answer(q, sc)
	// The index's own subdistrict search says whether the point is held: no scan of the districts'
	// boundaries on every lookup.
	if e.districts != nil && ans.Subdistrict == nil {
		return Answer{}, apperr.New(apperr.Misdirected,
			"this replica holds districts %v only, and (%.6f, %.6f) lies in none of their subdistricts: ask through the load balancer, naming the point's district", e.districts, q.Point[0], q.Point[1])
	}
	return ans, nil
}

// Lookup is Answer for other domains (incident intake): a point at a time, without phones.
func (e *Engine) Lookup(ctx context.Context, pt orb.Point, at time.Time) (Answer, error) {
	return e.Answer(Query{Point: pt, At: at})
}
