package httpapi

import (
	"bytes"
	"errors"
	"io/fs"
	"net/http"
	"path"
	"time"

	"github.com/go-chi/chi/v5"

	"streetchief/internal/apperr"
)

// fieldFiles are the field app's own files under /field/ (its scripts and styles are under /assets/
// with the dashboard's): their types, and whether they may be cached. The page, the service worker
// and the manifest must be asked for again each time (no-cache), or a phone would keep an old app.
var fieldFiles = map[string]struct {
	ctype   string
	revalid bool
}{
	"sw.js":                {"text/javascript; charset=utf-8", true},
	"manifest.webmanifest": {"application/manifest+json", true},
	"icon-192.png":         {"image/png", false},
	"icon-512.png":         {"image/png", false},
}

// fieldPage answers /field/, the field app's page.
func (s *Server) fieldPage(assets fs.FS) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		return serveFieldFile(w, r, assets, "index.html", "text/html; charset=utf-8", true)
	}
}

func (s *Server) fieldFile(assets fs.FS) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		name := chi.URLParam(r, "file")
		f, ok := fieldFiles[name]
		if !ok {
			return apperr.New(apperr.NotFound, "no such file of the field app")
		}
		return serveFieldFile(w, r, assets, name, f.ctype, f.revalid)
	}
}

// fieldRedirect sends /field to /field/, the service worker's scope and the manifest's start_url.
func (s *Server) fieldRedirect(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/field/", http.StatusMovedPermanently)
	return nil
}

func serveFieldFile(w http.ResponseWriter, r *http.Request, assets fs.FS, name, ctype string, revalidate bool) error {
	body, err := fs.ReadFile(assets, path.Join("field", name))
	if errors.Is(err, fs.ErrNotExist) {
		if name == "index.html" {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, err = w.Write([]byte(notBuilt))
			return err
		}
		return apperr.New(apperr.NotFound, "no such file of the field app")
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	if revalidate {
		h.Set("Cache-Control", "no-cache")
	} else {
		h.Set("Cache-Control", "public, max-age=86400")
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
	return nil
}
