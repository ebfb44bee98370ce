package httpapi

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/volunteers"
)

// volunteersService is cheap to build: it keeps no state beside the pool.
func (s *Server) volunteersService() *volunteers.Service {
	return volunteers.NewService(s.DB, s.Photos)
}

func (s *Server) listVolunteerOrgs(w http.ResponseWriter, r *http.Request) error {
	list, err := s.volunteersService().Organisations(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"organisations": list})
}

func (s *Server) createVolunteerOrg(w http.ResponseWriter, r *http.Request) error {
	var in volunteers.OrganisationInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	o, err := s.volunteersService().CreateOrganisation(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", o)
}

// volunteerYear reads year=, 0 when absent.
func volunteerYear(q *query) int {
	raw := q.text("year", 4)
	if raw == "" || q.err != nil {
		return 0
	}
	y, err := strconv.Atoi(raw)
	if err != nil {
		q.err = apperr.New(apperr.Malformed, "year %q is not a year", raw).With("field", "year")
	}
	return y
}

func (s *Server) listVolunteerContracts(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	year := volunteerYear(q)
	if q.err != nil {
		return q.err
	}
	list, err := s.volunteersService().Contracts(r.Context(), principal(r), year)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"contracts": list})
}

func (s *Server) createVolunteerContract(w http.ResponseWriter, r *http.Request) error {
	var in volunteers.ContractInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.volunteersService().CreateContract(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/volunteer-contracts/%d", c.ID))
	return writeJSON(w, http.StatusCreated, "", c)
}

func (s *Server) getVolunteerContract(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	c, err := s.volunteersService().Contract(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", c)
}

func (s *Server) reviseVolunteerContract(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in volunteers.Terms
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.volunteersService().Revise(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", c)
}

func (s *Server) volunteerContractScan(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	ct, b, err := s.volunteersService().Scan(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="volunteer-contract-%d"`, id))
	_, err = w.Write(b)
	return err
}

func (s *Server) payVolunteerContract(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in volunteers.PaymentInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.volunteersService().Pay(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", p)
}

func (s *Server) voidVolunteerPayment(w http.ResponseWriter, r *http.Request) error {
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
	p, err := s.volunteersService().VoidPayment(r.Context(), principal(r), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", p)
}

func (s *Server) listVolunteers(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	f := volunteers.VolunteerFilter{OrgID: q.int64("org"), CommunityID: q.int64("community"), ActiveOnly: q.bool("active")}
	if q.err != nil {
		return q.err
	}
	list, err := s.volunteersService().Volunteers(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"volunteers": list})
}

func (s *Server) addVolunteer(w http.ResponseWriter, r *http.Request) error {
	var in volunteers.VolunteerInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	v, err := s.volunteersService().AddVolunteer(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", v)
}

func (s *Server) getVolunteer(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	v, err := s.volunteersService().Volunteer(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", v)
}

func (s *Server) changeVolunteerMembership(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in volunteers.Membership
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	v, err := s.volunteersService().ChangeMembership(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", v)
}

// volunteerDay reads a YYYY-MM-DD query parameter.
func volunteerDay(q *query, name string) volunteers.Date {
	raw := q.text(name, 10)
	if raw == "" || q.err != nil {
		return volunteers.Date{}
	}
	d, err := volunteers.ParseDate(name, raw)
	if err != nil {
		q.fail(name, "%q is not a date YYYY-MM-DD", raw)
	}
	return d
}

func (s *Server) listVolunteerActivities(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	f := volunteers.ActivityFilter{From: volunteerDay(q, "from"), To: volunteerDay(q, "to"), SubdistrictID: q.int64("subdistrict"),
		CommunityID: q.int64("community"), OrgID: q.int64("org"), Voided: q.bool("voided"), Limit: int(q.int64("limit"))}
	format := q.text("format", 10)
	if q.err != nil {
		return q.err
	}
	if format != "" && format != "json" && format != "geojson" {
		return apperr.New(apperr.Malformed, "format %q is not json or geojson", format).With("field", "format")
	}
	list, err := s.volunteersService().Activities(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	if format == "geojson" {
		return writeJSON(w, http.StatusOK, "application/geo+json", volunteers.FeatureCollection(list))
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"activities": list})
}

func (s *Server) recordVolunteerActivity(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	in, err := volunteers.DecodeActivity(body)
	if err != nil {
		return err
	}
	a, err := s.volunteersService().RecordActivity(r.Context(), principal(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/volunteer-activities/%d", a.ID))
	return writeJSON(w, http.StatusCreated, "", a)
}

func (s *Server) getVolunteerActivity(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	a, err := s.volunteersService().Activity(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", a)
}

func (s *Server) voidVolunteerActivity(w http.ResponseWriter, r *http.Request) error {
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
	a, err := s.volunteersService().VoidActivity(r.Context(), principal(r), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", a)
}

func (s *Server) volunteerActivityPhoto(w http.ResponseWriter, r *http.Request) error {
	return servePhoto(s.volunteersService().ActivityPhoto)(w, r)
}

func (s *Server) volunteerTotals(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	year := volunteerYear(q)
	format, lang := q.text("format", 10), q.text("lang", 10)
	if q.err != nil {
		return q.err
	}
	if year == 0 {
		year = time.Now().In(time.FixedZone("CST", 8*3600)).Year()
	}
	if format != "" && format != "json" && format != "xlsx" {
		return apperr.New(apperr.Malformed, "format %q is not json or xlsx", format).With("field", "format")
	}
	if lang != "" && lang != "zh" && lang != "en" {
		return apperr.New(apperr.Malformed, "lang %q is not zh or en", lang).With("field", "lang")
	}
	t, err := s.volunteersService().Totals(r.Context(), principal(r), year)
	if err != nil {
		return err
	}
	if format != "xlsx" {
		return writeJSON(w, http.StatusOK, "", t)
	}
	var buf bytes.Buffer
	if err := t.WriteXLSX(&buf, lang); err != nil {
		return err
	}
	return writeXLSX(w, "volunteers-"+strconv.Itoa(year), &buf)
}
