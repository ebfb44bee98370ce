package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/partners"
)

// atParam reads at= as a date or an RFC 3339 time; absent is now (zero).
func atParam(r *http.Request) (time.Time, error) {
	raw := r.URL.Query().Get("at")
	if raw == "" {
		return time.Time{}, nil
	}
	return partners.ParseMoment("at", raw)
}

func (s *Server) listCompounds(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	f := partners.Filter{SubdistrictID: q.int64("subdistrict"), CommunityID: q.int64("community"), AreaID: q.int64("area")}
	if q.err != nil {
		return q.err
	}
	var err error
	if f.At, err = atParam(r); err != nil {
		return err
	}
	list, err := s.Partners.Compounds(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"compounds": list})
}

func (s *Server) compoundSummary(w http.ResponseWriter, r *http.Request) error {
	at, err := atParam(r)
	if err != nil {
		return err
	}
	rows, err := s.Partners.Summary(r.Context(), principal(r), at)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"communities": rows})
}

func (s *Server) getCompound(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	at, err := atParam(r)
	if err != nil {
		return err
	}
	c, err := s.Partners.History(r.Context(), principal(r), id, at)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", c)
}

// recordPartner decodes a record of kind T for the compound in the path and stores it with add.
func recordPartner[T any](s *Server, add func(*Server, *http.Request, int64, T) (partners.Partner, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := idParam(r, "id")
		if err != nil {
			return err
		}
		var in T
		if err := s.decodeJSON(w, r, &in); err != nil {
			return err
		}
		p, err := add(s, r, id, in)
		if err != nil {
			return err
		}
		w.Header().Set("Location", fmt.Sprintf("/api/v1/compounds/%d", p.CompoundID))
		return writeJSON(w, http.StatusCreated, "", p)
	}
}

func (s *Server) signContract() handlerFunc {
	return recordPartner(s, func(s *Server, r *http.Request, id int64, in partners.ContractInput) (partners.Partner, error) {
		return s.Partners.SignContract(r.Context(), principal(r), id, in)
	})
}

func (s *Server) addTeam() handlerFunc {
	return recordPartner(s, func(s *Server, r *http.Request, id int64, in partners.TeamInput) (partners.Partner, error) {
		return s.Partners.AddTeam(r.Context(), principal(r), id, in)
	})
}

func (s *Server) addBuildingRep() handlerFunc {
	return recordPartner(s, func(s *Server, r *http.Request, id int64, in partners.RepInput) (partners.Partner, error) {
		return s.Partners.AddRep(r.Context(), principal(r), id, in)
	})
}

func (s *Server) endPartner(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		At     *partners.Moment `json:"at"`
		Reason string           `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.At == nil {
		return apperr.New(apperr.Invalid, "at is required: when the partner stopped (a date or an RFC 3339 time)").With("field", "at")
	}
	p, err := s.Partners.End(r.Context(), principal(r), id, in.At.Time, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", p)
}

func (s *Server) voidPartner(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.Partners.Void(r.Context(), principal(r), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", p)
}

func (s *Server) listPropertyCompanies(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	name := q.text("name", maxSearchText)
	if q.err != nil {
		return q.err
	}
	list, err := s.Partners.Companies(r.Context(), principal(r), name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"companies": list})
}

func (s *Server) addPropertyCompany(w http.ResponseWriter, r *http.Request) error {
	var in partners.CompanyInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.Partners.AddCompany(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", c)
}
