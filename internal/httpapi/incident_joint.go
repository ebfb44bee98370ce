package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/jsonlist"
)

// Joint enforcement (联合执法) over HTTP: the departments of a case, their acknowledgements and
// actions, and their KPIs. The rules are incidents'; these only decode and encode.

type jointDepartmentJSON struct {
	DepartmentID int64  `json:"department_id"`
	Note         string `json:"note"`
}

func (s *Server) addJointDepartment(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in jointDepartmentJSON
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.DepartmentID <= 0 {
		return apperr.New(apperr.Invalid, "name the department to bring in (department_id)").With("field", "department_id")
	}
	out, err := s.Incidents.AddDepartment(r.Context(), principal(r), id, in.DepartmentID, in.Note)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", out)
}

type reasonJSON struct {
	Reason string `json:"reason"`
}

func (s *Server) withdrawJointDepartment(w http.ResponseWriter, r *http.Request) error {
	id, dept, err := jointPath(r, "department")
	if err != nil {
		return err
	}
	var in reasonJSON
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	out, err := s.Incidents.WithdrawDepartment(r.Context(), principal(r), id, dept, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", out)
}

// acknowledgeJointDepartment takes an empty body (or {}); a second acknowledgement is 409.
func (s *Server) acknowledgeJointDepartment(w http.ResponseWriter, r *http.Request) error {
	id, dept, err := jointPath(r, "department")
	if err != nil {
		return err
	}
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) > 0 {
		var none struct{}
		if err := jsonlist.DecodeStrict(body, &none); err != nil {
			return err
		}
	}
	out, err := s.Incidents.Acknowledge(r.Context(), principal(r), id, dept)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", out)
}

type jointActionJSON struct {
	DepartmentID int64                   `json:"department_id"`
	Kind         string                  `json:"kind"`
	At           string                  `json:"at"`
	Note         string                  `json:"note"`
	AmountYuan   json.Number             `json:"amount_yuan"`
	LegalBasis   string                  `json:"legal_basis"`
	ReferredTo   string                  `json:"referred_to"`
	Photos       jsonlist.Capped[string] `json:"photos"`
}

func (s *Server) recordJointAction(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	in := jointActionJSON{Photos: jsonlist.Capped[string]{Max: incidents.MaxPhotos, Field: "photos"}}
	body, err := readAll(http.MaxBytesReader(w, r.Body, maxIntakeJSONBytes))
	if err != nil {
		return err
	}
	if err := jsonlist.DecodeStrict(body, &in); err != nil {
		return err
	}
	var at time.Time
	if in.At != "" {
		if at, err = time.Parse(time.RFC3339, in.At); err != nil {
			return apperr.New(apperr.Malformed, "at %q is not an RFC 3339 time such as 2026-03-03T09:00:00+08:00", in.At).With("field", "at")
		}
	}
	raw := make([][]byte, 0, len(in.Photos.Items))
	for i, p := range in.Photos.Items {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			return apperr.New(apperr.Malformed, "photo %d is not base64", i+1).With("field", "photos")
		}
		raw = append(raw, b)
	}
	photos, err := incidents.CheckPhotos(raw)
	if err != nil {
		return err
	}
	a, err := s.Incidents.RecordAction(r.Context(), principal(r), id, incidents.ActionInput{DepartmentID: in.DepartmentID,
		Kind: incidents.ActionKind(in.Kind), At: at, Note: in.Note, AmountYuan: in.AmountYuan.String(), LegalBasis: in.LegalBasis,
		ReferredTo: in.ReferredTo, Photos: photos})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", a)
}

func (s *Server) voidJointAction(w http.ResponseWriter, r *http.Request) error {
	id, action, err := jointPath(r, "action")
	if err != nil {
		return err
	}
	var in reasonJSON
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	a, err := s.Incidents.VoidAction(r.Context(), principal(r), id, action, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", a)
}

// jointPath reads the incident id and the second id of a joint route.
func jointPath(r *http.Request, name string) (int64, int64, error) {
	id, err := idParam(r, "id")
	if err != nil {
		return 0, 0, err
	}
	second, err := idParam(r, name)
	return id, second, err
}

func (s *Server) jointKPIs(w http.ResponseWriter, r *http.Request) error {
	p, format, err := kpiParams(r, "json", "csv", "xlsx")
	if err != nil {
		return err
	}
	f, err := kpiFilter(r)
	if err != nil {
		return err
	}
	by := r.URL.Query().Get("by")
	rep, err := s.Incidents.JointKPIs(r.Context(), principal(r), by, p, f)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(w, http.StatusOK, kpiContentTypes[format], rep)
	}
	var buf bytes.Buffer
	if format == "csv" {
		err = rep.WriteCSV(&buf)
	} else {
		err = rep.WriteXLSX(&buf)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="kpis-departments-`+rep.By+`-`+p.Label+`.`+format+`"`)
	w.Header().Set("Content-Type", kpiContentTypes[format])
	_, err = buf.WriteTo(w)
	return err
}
