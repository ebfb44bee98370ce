package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"streetchief/internal/apperr"
	"streetchief/internal/duties"
)

func (s *Server) dutyKinds(w http.ResponseWriter, r *http.Request) error {
	ks, err := s.Duties.Kinds(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"kinds": ks})
}

func (s *Server) putDutyKind(w http.ResponseWriter, r *http.Request) error {
	var k duties.Kind
	if err := s.decodeJSON(w, r, &k); err != nil {
		return err
	}
	k.Code = chi.URLParam(r, "code")
	out, err := s.Duties.PutKind(r.Context(), principal(r), k)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", out)
}

func (s *Server) listDutyMembers(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	f := duties.MemberFilter{CommunityID: q.int64("community"), Type: duties.MemberType(q.text("member_type", 40)),
		UnitName: q.text("unit", 100), CurrentOnly: q.bool("current")}
	if q.err != nil {
		return q.err
	}
	ms, err := s.Duties.ListMembers(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"members": ms})
}

func (s *Server) addDutyMember(w http.ResponseWriter, r *http.Request) error {
	var in duties.MemberInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	m, err := s.Duties.AddMember(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/duty-members/%d", m.ID))
	return writeJSON(w, http.StatusCreated, "", m)
}

func (s *Server) getDutyMember(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	m, err := s.Duties.Member(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", m)
}

func (s *Server) endDutyMember(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		EndedOn string `json:"ended_on"`
		Reason  string `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	var day = s.Duties.Today()
	if in.EndedOn != "" {
		if day, err = duties.ParseDay("ended_on", in.EndedOn); err != nil {
			return err
		}
	}
	m, err := s.Duties.EndMember(r.Context(), principal(r), id, day, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", m)
}

func (s *Server) dutyPledges(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	ps, err := s.Duties.Pledges(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"pledges": ps})
}

func (s *Server) signDutyPledge(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in duties.PledgeInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.Duties.SignPledge(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", p)
}

func (s *Server) dutyPledgeScan(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	sc, err := s.Duties.PledgeScan(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", sc.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(sc.Bytes)))
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(sc.Bytes)
	return err
}

func (s *Server) listDutyRecords(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	f := duties.RecordFilter{MemberID: q.int64("member"), CommunityID: q.int64("community"), Status: duties.Status(q.text("status", 20)),
		Limit: int(q.int64("limit"))}
	format, rawYear := q.text("format", 10), q.text("year", 10)
	if q.err != nil {
		return q.err
	}
	var err error
	if rawYear != "" {
		if f.Year, err = s.Duties.ParseYear(rawYear); err != nil {
			return err
		}
	}
	switch format {
	case "", "json":
		rs, err := s.Duties.ListRecords(r.Context(), principal(r), f)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, "", map[string]any{"records": rs})
	case "geojson":
		doc, err := s.Duties.RecordsGeoJSON(r.Context(), principal(r), f)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "application/geo+json")
		w.WriteHeader(http.StatusOK)
		_, err = w.Write(doc)
		return err
	}
	return apperr.New(apperr.Malformed, "format %q is not json or geojson", format).With("field", "format")
}

func (s *Server) enterDutyRecord(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	in, err := duties.DecodeRecord(body)
	if err != nil {
		return err
	}
	rec, err := s.Duties.EnterRecord(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/duty-records/%d", rec.ID))
	return writeJSON(w, http.StatusCreated, "", rec)
}

func (s *Server) getDutyRecord(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	rec, err := s.Duties.Record(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", rec)
}

// decideDutyRecord answers :confirm, :return and :void, the last two with {"reason"}.
func (s *Server) decideDutyRecord(action string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
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
		var rec duties.Record
		switch action {
		case "confirm":
			rec, err = s.Duties.Confirm(r.Context(), principal(r), id)
		case "return":
			rec, err = s.Duties.Return(r.Context(), principal(r), id, in.Reason)
		default:
			rec, err = s.Duties.Void(r.Context(), principal(r), id, in.Reason)
		}
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, "", rec)
	}
}

func (s *Server) dutySummary(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	rawYear, by := q.text("year", 10), q.text("by", 20)
	if q.err != nil {
		return q.err
	}
	year, err := s.Duties.ParseYear(rawYear)
	if err != nil {
		return err
	}
	sum, err := s.Duties.YearSummary(r.Context(), principal(r), year, by)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", sum)
}

func (s *Server) dutyTemplate(w http.ResponseWriter, r *http.Request) error {
	year, err := s.Duties.ParseYear(r.URL.Query().Get("year"))
	if err != nil {
		return err
	}
	t, err := s.Duties.TemplateFor(r.Context(), year)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", t)
}

func (s *Server) createDutyTemplate(w http.ResponseWriter, r *http.Request) error {
	var t duties.Template
	if err := s.decodeJSON(w, r, &t); err != nil {
		return err
	}
	out, err := s.Duties.CreateTemplate(r.Context(), principal(r), t)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", out)
}

func (s *Server) evaluateDutyMember(w http.ResponseWriter, r *http.Request) error {
	var in duties.EvaluationInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	e, err := s.Duties.Evaluate(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", e)
}

// dutyExportLang reads format= (json or xlsx) and lang= (zh or en).
func dutyExportLang(q *query) (format string, lang duties.Lang, err error) {
	format, raw := q.text("format", 10), q.text("lang", 10)
	if q.err != nil {
		return "", "", q.err
	}
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "xlsx" {
		return "", "", apperr.New(apperr.Malformed, "format %q is not json or xlsx", format).With("field", "format")
	}
	switch raw {
	case "", "zh", "zh-CN":
		return format, "zh", nil
	case "en":
		return format, "en", nil
	}
	return "", "", apperr.New(apperr.Malformed, "lang %q is not zh or en", raw).With("field", "lang")
}

func (s *Server) dutyEvaluations(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	f := duties.EvaluationFilter{CommunityID: q.int64("community"), UnitName: q.text("unit", 100)}
	rawYear := q.text("year", 10)
	format, lang, err := dutyExportLang(q)
	if err != nil {
		return err
	}
	if f.Year, err = s.Duties.ParseYear(rawYear); err != nil {
		return err
	}
	if format == "xlsx" {
		var buf bytes.Buffer
		if err := s.Duties.WriteSelectionXLSX(r.Context(), principal(r), &buf, f, lang); err != nil {
			return err
		}
		return writeXLSX(w, "duty-evaluations-"+strconv.Itoa(f.Year), &buf)
	}
	evs, err := s.Duties.Evaluations(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"year": f.Year, "evaluations": evs})
}

func (s *Server) dutyMemberEvaluation(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	q := &query{r: r}
	format, lang, err := dutyExportLang(q)
	if err != nil {
		return err
	}
	year, err := s.Duties.ParseYear(chi.URLParam(r, "year"))
	if err != nil {
		return err
	}
	if format == "xlsx" {
		var buf bytes.Buffer
		if err := s.Duties.WriteAppraisalXLSX(r.Context(), principal(r), &buf, id, year, lang); err != nil {
			return err
		}
		return writeXLSX(w, fmt.Sprintf("duty-appraisal-%d-%d", id, year), &buf)
	}
	hist, err := s.Duties.EvaluationHistory(r.Context(), principal(r), id, year)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"member_id": id, "year": year, "revisions": hist})
}
