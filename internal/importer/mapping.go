package importer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"streetchief/internal/registry"
)

// Rule maps OpenStreetMap tags to an area kind. Every key of Tags must match: "*" is any value,
// "a|b" is one of several. A Rule with a NamePattern matches only features whose name does.
type Rule struct {
	Tags        map[string]string `json:"tags"`
	NamePattern string            `json:"name_pattern,omitempty"`
	Kind        string            `json:"kind"`
	// Geometry is "area" (closed ways and multipolygon relations become polygons) or "line" (ways
	// become corridors around their centreline, WidthM wide unless tagged with width or lanes).
	Geometry string  `json:"geometry"`
	WidthM   float64 `json:"width_m,omitempty"`

	name *regexp.Regexp
}

// Mapping says what becomes what. Rules are tried in order and the first match wins.
type Mapping struct {
	Rules []Rule `json:"rules"`
	// AdminLevels maps boundary=administrative admin_level values to admin unit levels.
	AdminLevels map[string]string `json:"admin_levels"`
	// LaneWidthM is the width of one lane, for roads tagged with lanes but not width.
	LaneWidthM float64 `json:"lane_width_m"`
	// MerchantKeys say which objects are shops for the merchants register: "shop" is any value of
	// the key, "amenity=restaurant|cafe" only those values.
	MerchantKeys []string `json:"merchant_keys"`
	// AutoAdminLevels lets an extract whose boundaries sit at none of AdminLevels use its own two
	// deepest levels with closed boundaries instead (docs/import.md). A mapping file that names
	// admin_levels turns it off: levels a user chose are kept, even when they match nothing.
	AutoAdminLevels bool `json:"-"`
}

// DefaultMapping is the mapping used without --mapping. Liechtenstein's municipalities (admin_level
// 8) play subdistricts (街道) and its two electoral districts (6) districts.
func DefaultMapping() Mapping {
	return Mapping{
		Rules: []Rule{
			{Tags: map[string]string{"amenity": "marketplace"}, NamePattern: `(?i)night|夜市|nacht|abend`, Kind: "night_market", Geometry: "area"},
			{Tags: map[string]string{"amenity": "marketplace"}, Kind: "farmers_market", Geometry: "area"},
			{Tags: map[string]string{"highway": "pedestrian", "area": "yes"}, Kind: "square", Geometry: "area"},
			{Tags: map[string]string{"place": "square"}, Kind: "square", Geometry: "area"},
			{Tags: map[string]string{"highway": "trunk|primary"}, Kind: "main_road", Geometry: "line", WidthM: 14},
			{Tags: map[string]string{"highway": "secondary|tertiary"}, Kind: "secondary_road", Geometry: "line", WidthM: 10},
			{Tags: map[string]string{"highway": "residential|living_street|service|pedestrian|unclassified"}, Kind: "back_lane", Geometry: "line", WidthM: 5},
			{Tags: map[string]string{"waterway": "riverbank"}, Kind: "river", Geometry: "area"},
			{Tags: map[string]string{"natural": "water", "water": "river"}, Kind: "river", Geometry: "area"},
			{Tags: map[string]string{"waterway": "river"}, Kind: "river", Geometry: "line", WidthM: 10},
			{Tags: map[string]string{"landuse": "retail|commercial"}, Kind: "commercial_street", Geometry: "area"},
			{Tags: map[string]string{"leisure": "park"}, Kind: "park", Geometry: "area"},
			{Tags: map[string]string{"landuse": "residential"}, Kind: "residential_compound", Geometry: "area"},
		},
		AdminLevels:     map[string]string{"6": "district", "8": "subdistrict"},
		LaneWidthM:      3.5,
		MerchantKeys:    DefaultMerchantKeys,
		AutoAdminLevels: true,
	}
}

// LoadMapping reads a JSON mapping over the default: "rules" and "merchant_keys" replace the
// default lists, "admin_levels" adds to or overrides the default levels (map a level to "" to drop it).
func LoadMapping(path string) (Mapping, error) {
	m := DefaultMapping()
	if path == "" {
		return m, m.compile()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return m, fmt.Errorf("mapping: %w", err)
	}
	var o struct {
		Rules        *[]Rule           `json:"rules"`
		AdminLevels  map[string]string `json:"admin_levels"`
		LaneWidthM   *float64          `json:"lane_width_m"`
		MerchantKeys *[]string         `json:"merchant_keys"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		return m, fmt.Errorf("mapping %s: %w", path, err)
	}
	if o.Rules != nil {
		m.Rules = *o.Rules
	}
	if o.MerchantKeys != nil {
		m.MerchantKeys = *o.MerchantKeys
	}
	if o.LaneWidthM != nil {
		m.LaneWidthM = *o.LaneWidthM
	}
	if o.AdminLevels != nil {
		m.AutoAdminLevels = false
	}
	for k, v := range o.AdminLevels {
		if v == "" {
			delete(m.AdminLevels, k)
		} else {
			m.AdminLevels[k] = v
		}
	}
	return m, m.compile()
}

func (m *Mapping) compile() error {
	for i := range m.Rules {
		r := &m.Rules[i]
		if !slices.Contains(registry.AreaKinds, r.Kind) {
			return fmt.Errorf("mapping rule %d: kind %q is not one of %s", i, r.Kind, strings.Join(registry.AreaKinds, ", "))
		}
		if r.Geometry != "area" && r.Geometry != "line" {
			return fmt.Errorf("mapping rule %d: geometry must be \"area\" or \"line\", not %q", i, r.Geometry)
		}
		if r.Geometry == "line" && r.WidthM <= 0 {
			return fmt.Errorf("mapping rule %d: a line rule needs width_m > 0", i)
		}
		if len(r.Tags) == 0 {
			return fmt.Errorf("mapping rule %d: tags are required", i)
		}
		if r.NamePattern != "" {
			re, err := regexp.Compile(r.NamePattern)
			if err != nil {
				return fmt.Errorf("mapping rule %d: name_pattern: %w", i, err)
			}
			r.name = re
		}
	}
	for lvl, level := range m.AdminLevels {
		if !slices.Contains(registry.AdminLevels, level) {
			return fmt.Errorf("mapping admin_levels[%s]: %q is not one of %s", lvl, level, strings.Join(registry.AdminLevels, ", "))
		}
	}
	if m.LaneWidthM <= 0 {
		m.LaneWidthM = 3.5
	}
	return nil
}

// Match returns the first rule that the tags satisfy, or nil.
func (m *Mapping) Match(tags map[string]string) *Rule {
	for i := range m.Rules {
		r := &m.Rules[i]
		if r.matches(tags) {
			return r
		}
	}
	return nil
}

func (r *Rule) matches(tags map[string]string) bool {
	for k, want := range r.Tags {
		v, ok := tags[k]
		if !ok || (want != "*" && !slices.Contains(strings.Split(want, "|"), v)) {
			return false
		}
	}
	return r.name == nil || r.name.MatchString(tags["name"])
}

// corridorWidth is the width of a road or river in metres: its width tag, else its lanes, else the
// rule's default.
func (m *Mapping) corridorWidth(r *Rule, tags map[string]string) float64 {
	if w, ok := parseMetres(tags["width"]); ok {
		return w
	}
	if n, err := strconv.Atoi(strings.TrimSpace(tags["lanes"])); err == nil && n > 0 && n < 20 {
		return float64(n) * m.LaneWidthM
	}
	return r.WidthM
}

// parseMetres reads OSM width values such as "7", "7.5 m", "7,5m"; other units are not guessed at.
func parseMetres(s string) (float64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "m"))
	s = strings.ReplaceAll(s, ",", ".")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || f > 1000 {
		return 0, false
	}
	return f, true
}

// DefaultMerchantKeys are the objects a street's 门前三包 covers: every shop, and the amenities
// that trade over a counter onto the pavement.
var DefaultMerchantKeys = []string{"shop",
	"amenity=restaurant|cafe|fast_food|bar|pub|food_court|ice_cream|pharmacy|bank|fuel|car_wash|internet_cafe"}

// isMerchant reports whether an object's tags make it a shop, and the tag that does.
func (m *Mapping) isMerchant(tags map[string]string) (string, bool) {
	for _, k := range m.MerchantKeys {
		key, values, limited := strings.Cut(k, "=")
		v, ok := tags[key]
		if !ok || (limited && !slices.Contains(strings.Split(values, "|"), v)) {
			continue
		}
		return key + "=" + v, true
	}
	return "", false
}
