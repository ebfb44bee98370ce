package httpapi

import (
	"net/http"
	"time"

	"streetchief/internal/registry"
)

type assignmentIn struct {
	AreaID       int64             `json:"area_id"`
	AdminUnitID  int64             `json:"admin_unit_id"`
	PersonID     int64             `json:"person_id"`
	Role         registry.PostRole `json:"role"`
	DepartmentID int64             `json:"department_id"`
	Level        registry.Level    `json:"level"`
	Primary      *bool             `json:"primary"`
	From         *time.Time        `json:"from"`
	Until        *time.Time        `json:"until"`
	Note         string            `json:"note"`
	Handover     bool              `json:"handover"`
}

func (s *Server) listAssignments(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	f := registry.AssignmentFilter{
		At:          q.time("at"),
		History:     q.bool("history"),
		PersonID:    q.int64("person"),
		AreaID:      q.int64("area"),
		AdminUnitID: q.int64("admin_unit"),
		Role:        registry.PostRole(r.URL.Query().Get("role")),
		Page:        q.page(),
	}
	if q.err != nil {
		return q.err
	}
	list, next, err := s.Registry.ListAssignments(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []registry.Assignment{}
	}
	setNextLink(w, r, next)
	return writeJSON(w, http.StatusOK, "", map[string]any{"assignments": list, "next": next})
}

func (s *Server) getAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	a, err := s.Registry.Assignment(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", a)
}

func (s *Server) createAssignment(w http.ResponseWriter, r *http.Request) error {
	var in assignmentIn
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	primary := in.Primary == nil || *in.Primary
	a, err := s.Registry.CreateAssignment(r.Context(), principal(r), registry.AssignmentInput{
		AreaID: in.AreaID, AdminUnitID: in.AdminUnitID, PersonID: in.PersonID, Role: in.Role,
		DepartmentID: in.DepartmentID, Level: in.Level, Primary: primary, From: in.From, Until: in.Until, Note: in.Note,
		Handover: in.Handover,
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/assignments/"+itoa(a.ID))
	return writeJSON(w, http.StatusCreated, "", a)
}

// endAssignment takes {"until": "<RFC 3339>"}: the moment the person is relieved.
func (s *Server) endAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Until *time.Time `json:"until"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.Registry.EndAssignment(r.Context(), principal(r), id, in.Until)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", a)
}

func (s *Server) deleteAssignment(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	a, err := s.Registry.EndAssignment(r.Context(), principal(r), id, nil)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", a)
}

// voidAssignment takes {"reason": "..."}: why the assignment was entered by mistake.
func (s *Server) voidAssignment(w http.ResponseWriter, r *http.Request) error {
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
	a, err := s.Registry.VoidAssignment(r.Context(), principal(r), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", a)
}
