package httpapi

import (
	"context"
	"encoding/hex"
	"net/http"
	"strconv"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// servePhoto answers photo {n} of record {id} as read: cases', inspections' and operations' photos
// are stored by their content hash, so the hash is their ETag and a browser may keep them a day.
func servePhoto(read func(ctx context.Context, who access.Principal, id int64, n int) (incidents.PhotoFile, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := idParam(r, "id")
		if err != nil {
			return err
		}
		n, err := idParam(r, "n")
		if err != nil || n > 1000 {
			return apperr.New(apperr.NotFound, "no such photo")
		}
		p, err := read(r.Context(), principal(r), id, int(n))
		if err != nil {
			return err
		}
		etag := `"` + hex.EncodeToString(p.SHA256) + `"`
		h := w.Header()
		h.Set("ETag", etag)
		h.Set("Cache-Control", "private, max-age=86400")
		h.Set("X-Content-Type-Options", "nosniff")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		h.Set("Content-Type", p.ContentType)
		h.Set("Content-Length", strconv.Itoa(len(p.Bytes)))
		w.WriteHeader(http.StatusOK)
		_, err = w.Write(p.Bytes)
		return err
	}
}
