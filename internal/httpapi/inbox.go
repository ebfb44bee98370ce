package httpapi

import (
	"net/http"

	"streetchief/internal/apperr"
	"streetchief/internal/notify"
)

// inbox answers the caller's own notifications (?before=<id>&limit=&unread=true&lang=en).
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	before, limit, unread := q.int64("before"), q.int64("limit"), q.bool("unread")
	if q.err != nil {
		return q.err
	}
	if limit < 0 || limit > notify.MaxPage {
		return apperr.New(apperr.Invalid, "limit must be between 1 and %d", notify.MaxPage).With("field", "limit")
	}
	lang := r.URL.Query().Get("lang")
	if lang != "" && lang != "zh" && lang != "en" {
		return apperr.New(apperr.Malformed, "lang %q is not zh or en", lang).With("field", "lang")
	}
	in, err := s.Notify.Inbox(r.Context(), principal(r), before, int(limit), unread, lang)
	if err != nil {
		return err
	}
	if in.Items == nil {
		in.Items = []notify.Item{}
	}
	return writeJSON(w, http.StatusOK, "", in)
}

// readNotification records that the caller opened one of their notifications.
func (s *Server) readNotification(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	it, err := s.Notify.MarkRead(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", it)
}

// setReach records where the caller wants to hear on one channel.
func (s *Server) setReach(w http.ResponseWriter, r *http.Request) error {
	var in notify.Reach
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.Notify.SetReach(r.Context(), principal(r), in); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
