package lookup

import (
	"strconv"
	"unicode/utf8"
)

// AppendJSON appends the answer as JSON to dst. The lookup endpoint answers tens of thousands of
// these a second; writing them directly costs a fraction of reflection-driven encoding/json, whose
// output it matches (see TestAppendJSONMatchesEncodingJSON).
func (a Answer) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"lon":`...)
	dst = appendFloat(dst, a.Lon)
	dst = append(dst, `,"lat":`...)
	dst = appendFloat(dst, a.Lat)
	dst = append(dst, `,"areas":[`...)
	for i, h := range a.Areas {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"id":`...)
		dst = strconv.AppendInt(dst, h.ID, 10)
		dst = append(dst, `,"kind":`...)
		dst = appendString(dst, h.Kind)
		dst = append(dst, `,"name":`...)
		dst = appendString(dst, h.Name)
		dst = append(dst, `,"distance_m":`...)
		dst = appendFloat(dst, h.DistanceM)
		dst = append(dst, `,"responsible":[`...)
		for j, r := range h.Responsible {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = appendResponsible(dst, &r)
		}
		dst = append(dst, "]}"...)
	}
	dst = append(dst, `],"community":`...)
	dst = appendUnit(dst, a.Community, "lane_chief")
	dst = append(dst, `,"subdistrict":`...)
	dst = appendUnit(dst, a.Subdistrict, "street_chief")
	return append(dst, '}')
}

func appendUnit(dst []byte, u *UnitHit, chiefKey string) []byte {
	if u == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, `{"id":`...)
	dst = strconv.AppendInt(dst, u.ID, 10)
	dst = append(dst, `,"name":`...)
	dst = appendString(dst, u.Name)
	dst = append(dst, `,"`...)
	dst = append(dst, chiefKey...)
	dst = append(dst, `":`...)
	if u.Chief == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendResponsible(dst, u.Chief)
	}
	if len(u.Posts) > 0 {
		dst = append(dst, `,"posts":[`...)
		for i := range u.Posts {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendResponsible(dst, &u.Posts[i])
		}
		dst = append(dst, ']')
	}
	return append(dst, '}')
}

func appendResponsible(dst []byte, r *Responsible) []byte {
	dst = append(dst, `{"person_id":`...)
	dst = strconv.AppendInt(dst, r.PersonID, 10)
	dst = append(dst, `,"name":`...)
	dst = appendString(dst, r.Name)
	dst = append(dst, `,"role":`...)
	dst = appendString(dst, string(r.Role))
	if r.Level != "" {
		dst = append(dst, `,"level":`...)
		dst = appendString(dst, string(r.Level))
	}
	if r.DepartmentID != 0 {
		dst = append(dst, `,"department_id":`...)
		dst = strconv.AppendInt(dst, r.DepartmentID, 10)
	}
	if r.Department != "" {
		dst = append(dst, `,"department":`...)
		dst = appendString(dst, r.Department)
	}
	if r.Deputy {
		dst = append(dst, `,"deputy":true`...)
	}
	if r.Phone != "" {
		dst = append(dst, `,"phone":`...)
		dst = appendString(dst, r.Phone)
	}
	return append(dst, '}')
}

// appendFloat writes a float as encoding/json does.
func appendFloat(dst []byte, f float64) []byte {
	abs := f
	if abs < 0 {
		abs = -abs
	}
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		n := len(dst)
		if n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string, escaping as encoding/json does (HTML-safe).
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		b := s[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '"', '\\':
				dst = append(dst, '\\', b)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
