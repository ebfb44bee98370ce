package tiles

// dict is a layer's property table, built once with the layer: every distinct key and value of
// its features, and each feature's properties as pairs of indexes into it. A tile maps the indexes
// it meets to its own key and value tables through two slices instead of hashing every value of
// every feature again, which was a third of the encoder's time over dense tiles.
type dict struct {
	keys []string
	vals []value

	keyIx map[string]uint32 // only while the layer is built
	valIx map[value]uint32
}

func newDict() *dict {
	return &dict{keyIx: map[string]uint32{}, valIx: map[value]uint32{}}
}

// tags returns props as key/value index pairs, adding what is new to the table.
func (d *dict) tags(props []prop) []uint32 {
	out := make([]uint32, 0, 2*len(props))
	for _, p := range props {
		out = append(out, intern(d.keyIx, &d.keys, p.key), intern(d.valIx, &d.vals, p.val))
	}
	return out
}

// intern returns v's index in list, appending v (and noting its index in ix) when it is new.
func intern[T comparable](ix map[T]uint32, list *[]T, v T) uint32 {
	i, ok := ix[v]
	if !ok {
		i = uint32(len(*list))
		ix[v] = i
		*list = append(*list, v)
	}
	return i
}

// done drops the build-time indexes.
func (d *dict) done() { d.keyIx, d.valIx = nil, nil }

// endIndexed is end for a feature whose properties are index pairs into d. A layer tile is written
// either with end or with endIndexed and one dict, never a mix: the two keep separate indexes,
// which is what spares endIndexed a hash per value.
func (e *encoder) endIndexed(id uint64, tags []uint32, d *dict) {
	if len(e.geom) == 0 {
		return
	}
	if len(e.keyLocal) < len(d.keys) {
		e.keyLocal = append(e.keyLocal, make([]uint32, len(d.keys)-len(e.keyLocal))...)
	}
	if len(e.valLocal) < len(d.vals) {
		e.valLocal = append(e.valLocal, make([]uint32, len(d.vals)-len(e.valLocal))...)
	}
	e.tags = e.tags[:0]
	for i := 0; i+1 < len(tags); i += 2 {
		k, v := tags[i], tags[i+1]
		lk := e.keyLocal[k] // the tile's index + 1; 0 while unseen
		if lk == 0 {
			e.keyList = append(e.keyList, d.keys[k])
			lk = uint32(len(e.keyList))
			e.keyLocal[k] = lk
			e.usedKeys = append(e.usedKeys, k)
		}
		lv := e.valLocal[v]
		if lv == 0 {
			e.valList = append(e.valList, d.vals[v])
			lv = uint32(len(e.valList))
			e.valLocal[v] = lv
			e.usedVals = append(e.usedVals, v)
		}
		e.tags = append(e.tags, lk-1, lv-1)
	}
	e.write(id)
}
