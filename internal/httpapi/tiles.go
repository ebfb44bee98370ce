package httpapi

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"streetchief/internal/apperr"
	"streetchief/internal/maptiles"
)

func (s *Server) tilesConfigured() error {
	if s.Tiles == nil {
		return apperr.New(apperr.Unavailable, "vector tiles are not configured on this server")
	}
	return nil
}

// vectorTile answers one tile: gzipped when the client takes gzip, 204 when empty, 304 when the
// client's copy is current. Clients revalidate every time (no-cache): the ETag makes that cheap, and
// a committed change reaches the map within the second the server promises.
func (s *Server) vectorTile(l maptiles.LayerInfo) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.tilesConfigured(); err != nil {
			return err
		}
		t, err := maptiles.ParseTile(chi.URLParam(r, "z"), chi.URLParam(r, "x"), chi.URLParam(r, "y"))
		if err != nil {
			return err
		}
		f, err := maptiles.ParseFilter(r.URL.Query())
		if err != nil {
			return err
		}
		tile, err := s.Tiles.Tile(r.Context(), principal(r), maptiles.Request{Layer: l.Name, Tile: t, Filter: f})
		if err != nil {
			return err
		}
		h := w.Header()
		if l.Public {
			h.Set("Cache-Control", "public, no-cache")
			h.Set("Vary", "Accept-Encoding")
		} else {
			h.Set("Cache-Control", "private, no-cache")
			h.Set("Vary", "Accept-Encoding, Authorization, Cookie")
		}
		if tile.Gzipped == nil {
			w.WriteHeader(http.StatusNoContent)
			return nil
		}
		gz := takesGzip(r)
		etag := tile.ETag
		if !gz { // another representation, another strong validator
			etag = strings.TrimSuffix(etag, `"`) + `-identity"`
		}
		h.Set("ETag", etag)
		if etagMatches(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		body := tile.Gzipped
		if gz {
			h.Set("Content-Encoding", "gzip")
		} else if body, err = gunzip(body); err != nil {
			return err
		}
		h.Set("Content-Type", "application/vnd.mapbox-vector-tile")
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
		return nil
	}
}

func (s *Server) tileJSON(layer string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := s.tilesConfigured(); err != nil {
			return err
		}
		f, err := maptiles.ParseFilter(r.URL.Query())
		if err != nil {
			return err
		}
		doc, err := s.Tiles.TileJSON(tileBase(r), layer, f)
		if err != nil {
			return err
		}
		w.Header().Set("Cache-Control", "no-cache")
		return writeJSON(w, http.StatusOK, "application/json", doc)
	}
}

func (s *Server) tileIndex(w http.ResponseWriter, r *http.Request) error {
	if err := s.tilesConfigured(); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-cache")
	return writeJSON(w, http.StatusOK, "application/json", map[string]any{"layers": s.Tiles.Index(tileBase(r))})
}

// tileBase is the scheme and host the client used, so TileJSON URLs work behind a proxy that sets
// X-Forwarded-Proto.
func tileBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// takesGzip reads Accept-Encoding: gzip (or *) with a non-zero q.
func takesGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		enc = strings.ToLower(strings.TrimSpace(enc))
		if enc != "gzip" && enc != "*" {
			continue
		}
		q := strings.TrimSpace(params)
		if v, ok := strings.CutPrefix(q, "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f == 0 {
				continue
			}
		}
		return true
	}
	return false
}

// etagMatches is If-None-Match's weak comparison against our strong tag.
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == etag {
			return true
		}
	}
	return false
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}
