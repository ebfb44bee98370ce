package lookup

import (
	"strconv"
	"strings"
)

// The batch endpoint and the CLI answer in these shapes besides the full JSON answer. "ids" is the
// answer without names and people: the covering (or nearest) areas, most specific first, the
// community and the subdistrict, for a caller joining the answers to its own copy of the registry.

// CSVHeader names the columns of AppendCSV; lists within a cell are separated by ';'.
const CSVHeader = "lon,lat,area_ids,area_names,responsible,community,lane_chief,subdistrict,street_chief\n"

// IDsCSVHeader names the columns of AppendIDsCSV.
const IDsCSVHeader = "lon,lat,area_ids,community_id,subdistrict_id\n"

// AppendCSV appends the answer as one CSV row (RFC 4180 quoting), ending in a newline.
func (a Answer) AppendCSV(dst []byte) []byte {
	dst = appendFloat(dst, a.Lon)
	dst = append(dst, ',')
	dst = appendFloat(dst, a.Lat)
	dst = append(dst, ',')
	for i, h := range a.Areas {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = strconv.AppendInt(dst, h.ID, 10)
	}
	// Room on the stack for a usual answer's names: a few areas, a few people.
	var nameRoom, peopleRoom [8]string
	names, people := nameRoom[:0], peopleRoom[:0]
	for _, h := range a.Areas {
		names = append(names, h.Name)
		for _, r := range h.Responsible {
			people = append(people, r.Name)
		}
	}
	dst = append(dst, ',')
	dst = appendCSVField(dst, strings.Join(names, ";"))
	dst = append(dst, ',')
	dst = appendCSVField(dst, strings.Join(people, ";"))
	for _, u := range []*UnitHit{a.Community, a.Subdistrict} {
		name, chief := "", ""
		if u != nil {
			name = u.Name
			if u.Chief != nil {
				chief = u.Chief.Name
			}
		}
		dst = append(dst, ',')
		dst = appendCSVField(dst, name)
		dst = append(dst, ',')
		dst = appendCSVField(dst, chief)
	}
	return append(dst, '\n')
}

// AppendIDsCSV appends the answer's ids as one CSV row, ending in a newline.
func (a Answer) AppendIDsCSV(dst []byte) []byte {
	dst = appendFloat(dst, a.Lon)
	dst = append(dst, ',')
	dst = appendFloat(dst, a.Lat)
	dst = append(dst, ',')
	for i, h := range a.Areas {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = strconv.AppendInt(dst, h.ID, 10)
	}
	dst = append(dst, ',')
	dst = appendUnitID(dst, a.Community, "")
	dst = append(dst, ',')
	dst = appendUnitID(dst, a.Subdistrict, "")
	return append(dst, '\n')
}

// AppendIDsJSON appends the answer's ids as a JSON object:
// {"areas":[12,7],"community":3,"subdistrict":1}, null for a unit not found.
func (a Answer) AppendIDsJSON(dst []byte) []byte {
	dst = append(dst, `{"areas":[`...)
	for i, h := range a.Areas {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = strconv.AppendInt(dst, h.ID, 10)
	}
	dst = append(dst, `],"community":`...)
	dst = appendUnitID(dst, a.Community, "null")
	dst = append(dst, `,"subdistrict":`...)
	dst = appendUnitID(dst, a.Subdistrict, "null")
	return append(dst, '}')
}

func appendUnitID(dst []byte, u *UnitHit, none string) []byte {
	if u == nil {
		return append(dst, none...)
	}
	return strconv.AppendInt(dst, u.ID, 10)
}

// appendCSVField quotes s when it holds a comma, quote or line break, as encoding/csv would.
func appendCSVField(dst []byte, s string) []byte {
	if !needsCSVQuotes(s) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}

// needsCSVQuotes is strings.ContainsAny(s, ",\"\r\n") or a leading blank, without the set
// ContainsAny builds on every call: two fields of every one of a million rows.
func needsCSVQuotes(s string) bool {
	if s != "" && (s[0] == ' ' || s[0] == '\t') {
		return true
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ',', '"', '\r', '\n':
			return true
		}
	}
	return false
}
