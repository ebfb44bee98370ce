package httpapi

import (
	"net/http"

	"streetchief/internal/incidents"
	"streetchief/internal/jsonlist"
)

type verificationJSON struct {
	Outcome string                  `json:"outcome"`
	Note    string                  `json:"note"`
	Photos  jsonlist.Capped[string] `json:"photos"`
	Token   string                  `json:"token"`
}

// verifyIncident is the check of a resolved incident: a verifier signed in, or the reporter with the
// token of their receipt (in the body or ?token=), counted against the public reports' limit.
func (s *Server) verifyIncident(w http.ResponseWriter, r *http.Request) error {
	if err := s.limitPublicReports(w, r); err != nil {
		return err
	}
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	v := verificationJSON{Photos: jsonlist.Capped[string]{Max: incidents.MaxPhotos, Field: "photos"}}
	body, err := readAll(http.MaxBytesReader(w, r.Body, maxIntakeJSONBytes))
	if err != nil {
		return err
	}
	if err := jsonlist.DecodeStrict(body, &v); err != nil {
		return err
	}
	if v.Token == "" {
		v.Token = r.URL.Query().Get("token")
	}
	photos, err := transitionJSON{Photos: v.Photos}.photos()
	if err != nil {
		return err
	}
	in, err := s.Incidents.Verify(r.Context(), principal(r), id, incidents.VerificationInput{Outcome: v.Outcome, Note: v.Note,
		Photos: photos, Token: v.Token})
	if err != nil {
		return err
	}
	if v.Token != "" || !principal(r).SignedIn() {
		return writeJSON(w, http.StatusOK, "", map[string]any{"id": in.ID, "status": in.Status})
	}
	return writeJSON(w, http.StatusOK, "", in)
}

// dispatchCandidates lists the people an incident may be dispatched to, with their open loads.
func (s *Server) dispatchCandidates(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	list, err := s.Incidents.DispatchCandidates(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	if list == nil {
		list = []incidents.Candidate{}
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"candidates": list})
}
