package reports

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// GeoJSON returns the report's gaps that have a place on the map as one FeatureCollection: each
// feature's "gap" property says its kind.
func (r Report) GeoJSON() *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	add := func(g orb.Geometry, kind string, props map[string]any) {
		if g == nil {
			return
		}
		f := geojson.NewFeature(g)
		f.Properties = props
		f.Properties["gap"] = kind
		fc.Append(f)
	}
	for _, u := range r.Unassigned {
		add(u.Geom, KindUnassigned, map[string]any{"area_id": u.AreaID, "kind": u.Kind, "name": u.Name,
			"length_m": round1(u.LengthM), "area_m2": round1(u.AreaM2), "subdistrict": u.SubdistrictName, "community": u.CommunityName})
	}
	for _, t := range r.Territory {
		add(t.Geom, KindTerritory, map[string]any{"area_m2": round1(t.AreaM2), "subdistrict": t.SubdistrictName, "community": t.CommunityName})
	}
	for _, o := range r.Overlaps {
		add(o.Geom, KindOverlaps, map[string]any{"area_a": o.AreaA, "name_a": o.NameA, "people_a": o.PeopleA,
			"area_b": o.AreaB, "name_b": o.NameB, "people_b": o.PeopleB, "area_m2": round1(o.AreaM2),
			"subdistrict": o.SubdistrictName, "community": o.CommunityName})
	}
	for _, g := range r.NoPartner {
		add(g.Geom, KindNoPartner, map[string]any{"area_id": g.AreaID, "name": g.Name, "last_company": g.LastCompany, "area_m2": round1(g.AreaM2),
			"subdistrict": g.SubdistrictName, "community": g.CommunityName})
	}
	r.servicePointFeatures(add)
	return fc
}

// Table is one section of the report as rows of text, for CSV, XLSX and HTML alike.
type Table struct {
	Kind   string
	Header []string
	Rows   [][]string
}

// Tables lays the report out as tables: the summary first, then one per kind asked for.
func (r Report) Tables() []Table {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	summary := Table{Kind: "summary", Header: []string{"subdistrict", "community", "unassigned_areas", "territory_gap_m2", "overlap_m2", "vacant_posts",
		KindNoPledge, KindNoInspector, KindNotInspected}}
	for _, s := range r.Summary {
		summary.Rows = append(summary.Rows, []string{s.SubdistrictName, s.CommunityName, strconv.Itoa(s.UnassignedAreas),
			f(s.TerritoryGapM2), f(s.OverlapM2), strconv.Itoa(s.VacantPosts),
			strconv.Itoa(s.MerchantsNoPledge), strconv.Itoa(s.MerchantsNoInspector), strconv.Itoa(s.MerchantsNotInspected)})
	}
	tables := []Table{summary}
	for _, k := range r.Kinds {
		switch k {
		case KindUnassigned:
			t := Table{Kind: k, Header: []string{"subdistrict", "community", "area_id", "kind", "name", "length_m", "area_m2"}}
			for _, u := range r.Unassigned {
				t.Rows = append(t.Rows, []string{u.SubdistrictName, u.CommunityName, n(u.AreaID), u.Kind, u.Name, f(u.LengthM), f(u.AreaM2)})
			}
			tables = append(tables, t)
		case KindTerritory:
			t := Table{Kind: k, Header: []string{"subdistrict", "community", "area_m2"}}
			for _, g := range r.Territory {
				t.Rows = append(t.Rows, []string{g.SubdistrictName, g.CommunityName, f(g.AreaM2)})
			}
			tables = append(tables, t)
		case KindOverlaps:
			t := Table{Kind: k, Header: []string{"subdistrict", "community", "area_a", "name_a", "people_a", "area_b", "name_b", "people_b", "area_m2"}}
			for _, o := range r.Overlaps {
				t.Rows = append(t.Rows, []string{o.SubdistrictName, o.CommunityName, n(o.AreaA), o.NameA, join(o.PeopleA),
					n(o.AreaB), o.NameB, join(o.PeopleB), f(o.AreaM2)})
			}
			tables = append(tables, t)
		case KindVacant:
			t := Table{Kind: k, Header: []string{"subdistrict", "community", "role", "department"}}
			for _, v := range r.Vacant {
				t.Rows = append(t.Rows, []string{v.SubdistrictName, v.CommunityName, v.Role, v.Department})
			}
			tables = append(tables, t)
		case KindNoPledge, KindNoInspector, KindNotInspected:
			t := Table{Kind: k, Header: []string{"subdistrict", "community", "merchant_id", "name", "address", "last_inspected_at"}}
			list := map[string][]MerchantGap{KindNoPledge: r.NoPledge, KindNoInspector: r.NoInspector, KindNotInspected: r.NotInspected}[k]
			for _, g := range list {
				last := ""
				if g.LastInspectedAt != nil {
					last = g.LastInspectedAt.Format("2006-01-02 15:04")
				}
				t.Rows = append(t.Rows, []string{g.SubdistrictName, g.CommunityName, n(g.MerchantID), g.Name, g.Address, last})
			}
			tables = append(tables, t)
		case KindOffSite:
			t := Table{Kind: k, Header: []string{"person_id", "name", "checks", "off_site", "share"}}
			for _, o := range r.OffSite {
				t.Rows = append(t.Rows, []string{n(o.PersonID), o.Name, strconv.Itoa(o.Checks), strconv.Itoa(o.OffSite), strconv.FormatFloat(o.Share, 'f', 3, 64)})
			}
			tables = append(tables, t)
		case KindNoPartner:
			t := Table{Kind: k, Header: []string{"subdistrict", "community", "area_id", "name", "last_company", "lapsed_at"}}
			for _, g := range r.NoPartner {
				lapsed := ""
				if g.LapsedAt != nil {
					lapsed = g.LapsedAt.In(Beijing).Format("2006-01-02")
				}
				t.Rows = append(t.Rows, []string{g.SubdistrictName, g.CommunityName, n(g.AreaID), g.Name, g.LastCompany, lapsed})
			}
			tables = append(tables, t)
		case KindSilentDeputies:
			t := Table{Kind: k, Header: []string{"subdistrict", "community", "member_id", "name", "member_type", "last_confirmed_day"}}
			for _, g := range r.Silent {
				last := ""
				if g.LastConfirmed != nil {
					last = g.LastConfirmed.Format("2006-01-02")
				}
				t.Rows = append(t.Rows, []string{g.SubdistrictName, g.CommunityName, n(g.MemberID), g.Name, g.MemberType, last})
			}
			tables = append(tables, t)
		case KindServicePointGaps:
			tables = append(tables, r.servicePointTable())
		case KindWorkload:
			t := Table{Kind: k, Header: []string{"person_id", "name", "areas", "lane_length_m", "area_m2", "open_incidents", "outlier"}}
			for _, w := range r.Workload {
				t.Rows = append(t.Rows, []string{n(w.PersonID), w.Name, strconv.Itoa(w.Areas), f(w.LaneLengthM), f(w.AreaM2),
					strconv.Itoa(w.OpenIncidents), w.Outlier})
			}
			tables = append(tables, t)
		}
	}
	return tables
}

// WriteCSV writes every table one after another, each introduced by a row naming its kind, with a
// UTF-8 byte order mark so that Excel opens the Chinese names correctly.
func (r Report) WriteCSV(w io.Writer) error {
	if _, err := w.Write([]byte("\uFEFF")); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	for i, t := range r.Tables() {
		if i > 0 {
			if err := cw.Write(nil); err != nil {
				return err
			}
		}
		if err := cw.Write([]string{"# " + t.Kind}); err != nil {
			return err
		}
		if err := cw.Write(t.Header); err != nil {
			return err
		}
		if err := cw.WriteAll(t.Rows); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the report with its gaps' geometries as GeoJSON.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Report
		Geometry *geojson.FeatureCollection `json:"geometry"`
	}{r, r.GeoJSON()})
}

func join(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += "、"
		}
		out += v
	}
	return out
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }

// ContentTypes are the formats a report is written in, with their media types.
var ContentTypes = map[string]string{
	"json":    "application/json",
	"geojson": "application/geo+json",
	"csv":     "text/csv; charset=utf-8",
	"xlsx":    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"html":    "text/html; charset=utf-8",
}

// Write writes the report in one of the ContentTypes formats.
func (r Report) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		return r.WriteJSON(w)
	case "geojson":
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(r.GeoJSON())
	case "csv":
		return r.WriteCSV(w)
	case "xlsx":
		return r.WriteXLSX(w)
	case "html":
		return r.WriteHTML(w)
	}
	return fmt.Errorf("unknown report format %q (json, geojson, csv, xlsx, html)", format)
}
