package httpapi

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// trackIncident answers a report by the tracking number on its receipt, to anyone who has the number;
// with the receipt's token (?token=, so that it stays out of the request log) it also says the caller
// is the reporter, who may confirm or dispute a resolution.
func (s *Server) trackIncident(w http.ResponseWriter, r *http.Request) error {
	tr, err := s.Incidents.Track(r.Context(), chi.URLParam(r, "number"), r.URL.Query().Get("token"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, "", tr)
}
