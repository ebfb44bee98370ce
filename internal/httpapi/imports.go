package httpapi

import (
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"

	"streetchief/internal/apperr"
	"streetchief/internal/importer"
	"streetchief/internal/registry"
)

// importMaxBytes bounds an uploaded FeatureCollection. It is read as a stream, feature by feature, so
// the limit is about what one transaction should carry, not about memory for the body.
const importMaxBytes = 256 << 20

// importAreas loads a FeatureCollection in one transaction. Features outside the caller's scope are
// refused one by one; with strict=true the first bad feature refuses all of them (422).
func (s *Server) importAreas(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	opt := registry.ImportOptions{Strict: q.bool("strict"), Repair: q.bool("repair"), DryRun: q.bool("dry_run"),
		Label: "POST /api/v1/areas:import"}
	g := importer.GeoJSONOptions{Kind: q.text("kind", maxSearchText), NameProp: q.text("name_prop", maxSearchText),
		KeyProp: q.text("key_prop", maxSearchText)}
	if g.Kind != "" && !slices.Contains(registry.AreaKinds, g.Kind) {
		q.fail("kind", "%q is not one of %s", g.Kind, strings.Join(registry.AreaKinds, ", "))
	}
	if q.err != nil {
		return q.err
	}
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || (mt != "application/json" && mt != geoJSONType) {
			return apperr.New(apperr.Malformed, "send a GeoJSON FeatureCollection (Content-Type: application/geo+json), not %q", ct)
		}
	}
	body := http.MaxBytesReader(w, r.Body, importMaxBytes)
	rep, err := importer.ImportGeoJSON(r.Context(), s.Registry, principal(r), body, g, opt)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return apperr.New(apperr.TooLarge, "the FeatureCollection is over the limit of %d bytes; split it", tooBig.Limit)
	}
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !rep.Complete() {
		status = http.StatusMultiStatus
	}
	return writeJSON(w, status, "application/json", rep)
}
