// Package maptiles serves the map's vector tiles: it draws the territory layers (admin units, areas,
// coverage) from the in-memory lookup snapshot and the incident layers from the incidents service,
// through the pure tiles package, and caches the results in an LRU keyed by data version, so a
// committed change is never served stale yet nothing needs invalidating. It must not depend on the
// HTTP layer.
package maptiles

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/paulmach/orb/maptile"
	"golang.org/x/sync/singleflight"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
	"streetchief/internal/fieldproof"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/merchants"
	"streetchief/internal/patrols"
	"streetchief/internal/servicepoints"
	"streetchief/tiles"
)

// Options configure the service; the zero value is usable.
type Options struct {
	// CacheBytes is the tile cache's budget; 0 means DefaultCacheBytes, negative turns it off
	// (benchmarks of the uncached path).
	CacheBytes int64
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
	// Merchants draws the merchants layer; nil reads the register on db.
	Merchants *merchants.Store
	// Patrols draws the patrols layer; nil reads the patrols on db.
	Patrols *patrols.Store
	// ServicePoints draws the service points layer; nil reads the register on db.
	ServicePoints *servicepoints.Service
	// Replay is set when the incidents service reads its map points from a standby: a change
	// notification then moves the incident version on only once the standby has applied it.
	Replay database.Replay
}

// Service renders and caches tiles. It is safe for concurrent use.
type Service struct {
	engine    *lookup.Engine
	incidents *incidents.Service
	merchants *merchants.Store
	patrols   *patrols.Store
	points    *servicepoints.Service
	db        *pgxpool.Pool // for the incident change feed
	now       func() time.Time
	cache     *cache
	flight    singleflight.Group

	terr   atomic.Pointer[territory]
	terrMu sync.Mutex

	// incVersion counts incident change notifications; without a live incFeed incident tiles fall
	// back to a one-second lifetime.
	incVersion atomic.Uint64
	incFeed    atomic.Pointer[database.Subscription]
	// replay and replayBehind: while the standby has not applied a change within replayWithin,
	// incident tiles live a second, as without a feed.
	replay       database.Replay
	replayBehind atomic.Bool
}

// NewService returns a tile service over the lookup engine (territory) and the incidents service,
// told of incident changes by the database's notifications.
func NewService(engine *lookup.Engine, inc *incidents.Service, db *pgxpool.Pool, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Merchants == nil && db != nil {
		opt.Merchants = merchants.NewStore(db, nil, inc, nil, merchants.Rules{})
	}
	if opt.Patrols == nil && db != nil {
		opt.Patrols = patrols.NewStore(db, fieldproof.DefaultRules().Patrol, patrols.Options{})
	}
	if opt.ServicePoints == nil && db != nil {
		opt.ServicePoints = servicepoints.NewService(db)
	}
	return &Service{engine: engine, incidents: inc, merchants: opt.Merchants, patrols: opt.Patrols, points: opt.ServicePoints, db: db, now: opt.Now, cache: newCache(opt.CacheBytes), replay: opt.Replay}
}

var errLoading = apperr.New(apperr.Unavailable, "the territory is still loading")

// Request names one tile of one layer, with the incident filters.
type Request struct {
	Layer  string
	Tile   maptile.Tile
	Filter Filter
}

// Tile returns the tile, from the cache when the data has not changed since it was drawn. An empty
// tile has nil bytes.
func (s *Service) Tile(ctx context.Context, who access.Principal, req Request) (Tile, error) {
	info, ok := Layer(req.Layer)
	switch {
	case !ok:
		return Tile{}, apperr.New(apperr.NotFound, "no tile layer %q", req.Layer)
	case !info.Public && !who.SignedIn():
		return Tile{}, apperr.New(apperr.Unauthorized, "sign in to see the %s layer", req.Layer)
	case !tiles.Valid(uint64(req.Tile.Z), uint64(req.Tile.X), uint64(req.Tile.Y)):
		return Tile{}, apperr.New(apperr.Malformed, "no tile %d/%d/%d", req.Tile.Z, req.Tile.X, req.Tile.Y)
	}
	if !info.Filtered {
		req.Filter = Filter{}
	}
	now := s.now()
	t := req.Tile
	key := fmt.Sprintf("%s/%d/%d/%d|", info.Name, t.Z, t.X, t.Y)
	var terr *territory
	if info.Name == LayerMerchants || info.Name == LayerPatrols {
		key += s.merchantsKey(who)
	} else if info.Name == LayerServicePoints {
		key += s.pointsKey()
	} else if info.Filtered {
		// Ages and weights are taken at the hour, so a tile is a function of its key.
		now = now.Truncate(time.Hour)
		key += s.incidentVersion() + "|" + strconv.FormatInt(now.Unix(), 36) + "|" + scopeKey(who) + "|" + req.Filter.Query().Encode()
	} else {
		var err error
		if terr, err = s.territoryAt(now); err != nil {
			return Tile{}, err
		}
		key += terr.key
	}
	if tile, ok := s.cache.get(key); ok {
		return tile, nil
	}
	render := func(ctx context.Context) (Tile, error) {
		v, err, _ := s.flight.Do(key, func() (any, error) {
			tile, err := s.render(ctx, who, info.Name, t, req.Filter, terr, now)
			if err != nil {
				return Tile{}, err
			}
			s.cache.put(key, tile)
			return tile, nil
		})
		return v.(Tile), err
	}
	tile, err := render(ctx)
	if err != nil && errors.Is(err, context.Canceled) && ctx.Err() == nil {
		// The request we were waiting on left and took its query with it; draw it ourselves.
		tile, err = render(ctx)
	}
	return tile, err
}

// render draws one tile and gzips it, the form it is cached and served in.
func (s *Service) render(ctx context.Context, who access.Principal, layer string, t maptile.Tile, f Filter, terr *territory, now time.Time) (Tile, error) {
	layers, err := s.draw(ctx, who, layer, t, f, terr, now)
	if err != nil {
		return Tile{}, err
	}
	gz, err := tiles.MarshalGzipped(layers...)
	if err != nil || gz == nil {
		return Tile{}, err
	}
	sum := sha256.Sum256(gz)
	return Tile{Gzipped: gz, ETag: `"` + hex.EncodeToString(sum[:12]) + `"`}, nil
}

// draw renders the MVT layers of one tile.
func (s *Service) draw(ctx context.Context, who access.Principal, layer string, t maptile.Tile, f Filter, terr *territory, now time.Time) ([]*tiles.LayerTile, error) {
	var layers []*tiles.LayerTile
	switch layer {
	case LayerAdmin:
		layers = append(layers, terr.admin.Render(t), terr.labels.Render(t))
	case LayerAreas:
		layers = append(layers, terr.areas.Render(t))
	case LayerHeatCoverage:
		if t.Z >= coverageMinZoom && terr.hasData && tileBound(t, 0).Intersects(terr.bound) {
			layers = append(layers, tiles.CoverageGrid(LayerHeatCoverage, t, heatCell, coverageSamples, sample(terr.cover.index())))
		}
	case LayerIncidents:
		if t.Z < incidentsMinZoom {
			break
		}
		pad := 0.0 // clusters are aligned to the tile: only its own incidents count
		if t.Z >= clusterBelow {
			pad = tiles.Buffer
		}
		pts, err := s.incidentPoints(ctx, who, tileBound(t, pad), f, true)
		if err != nil {
			return nil, err
		}
		layers = append(layers, incidentLayer(pts, now).Render(t))
	case LayerMerchants:
		if t.Z < merchantsMinZoom || s.merchants == nil {
			break
		}
		l, err := s.merchantLayer(ctx, who, t)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	case LayerPatrols:
		if t.Z < patrolsMinZoom || s.patrols == nil {
			break
		}
		l, err := s.patrolLayer(ctx, who, t)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	case LayerServicePoints:
		if t.Z < pointsMinZoom || s.points == nil {
			break
		}
		l, err := s.pointLayer(ctx, t)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	case LayerHeatIncidents:
		if t.Z < heatMinZoom {
			break
		}
		pts, err := s.incidentPoints(ctx, who, tileBound(t, 0), f, false)
		if err != nil {
			return nil, err
		}
		layers = append(layers, tiles.HeatGrid(LayerHeatIncidents, t, heatCell, heatPoints(pts, now)))
	}
	return layers, nil
}

// CacheStats reports the tile cache's use.
func (s *Service) CacheStats() CacheStats { return s.cache.stats() }
