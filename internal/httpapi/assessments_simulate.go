package httpapi

import (
	"net/http"

	"streetchief/internal/policy"
)

// simulateAssessment applies the assessment's rules to the quarters' scores in the body, as
// streetchief assess simulate does: nothing is read from or written to the database.
func (s *Server) simulateAssessment(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	in, err := policy.DecodeInput(body)
	if err != nil {
		return err
	}
	res, err := policy.Evaluate(in.Quarters, in.Rules)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", res)
}
