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

// feature is a GeoJSON Feature of an exported file, with an integer id; its properties are the
// area's own (registry.AreaProperties), as the OGC API serves them too.
type feature struct {
	Type       string                  `json:"type"`
	ID         int64                   `json:"id"`
	Geometry   *geojson.Geometry       `json:"geometry"`
	Properties registry.AreaProperties `json:"properties"`
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
		return enc.Encode(feature{Type: "Feature", ID: a.ID, Geometry: geojson.NewGeometry(a.Geom), Properties: a.Properties()})
	})
	if err != nil {
		return err
	}
	_, err = w.WriteString("]}\n")
	return err
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
			a.ResponsibleText(), string(attrs), wkt.MarshalString(a.Geom)})
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
			kml.Description(strings.TrimSuffix(a.Kind+"; "+a.ResponsibleText(), "; ")),
			kml.ExtendedData(
				kml.Data("id", kml.Value(a.ID)),
				kml.Data("kind", kml.Value(a.Kind)),
				kml.Data("subdistrict", kml.Value(a.SubdistrictName)),
				kml.Data("community", kml.Value(a.CommunityName)),
				kml.Data("responsible", kml.Value(a.ResponsibleText())),
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
