package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"streetchief/internal/apperr"
	"streetchief/internal/operations"
)

// operationFilter reads the list's and the calendar's filters.
func operationFilter(r *http.Request) (operations.Filter, error) {
	q := &query{r: r}
	f := operations.Filter{SubdistrictID: q.int64("subdistrict"), DepartmentID: q.int64("department")}
	if q.err != nil {
		return f, q.err
	}
	var err error
	if f.State, err = operations.CheckState(r.URL.Query().Get("state")); err != nil {
		return f, err
	}
	if f.From, err = operations.ParseBound("from", r.URL.Query().Get("from")); err != nil {
		return f, err
	}
	f.To, err = operations.ParseBound("to", r.URL.Query().Get("to"))
	return f, err
}

func (s *Server) listOperations(w http.ResponseWriter, r *http.Request) error {
	f, err := operationFilter(r)
	if err != nil {
		return err
	}
	ops, err := s.Operations.List(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"operations": ops})
}

func (s *Server) operationCalendar(w http.ResponseWriter, r *http.Request) error {
	f, err := operationFilter(r)
	if err != nil {
		return err
	}
	if f.From != nil || f.To != nil {
		return apperr.New(apperr.Invalid, "the calendar is of a month: give month=YYYY-MM, not from or to").With("field", "month")
	}
	cal, err := s.Operations.Calendar(r.Context(), principal(r), r.URL.Query().Get("month"), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", cal)
}

func (s *Server) createOperation(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	in, err := operations.DecodeCreate(body)
	if err != nil {
		return err
	}
	op, err := s.Operations.Create(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/operations/%d", op.ID))
	return writeJSON(w, http.StatusCreated, "", op)
}

func (s *Server) getOperation(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	op, err := s.Operations.Get(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", op)
}

func (s *Server) reviseOperation(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	in, reason, err := operations.DecodeRevision(body)
	if err != nil {
		return err
	}
	op, err := s.Operations.Revise(r.Context(), principal(r), id, in, reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", op)
}

func (s *Server) cancelOperation(w http.ResponseWriter, r *http.Request) error {
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
	op, err := s.Operations.Cancel(r.Context(), principal(r), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", op)
}

func (s *Server) recordOperationOutcome(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	in, err := operations.DecodeOutcome(body)
	if err != nil {
		return err
	}
	op, err := s.Operations.RecordOutcome(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", op)
}

func (s *Server) linkOperationCase(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		IncidentID int64 `json:"incident_id"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	op, err := s.Operations.LinkCase(r.Context(), principal(r), id, in.IncidentID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", op)
}

// operationReport answers an operation's printable report as HTML for A4, or as PDF from it.
func (s *Server) operationReport(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	if format != "html" && format != "pdf" {
		return apperr.New(apperr.Malformed, "format %q is not html or pdf", format).With("field", "format")
	}
	if err := s.canPrint(format); err != nil {
		return err
	}
	rep, err := s.Operations.Report(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := rep.WriteHTML(&buf); err != nil {
		return err
	}
	return s.writePrinted(r.Context(), w, format, "operation-"+strconv.FormatInt(id, 10), buf.Bytes())
}
