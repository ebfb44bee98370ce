package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/tasks"
)

// listTasks answers the tasks in scope, or with overdue=true what is overdue in scope.
func (s *Server) listTasks(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	overdue := q.bool("overdue")
	f := tasks.Filter{SubdistrictID: q.int64("subdistrict")}
	if q.err != nil {
		return q.err
	}
	var err error
	if f.State, err = tasks.ParseState(r.URL.Query().Get("state")); err != nil {
		return err
	}
	if overdue {
		items, err := s.Tasks.Overdue(r.Context(), principal(r), f.SubdistrictID)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, "", map[string]any{"overdue": items})
	}
	ts, err := s.Tasks.List(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"tasks": ts})
}

func (s *Server) issueTask(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	in, err := tasks.DecodeIssue(body)
	if err != nil {
		return err
	}
	t, err := s.Tasks.Issue(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/tasks/%d", t.ID))
	return writeJSON(w, http.StatusCreated, "", t)
}

func (s *Server) getTask(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	t, err := s.Tasks.Get(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", t)
}

func (s *Server) cancelTask(w http.ResponseWriter, r *http.Request) error {
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
	t, err := s.Tasks.Cancel(r.Context(), principal(r), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", t)
}

func (s *Server) changeTaskDeadline(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Deadline *time.Time `json:"deadline"`
		Reason   string     `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Deadline == nil {
		return apperr.New(apperr.Invalid, "deadline is required (RFC 3339)").With("field", "deadline")
	}
	t, err := s.Tasks.ChangeDeadline(r.Context(), principal(r), id, *in.Deadline, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", t)
}

func (s *Server) breakDownTask(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	sub, err := idParam(r, "subdistrict")
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	items, err := tasks.DecodeBreakDown(body)
	if err != nil {
		return err
	}
	t, err := s.Tasks.BreakDown(r.Context(), principal(r), id, sub, items)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", t)
}

func (s *Server) reportTaskProgress(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	rep, err := tasks.DecodeReport(body)
	if err != nil {
		return err
	}
	t, err := s.Tasks.ReportProgress(r.Context(), principal(r), id, rep)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", t)
}

func (s *Server) acceptTaskItem(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	t, err := s.Tasks.Accept(r.Context(), principal(r), id, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", t)
}

func (s *Server) returnTaskItem(w http.ResponseWriter, r *http.Request) error {
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
	t, err := s.Tasks.Return(r.Context(), principal(r), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", t)
}
