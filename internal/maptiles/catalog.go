package maptiles

import (
	"github.com/paulmach/orb/maptile"

	"streetchief/tiles"
)

// Layer names: each is one tile endpoint, /tiles/{name}/{z}/{x}/{y}.mvt.
const (
	LayerAdmin         = "admin"
	LayerAreas         = "areas"
	LayerIncidents     = "incidents"
	LayerHeatIncidents = "heat_incidents"
	LayerHeatCoverage  = "heat_coverage"
	LayerMerchants     = "merchants"
	LayerPatrols       = "patrols"
	LayerServicePoints = "service_points"
)

// VectorLayer is one MVT layer inside a tile, as TileJSON's vector_layers describes it.
type VectorLayer struct {
	ID          string       `json:"id"`
	Description string       `json:"description"`
	MinZoom     int          `json:"minzoom"`
	MaxZoom     int          `json:"maxzoom"`
	Fields      tiles.Fields `json:"fields"`
}

// LayerInfo describes a tile endpoint.
type LayerInfo struct {
	Name        string
	Description string
	// Public layers answer anyone; the others need a signed-in caller and show only their scope.
	Public bool
	// Filtered layers take the from, to, category and status filters.
	Filtered         bool
	MinZoom, MaxZoom int
	VectorLayers     []VectorLayer
}

// Data zooms: clients overzoom past MaxZoom; below MinZoom tiles are empty.
const (
	maxDataZoom      = 18
	adminMinZoom     = 8
	areasMinZoom     = 12
	incidentsMinZoom = 8
	clusterBelow     = 14
	heatMinZoom      = 8
	coverageMinZoom  = 10
	merchantsMinZoom = 10
	patrolsMinZoom   = 12
	pointsMinZoom    = 10
	// heatCell is a heat grid cell in tile units: 16 cells across a tile at every zoom.
	heatCell = 256
	// coverageSamples is the side of the sample grid in each coverage cell (6×6 = 36 points).
	coverageSamples = 6
	// Below areasFullZoom an area smaller than areasMinArea square tile units (16 square pixels
	// of a 512-pixel tile; most lanes and side roads are sub-pixel slivers there) is left out,
	// which keeps the zoom-12 tiles of a 100,000-area city under 500 KB.
	areasFullZoom = 13
	areasMinArea  = 1024
)

// areasMinAreaAt is the areas layer's tiles.Options.MinArea.
func areasMinAreaAt(z maptile.Zoom) float64 {
	if z < areasFullZoom {
		return areasMinArea
	}
	return 0
}

var catalog = []LayerInfo{
	{
		Name: LayerAdmin, Description: "Subdistrict and community boundaries with their chiefs, and label points",
		Public: true, MinZoom: adminMinZoom, MaxZoom: maxDataZoom,
		VectorLayers: []VectorLayer{
			{ID: "admin", Description: "Subdistricts (街道) and communities (社区); the feature id is the unit's id; chief is the current street or lane chief, empty when vacant",
				MinZoom: adminMinZoom, MaxZoom: maxDataZoom,
				Fields: tiles.Fields{"level": tiles.String, "name": tiles.String, "chief": tiles.String}},
			{ID: "admin_labels", Description: "One label point per subdistrict and community; the feature id is the unit's id",
				MinZoom: adminMinZoom, MaxZoom: maxDataZoom,
				Fields: tiles.Fields{"level": tiles.String, "name": tiles.String}},
		},
	},
	{
		Name: LayerAreas, Description: "Areas of responsibility with who answers for them now",
		Public: true, MinZoom: areasMinZoom, MaxZoom: maxDataZoom,
		VectorLayers: []VectorLayer{{ID: LayerAreas,
			Description: "The feature id is the area's id; responsible joins the names of the current holders; covered is false where nobody holds a post",
			MinZoom:     areasMinZoom, MaxZoom: maxDataZoom,
			Fields: tiles.Fields{"kind": tiles.String, "name": tiles.String, "subdistrict_id": tiles.Number,
				"community_id": tiles.Number, "responsible": tiles.String, "covered": tiles.Boolean}}},
	},
	{
		Name: LayerIncidents, Description: "Incidents in the caller's scope (open ones unless status is given); clustered below zoom 14",
		Filtered: true, MinZoom: incidentsMinZoom, MaxZoom: maxDataZoom,
		VectorLayers: []VectorLayer{{ID: LayerIncidents,
			Description: "A single incident has id, category, status, overdue, age_days and count 1; a cluster has count and overdue_count only",
			MinZoom:     incidentsMinZoom, MaxZoom: maxDataZoom,
			Fields: tiles.Fields{"id": tiles.Number, "category": tiles.String, "status": tiles.String, "overdue": tiles.Boolean,
				"age_days": tiles.Number, "count": tiles.Number, "overdue_count": tiles.Number}}},
	},
	{
		Name: LayerHeatIncidents, Description: "Incident density in the caller's scope: 16×16 grid cells per tile",
		Filtered: true, MinZoom: heatMinZoom, MaxZoom: maxDataZoom,
		VectorLayers: []VectorLayer{{ID: LayerHeatIncidents,
			Description: "count of incidents in the cell; weight sums (overdue ? 2 : 1) × (1 + e^(−age_days/14)), so recent and overdue cases weigh more",
			MinZoom:     heatMinZoom, MaxZoom: maxDataZoom,
			Fields: tiles.Fields{"count": tiles.Number, "weight": tiles.Number}}},
	},
	{
		Name: LayerHeatCoverage, Description: "Share of each grid cell covered by areas with a current responsible person",
		Public: true, MinZoom: coverageMinZoom, MaxZoom: maxDataZoom,
		VectorLayers: []VectorLayer{{ID: LayerHeatCoverage,
			Description: "share: covered fraction of the cell's area; territory_share: fraction inside a subdistrict. Estimated from a 6×6 sample grid per cell (±1/36)",
			MinZoom:     coverageMinZoom, MaxZoom: maxDataZoom,
			Fields: tiles.Fields{"share": tiles.Number, "territory_share": tiles.Number}}},
	},
	{
		Name: LayerMerchants, Description: "门前三包 shops in the caller's scope (an inspector's: the shops they check), by state; clustered below zoom 14",
		MinZoom: merchantsMinZoom, MaxZoom: maxDataZoom,
		VectorLayers: []VectorLayer{{ID: LayerMerchants,
			Description: "A shop has id, count 1 and state: pledged, inspected_today, no_pledge, no_inspector or repeat_offender (an open repeat-offender case wins, then the gaps); a cluster has count and the counts of the last four. No names or contacts",
			MinZoom:     merchantsMinZoom, MaxZoom: maxDataZoom,
			Fields: tiles.Fields{"id": tiles.Number, "state": tiles.String, "count": tiles.Number, "no_pledge_count": tiles.Number,
				"no_inspector_count": tiles.Number, "inspected_today_count": tiles.Number, "repeat_offender_count": tiles.Number}}},
	},
	{
		Name: LayerPatrols, Description: "巡街: the tracks of the last 7 days' ended patrols in the caller's scope (an inspector's: their own), suspect ones flagged",
		MinZoom: patrolsMinZoom, MaxZoom: maxDataZoom,
		VectorLayers: []VectorLayer{{ID: LayerPatrols,
			Description: "A track has id (the patrol's UUID), person (their name), day (Beijing date of the start) and suspect (the proof rules flagged it)",
			MinZoom:     patrolsMinZoom, MaxZoom: maxDataZoom,
			Fields: tiles.Fields{"id": tiles.String, "person": tiles.String, "day": tiles.String, "suspect": tiles.Boolean}}},
	},
	{
		Name: LayerServicePoints, Description: "便民服务点: the service points open today, by kind; anyone sees them, with no operator or contact",
		Public: true, MinZoom: pointsMinZoom, MaxZoom: maxDataZoom,
		VectorLayers: []VectorLayer{{ID: LayerServicePoints,
			Description: "A point has id, type (the kind's code, GET /api/v1/service-point-types) and name; the rest is GET /api/v1/service-points/{id}",
			MinZoom:     pointsMinZoom, MaxZoom: maxDataZoom,
			Fields: tiles.Fields{"id": tiles.Number, "type": tiles.String, "name": tiles.String}}},
	},
}

// Layers lists the tile endpoints.
func Layers() []LayerInfo { return catalog }

// Layer returns the endpoint of that name.
func Layer(name string) (LayerInfo, bool) {
	for _, l := range catalog {
		if l.Name == name {
			return l, true
		}
	}
	return LayerInfo{}, false
}

// Schema is every MVT layer's declared fields, for tiles.Check.
func Schema() map[string]tiles.Fields {
	out := map[string]tiles.Fields{}
	for _, l := range catalog {
		for _, v := range l.VectorLayers {
			out[v.ID] = v.Fields
		}
	}
	return out
}
