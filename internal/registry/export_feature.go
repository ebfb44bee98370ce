package registry

import (
	"strings"

	"github.com/paulmach/orb/geojson"
)

// AreaProperties are the GeoJSON properties of an area as it leaves the system: in exported files,
// which import again (kind, name, centreline, attributes, and source_key as the key), and in the
// public OGC API – Features items. One type, so that the two cannot drift apart.
type AreaProperties struct {
	Kind            string            `json:"kind"`
	Name            string            `json:"name"`
	SubdistrictID   int64             `json:"subdistrict_id,omitempty"`
	Subdistrict     string            `json:"subdistrict,omitempty"`
	CommunityID     int64             `json:"community_id,omitempty"`
	Community       string            `json:"community,omitempty"`
	Responsible     []Responsible     `json:"responsible"`
	ResponsibleText string            `json:"responsible_names"`
	Attributes      map[string]any    `json:"attributes,omitempty"`
	Centreline      *geojson.Geometry `json:"centreline,omitempty"`
	SourceKey       string            `json:"source_key,omitempty"` // import again with --key-prop source_key
}

// Properties are a's GeoJSON properties: who is responsible is always a list, empty rather than null.
func (a ExportArea) Properties() AreaProperties {
	p := AreaProperties{Kind: a.Kind, Name: a.Name, SubdistrictID: a.SubdistrictID, Subdistrict: a.SubdistrictName,
		CommunityID: a.CommunityID, Community: a.CommunityName, Responsible: a.Responsible,
		ResponsibleText: a.ResponsibleText(), Attributes: a.Attributes, SourceKey: a.SourceKey}
	if p.Responsible == nil {
		p.Responsible = []Responsible{}
	}
	if len(a.Centreline) > 0 {
		p.Centreline = geojson.NewGeometry(a.Centreline)
	}
	return p
}

// ResponsibleText is who is responsible for a as one line, "name (role); ...", for formats without
// lists (CSV, KML) and for readers of the GeoJSON who want it at a glance.
func (a ExportArea) ResponsibleText() string {
	parts := make([]string, len(a.Responsible))
	for i, r := range a.Responsible {
		parts[i] = r.Name + " (" + string(r.Role) + ")"
	}
	return strings.Join(parts, "; ")
}
