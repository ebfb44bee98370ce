package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"streetchief/internal/registry"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

type personJSON struct {
	ID           int64          `json:"id"`
	Name         string         `json:"name"`
	Phone        string         `json:"phone,omitempty"`
	Organisation string         `json:"organisation"`
	Active       bool           `json:"active"`
	Attributes   map[string]any `json:"attributes,omitempty"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
}

type personIn struct {
	Name         string         `json:"name"`
	Phone        string         `json:"phone"`
	Organisation string         `json:"organisation"`
	Active       *bool          `json:"active"`
	Attributes   map[string]any `json:"attributes"`
}

func (p personIn) input() registry.PersonInput {
	active := p.Active == nil || *p.Active
	return registry.PersonInput{Name: p.Name, Phone: p.Phone, Organisation: p.Organisation, Active: active, Attributes: p.Attributes}
}

func personOut(p registry.Person) personJSON {
	return personJSON{ID: p.ID, Name: p.Name, Phone: p.Phone, Organisation: p.Organisation, Active: p.Active,
		Attributes: p.Attributes, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

func (s *Server) listPeople(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	f := registry.PersonFilter{Name: q.text("name", maxSearchText), Page: q.page()}
	if q.err != nil {
		return q.err
	}
	people, next, err := s.Registry.ListPeople(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	out := make([]personJSON, 0, len(people))
	for _, p := range people {
		out = append(out, personOut(p))
	}
	setNextLink(w, r, next)
	return writeJSON(w, http.StatusOK, "", map[string]any{"people": out, "next": next})
}

func (s *Server) getPerson(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	p, err := s.Registry.Person(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", personOut(p))
}

func (s *Server) createPerson(w http.ResponseWriter, r *http.Request) error {
	var in personIn
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.Registry.CreatePerson(r.Context(), principal(r), in.input())
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/people/"+itoa(p.ID))
	return writeJSON(w, http.StatusCreated, "", personOut(p))
}

func (s *Server) updatePerson(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in personIn
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.Registry.UpdatePerson(r.Context(), principal(r), id, in.input())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", personOut(p))
}

func (s *Server) deletePerson(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := s.Registry.DeletePerson(r.Context(), principal(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listDepartments(w http.ResponseWriter, r *http.Request) error {
	deps, err := s.Registry.Departments(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"departments": deps})
}

func (s *Server) getDepartment(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	d, err := s.Registry.Department(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", d)
}

type departmentIn struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func (s *Server) createDepartment(w http.ResponseWriter, r *http.Request) error {
	var in departmentIn
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := s.Registry.CreateDepartment(r.Context(), principal(r), registry.Department{Code: in.Code, Name: in.Name})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/departments/"+itoa(d.ID))
	return writeJSON(w, http.StatusCreated, "", d)
}

func (s *Server) updateDepartment(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in departmentIn
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	d, err := s.Registry.UpdateDepartment(r.Context(), principal(r), id, registry.Department{Code: in.Code, Name: in.Name})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", d)
}

func (s *Server) deleteDepartment(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	if err := s.Registry.DeleteDepartment(r.Context(), principal(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
