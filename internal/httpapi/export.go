package httpapi

import (
	"io"
	"net/http"

	"streetchief/internal/apperr"
	"streetchief/internal/importer"
	"streetchief/internal/registry"
)

// exportAreas answers GET /api/v1/areas?format=geojson|csv|kml: every area in the caller's scope, not a
// page, streamed as it is read, with who is responsible for each.
func (s *Server) exportAreas(w http.ResponseWriter, r *http.Request, format string) error {
	ct, ok := importer.ExportFormats[format]
	if !ok {
		return apperr.New(apperr.Malformed, "query parameter format: %q is not one of geojson, csv, kml", format)
	}
	who := principal(r)
	cw := &countingWriter{w: w}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="areas.`+format+`"`)
	err := importer.Export(cw, format, func(fn func(registry.ExportArea) error) error {
		return s.RegistryReads.EachArea(r.Context(), who, fn)
	})
	if err != nil && cw.n == 0 {
		w.Header().Del("Content-Disposition")
		return err
	}
	if err != nil {
		// The status line is gone; cutting the connection is the only way left to say the file is short.
		s.Logger.ErrorContext(r.Context(), "export failed midway", "request_id", requestIDOf(r), "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// countingWriter counts what was written, to tell an error before the answer from one during it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
