package registry

// SetBulkForTest makes small imports load the way large ones do — in chunks of chunk rows, with the
// bulk switches from more than threshold rows on, rebuilding keys and indexes whatever the table's
// size — and returns the function that undoes it.
func SetBulkForTest(threshold, chunk int) (undo func()) {
	t, c, r := bulkThreshold, chunkRows, rebuildWorthIt
	bulkThreshold, chunkRows = threshold, chunk
	rebuildWorthIt = func(int, bool, float64) bool { return true }
	return func() { bulkThreshold, chunkRows, rebuildWorthIt = t, c, r }
}

// MayBulkLoad exposes the rule for who may load with triggers paused and keys dropped.
var MayBulkLoad = mayBulkLoad
