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

// stopReporterMessages takes {"token"}: the receipt's token or the key of a message's link.
func (s *Server) stopReporterMessages(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Token string `json:"token"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.Incidents.StopMessages(r.Context(), chi.URLParam(r, "number"), in.Token); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
