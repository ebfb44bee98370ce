package httpapi

import (
	"bytes"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"streetchief/internal/apperr"
)

// notBuilt answers / when the binary was built before the front end.
const notBuilt = `<!doctype html><meta charset="utf-8"><title>streetchief</title>
<p>The dashboard has not been built into this binary. Run <code>make web</code> (or <code>make build</code>), then rebuild.</p>
<p>The API is served all the same under <a href="/api/openapi.json">/api/v1/</a>.</p>
`

func (s *Server) dashboardPage(assets fs.FS) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		page, err := fs.ReadFile(assets, "index.html")
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		if errors.Is(err, fs.ErrNotExist) {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, err = w.Write([]byte(notBuilt))
			return err
		}
		if err != nil {
			return err
		}
		http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(page))
		return nil
	}
}

// assetTypes are the content types of what the build writes; Go's table lacks .mjs, and a module
// worker must be served as JavaScript.
var assetTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".map":  "application/json",
	".png":  "image/png",
	".svg":  "image/svg+xml",
	".json": "application/json",
}

func (s *Server) dashboardAsset(assets fs.FS) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := chi.URLParam(r, "*")
		ctype, known := assetTypes[path.Ext(name)]
		if !known || !fs.ValidPath(name) || strings.HasSuffix(name, ".gz") {
			return apperr.New(apperr.NotFound, "no such asset")
		}
		name = "assets/" + name
		body, err := fs.ReadFile(assets, name)
		if errors.Is(err, fs.ErrNotExist) {
			return apperr.New(apperr.NotFound, "no such asset")
		}
		if err != nil {
			return err
		}
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
		h.Set("ETag", `"`+path.Base(name)+`"`)
		h.Add("Vary", "Accept-Encoding")
		// The build writes a gzipped twin of every large file; send it to clients that take gzip.
		// (Range requests get the plain file: offsets into a compressed body would mislead.)
		if r.Header.Get("Range") == "" && acceptsGzip(r) {
			if gz, err := fs.ReadFile(assets, name+".gz"); err == nil {
				h.Set("Content-Encoding", "gzip")
				if r.Header.Get("If-None-Match") == h.Get("ETag") {
					w.WriteHeader(http.StatusNotModified)
					return nil
				}
				w.WriteHeader(http.StatusOK)
				if r.Method != http.MethodHead {
					_, err = w.Write(gz)
				}
				return err
			}
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
		return nil
	}
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.TrimSpace(enc) == "gzip" && strings.ReplaceAll(q, " ", "") != "q=0" {
			return true
		}
	}
	return false
}
