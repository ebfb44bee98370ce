package maptiles_test

import (
	"net/url"
	"reflect"
	"testing"

	"streetchief/internal/maptiles"
	"streetchief/tiles"
)

func FuzzParseTile(f *testing.F) {
	for _, s := range [][3]string{{"14", "13560", "7011"}, {"0", "0", "0"}, {"23", "0", "0"}, {"01", "1", "1"}, {"3", "-1", "2"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, z, x, y string) {
		tile, err := maptiles.ParseTile(z, x, y)
		if err == nil && !tiles.Valid(uint64(tile.Z), uint64(tile.X), uint64(tile.Y)) {
			t.Fatalf("accepted %s/%s/%s as %v", z, x, y, tile)
		}
	})
}

func FuzzParseFilter(f *testing.F) {
	for _, q := range []string{"", "from=2026-01-01&to=2026-02-01", "category=sanitation&status=reported,closed", "status=&from=x", "to=2026-01-01T08:00:00%2B08:00"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, err := maptiles.ParseFilter(q)
		if err != nil {
			return
		}
		// What was accepted reads back the same from its canonical form: cache keys are sound.
		again, err := maptiles.ParseFilter(fl.Query())
		if err != nil || !again.From.Equal(fl.From) || !again.To.Equal(fl.To) || again.Category != fl.Category ||
			!reflect.DeepEqual(again.Statuses, fl.Statuses) {
			t.Fatalf("%q → %+v → %q → %+v, %v", raw, fl, fl.Query().Encode(), again, err)
		}
	})
}
