package importer

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkt"
	"github.com/paulmach/orb/geojson"
	"github.com/twpayne/go-geom"
	geomkml "github.com/twpayne/go-geom/encoding/kml"
	"github.com/twpayne/go-kml/v3"

	"streetchief/internal/registry"
)

// ExportFormats maps each export format to its content type.
var ExportFormats = map[string]string{
	"geojson": "application/geo+json",
	"csv":     "text/csv; charset=utf-8",
	"kml":     "application/vnd.google-earth.kml+xml",
}

// Walk hands every area to fn in turn (registry.Store.EachArea bound to a caller).
type Walk func(fn func(registry.ExportArea) error) error

// Export writes every area that walk yields to w in the given format, streaming: one area is in
// memory at a time.
func Export(w io.Writer, format string, walk Walk) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var err error
	switch format {
	case "geojson":
		err = exportGeoJSON(bw, walk)
	case "csv":
		err = exportCSV(bw, walk)
	case "kml":
		err = exportKML(bw, walk)
	default:
		return fmt.Errorf("format %q is not one of geojson, csv, kml", format)
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// exportProps are the properties of an exported GeoJSON feature; importing the file again reads
// kind, name, centreline and attributes back.
type exportProps struct {
	Kind            string                 `json:"kind"`
	Name            string                 `json:"name"`
	SubdistrictID   int64                  `json:"subdistrict_id,omitempty"`
	Subdistrict     string                 `json:"subdistrict,omitempty"`
	CommunityID     int64                  `json:"community_id,omitempty"`
	Community       string                 `json:"community,omitempty"`
	Responsible     []registry.Responsible `json:"responsible"`
	ResponsibleText string                 `json:"responsible_names"`
	Attributes      map[string]any         `json:"attributes,omitempty"`
	Centreline      *geojson.Geometry      `json:"centreline,omitempty"`
	SourceKey       string                 `json:"source_key,omitempty"` // import again with --key-prop source_key
}

// Feature is a GeoJSON Feature with an integer id, as exports and the OGC API write them.
type Feature struct {
	Type       string            `json:"type"`
	ID         int64             `json:"id"`
	Geometry   *geojson.Geometry `json:"geometry"`
	Properties any               `json:"properties"`
}

func exportGeoJSON(w *bufio.Writer, walk Walk) error {
	if _, err := w.WriteString(`{"type":"FeatureCollection","features":[`); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	first := true
	err := walk(func(a registry.ExportArea) error {
		if !first {
			if err := w.WriteByte(','); err != nil {
				return err
			}
		}
		first = false
		return enc.Encode(ExportFeature(a))
	})
	if err != nil {
		return err
	}
	_, err = w.WriteString("]}\n")
	return err
}

// ExportFeature is the GeoJSON Feature of an exported area (also used by the OGC API items).
func ExportFeature(a registry.ExportArea) Feature {
	p := exportProps{Kind: a.Kind, Name: a.Name, SubdistrictID: a.SubdistrictID, Subdistrict: a.SubdistrictName,
		CommunityID: a.CommunityID, Community: a.CommunityName, Responsible: a.Responsible,
		ResponsibleText: responsibleText(a.Responsible), Attributes: a.Attributes, SourceKey: a.SourceKey}
	if p.Responsible == nil {
		p.Responsible = []registry.Responsible{}
	}
	if len(a.Centreline) > 0 {
		p.Centreline = geojson.NewGeometry(a.Centreline)
	}
	return Feature{Type: "Feature", ID: a.ID, Geometry: geojson.NewGeometry(a.Geom), Properties: p}
}

func responsibleText(rs []registry.Responsible) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Name + " (" + string(r.Role) + ")"
	}
	return strings.Join(parts, "; ")
}

// exportCSV writes UTF-8 with a byte order mark, so that Excel shows Chinese names right, and the
// geometry as WKT.
func exportCSV(w *bufio.Writer, walk Walk) error {
	if _, err := w.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"id", "kind", "name", "subdistrict", "community", "responsible", "attributes", "wkt"}); err != nil {
		return err
	}
	err := walk(func(a registry.ExportArea) error {
		attrs, err := json.Marshal(a.Attributes)
		if err != nil {
			return fmt.Errorf("area %d attributes: %w", a.ID, err)
		}
		return cw.Write([]string{strconv.FormatInt(a.ID, 10), a.Kind, a.Name, a.SubdistrictName, a.CommunityName,
			responsibleText(a.Responsible), string(attrs), wkt.MarshalString(a.Geom)})
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

// exportKML writes one Placemark per area, the geometry encoded by go-geom's KML encoder: orb
// geometries are converted to go-geom here, at the edge, once each.
func exportKML(w *bufio.Writer, walk Walk) error {
	if _, err := w.WriteString(xml.Header + `<kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>streetchief areas</name>` + "\n"); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	err := walk(func(a registry.ExportArea) error {
		g, err := geomkml.Encode(toGeom(a.Geom))
		if err != nil {
			return fmt.Errorf("area %d: kml: %w", a.ID, err)
		}
		pm := kml.Placemark(
			kml.Name(a.Name),
			kml.Description(strings.TrimSuffix(a.Kind+"; "+responsibleText(a.Responsible), "; ")),
			kml.ExtendedData(
				kml.Data("id", kml.Value(a.ID)),
				kml.Data("kind", kml.Value(a.Kind)),
				kml.Data("subdistrict", kml.Value(a.SubdistrictName)),
				kml.Data("community", kml.Value(a.CommunityName)),
				kml.Data("responsible", kml.Value(responsibleText(a.Responsible))),
			),
			g,
		)
		if err := enc.Encode(pm); err != nil {
			return err
		}
		_, err = w.WriteString("\n")
		return err
	})
	if err != nil {
		return err
	}
	_, err = w.WriteString("</Document></kml>\n")
	return err
}

// toGeom converts an orb multipolygon to go-geom's.
func toGeom(mp orb.MultiPolygon) *geom.MultiPolygon {
	coords := make([][][]geom.Coord, len(mp))
	for i, poly := range mp {
		coords[i] = make([][]geom.Coord, len(poly))
		for j, ring := range poly {
			coords[i][j] = make([]geom.Coord, len(ring))
			for k, p := range ring {
				coords[i][j][k] = geom.Coord{p[0], p[1]}
			}
		}
	}
	return geom.NewMultiPolygon(geom.XY).MustSetCoords(coords)
}
