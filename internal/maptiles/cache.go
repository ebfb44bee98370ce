package maptiles

import (
	"container/list"
	"sync"
)

// DefaultCacheBytes is the tile cache's budget when none is configured.
const DefaultCacheBytes = 128 << 20

// entryOverhead approximates what an entry costs beyond its key and bytes (list element, map slot,
// ETag), so a cache of many empty tiles still respects its budget.
const entryOverhead = 160

// Tile is a rendered tile: gzipped MVT bytes, nil when the tile is empty, and its strong ETag.
type Tile struct {
	Gzipped []byte
	ETag    string
}

// cache is an LRU of rendered tiles bounded by bytes. Keys carry the data version, so a change
// never needs an invalidation: new requests ask for new keys and old entries age out.
type cache struct {
	mu     sync.Mutex
	budget int64
	used   int64
	lru    *list.List // front: most recently used
	items  map[string]*list.Element
	hits   uint64
	misses uint64
}

type cacheEntry struct {
	key  string
	tile Tile
}

func newCache(budget int64) *cache {
	if budget == 0 {
		budget = DefaultCacheBytes
	}
	return &cache{budget: budget, lru: list.New(), items: map[string]*list.Element{}}
}

func entrySize(key string, t Tile) int64 {
	return int64(len(key)+len(t.Gzipped)+len(t.ETag)) + entryOverhead
}

func (c *cache) get(key string) (Tile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[key]
	if !ok {
		c.misses++
		return Tile{}, false
	}
	c.hits++
	c.lru.MoveToFront(el)
	return el.Value.(*cacheEntry).tile, true
}

func (c *cache) put(key string, t Tile) {
	size := entrySize(key, t)
	if size > c.budget/4 { // also: a negative budget caches nothing
		return // one giant tile must not flush everything else
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		old := el.Value.(*cacheEntry)
		c.used += size - entrySize(key, old.tile)
		old.tile = t
		c.lru.MoveToFront(el)
	} else {
		c.items[key] = c.lru.PushFront(&cacheEntry{key: key, tile: t})
		c.used += size
	}
	for c.used > c.budget {
		el := c.lru.Back()
		e := el.Value.(*cacheEntry)
		c.lru.Remove(el)
		delete(c.items, e.key)
		c.used -= entrySize(e.key, e.tile)
	}
}

// CacheStats reports the cache's use.
type CacheStats struct {
	Entries      int
	Bytes        int64
	Budget       int64
	Hits, Misses uint64
}

func (c *cache) stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: len(c.items), Bytes: c.used, Budget: c.budget, Hits: c.hits, Misses: c.misses}
}
