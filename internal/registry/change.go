package registry

import (
	"strconv"
	"strings"
)

// Change is one notification on ChangeChannel: "<table>:<op>:<id>" for a row, or, when a bulk import
// inserted many rows in one statement, "<table>:<op>:<first>-<last>" once for all of them (ids in
// that range that are not new may be named too; listeners treat a range as "re-read everything").
type Change struct {
	Table, Op   string
	First, Last int64
}

// Bulk reports whether the change names a range of rows rather than one.
func (c Change) Bulk() bool { return c.Last != c.First }

// ParseChange reads a ChangeChannel payload; ok is false for anything it does not recognise.
func ParseChange(payload string) (c Change, ok bool) {
	parts := strings.Split(payload, ":")
	if len(parts) != 3 {
		return Change{}, false
	}
	c.Table, c.Op = parts[0], parts[1]
	first, last, isRange := strings.Cut(parts[2], "-")
	var err error
	if c.First, err = strconv.ParseInt(first, 10, 64); err != nil {
		return Change{}, false
	}
	c.Last = c.First
	if isRange {
		if c.Last, err = strconv.ParseInt(last, 10, 64); err != nil || c.Last < c.First {
			return Change{}, false
		}
	}
	return c, true
}

// bulkChange is the payload announcing the rows first..last of table inserted by one bulk import.
func bulkChange(table string, first, last int64) string {
	return table + ":insert:" + strconv.FormatInt(first, 10) + "-" + strconv.FormatInt(last, 10)
}
