package httpapi

import (
	"encoding/base64"
	"encoding/csv"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/jsonlist"
)

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	in, err := s.Incidents.Incident(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", in)
}

type transitionJSON struct {
	To               string                  `json:"to"`
	Note             string                  `json:"note"`
	Departments      jsonlist.Capped[string] `json:"departments"`
	Photos           jsonlist.Capped[string] `json:"photos"`
	AssigneePersonID int64                   `json:"assignee_person_id"`
	DuplicateOf      int64                   `json:"duplicate_of"`
	Lead             string                  `json:"lead"`
}

func (t transitionJSON) photos() ([]incidents.Photo, error) {
	raw := make([][]byte, 0, len(t.Photos.Items))
	for i, p := range t.Photos.Items {
		b, err := base64.StdEncoding.DecodeString(p)
		if err != nil {
			return nil, apperr.New(apperr.Malformed, "photo %d is not base64", i+1).With("field", "photos")
		}
		raw = append(raw, b)
	}
	return incidents.CheckPhotos(raw)
}

func (s *Server) decodeTransition(w http.ResponseWriter, r *http.Request) (int64, transitionJSON, []incidents.Photo, error) {
	// The nine enforcement departments of a joint action, with room to spare; photos as for reports.
	t := transitionJSON{Departments: jsonlist.Capped[string]{Max: 64, Field: "departments"},
		Photos: jsonlist.Capped[string]{Max: incidents.MaxPhotos, Field: "photos"}}
	id, err := idParam(r, "id")
	if err != nil {
		return 0, t, nil, err
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, maxIntakeJSONBytes))
	if err != nil {
		return 0, t, nil, err
	}
	if err := jsonlist.DecodeStrict(body, &t); err != nil {
		return 0, t, nil, err
	}
	photos, err := t.photos()
	return id, t, photos, err
}

func (s *Server) transitionIncident(w http.ResponseWriter, r *http.Request) error {
	id, t, photos, err := s.decodeTransition(w, r)
	if err != nil {
		return err
	}
	in, err := s.Incidents.Transition(r.Context(), principal(r), id, incidents.TransitionInput{To: incidents.Status(t.To), Note: t.Note,
		Departments: t.Departments.Items, Photos: photos, AssigneePersonID: t.AssigneePersonID, DuplicateOf: t.DuplicateOf, Lead: t.Lead})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", in)
}

func (s *Server) noteIncident(w http.ResponseWriter, r *http.Request) error {
	id, t, photos, err := s.decodeTransition(w, r)
	if err != nil {
		return err
	}
	if t.To != "" || len(t.Departments.Items) > 0 || t.AssigneePersonID != 0 || t.DuplicateOf != 0 || t.Lead != "" {
		return apperr.New(apperr.Malformed, "a note takes note and photos only; use /transitions to move the incident")
	}
	in, err := s.Incidents.AddNote(r.Context(), principal(r), id, t.Note, photos)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", in)
}

func (s *Server) notDuplicate(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	in, err := s.Incidents.NotDuplicate(r.Context(), principal(r), id, r.URL.Query().Get("note"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", in)
}

func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) error {
	q := &query{r: r}
	v := r.URL.Query()
	f := incidents.Filter{Category: v.Get("category"), SubdistrictID: q.int64("subdistrict"), CommunityID: q.int64("community"),
		AssigneeID: q.int64("assignee"), From: q.time("from"), To: q.time("to"), BBox: q.bbox("bbox"),
		Before: q.int64("before"), Limit: int(q.int64("limit")), AwaitingAck: q.bool("awaiting_ack")}
	for _, st := range strings.Split(v.Get("status"), ",") {
		if st = strings.TrimSpace(st); st != "" {
			f.Statuses = append(f.Statuses, incidents.Status(st))
		}
	}
	if v.Get("overdue") != "" {
		b := q.bool("overdue")
		f.Overdue = &b
	}
	format := v.Get("format")
	if format != "" && format != "json" && format != "geojson" && format != "csv" {
		q.fail("format", "%q is not json, geojson or csv", format)
	}
	if q.err != nil {
		return q.err
	}
	list, next, err := s.Incidents.List(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	if next != 0 {
		u := *r.URL
		qs := u.Query()
		qs.Set("before", strconv.FormatInt(next, 10))
		u.RawQuery = qs.Encode()
		w.Header().Set("Link", "<"+u.String()+`>; rel="next"`)
	}
	switch format {
	case "geojson":
		fc := collectionOut{Type: "FeatureCollection", Features: make([]featureOut, 0, len(list)), Next: next}
		for _, in := range list {
			fc.Features = append(fc.Features, featureOut{Type: "Feature", ID: in.ID, Geometry: pointGeometry(in.Lon, in.Lat), Properties: in})
		}
		return writeJSON(w, http.StatusOK, geoJSONType, fc)
	case "csv":
		return writeIncidentsCSV(w, list)
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"incidents": list, "next": next})
}

// writeIncidentsCSV writes a page as CSV with a UTF-8 byte order mark, so Excel shows the Chinese text.
func writeIncidentsCSV(w http.ResponseWriter, list []incidents.Incident) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="incidents.csv"`)
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	_, _ = io.WriteString(w, "\uFEFF")
	_ = cw.Write([]string{"id", "category", "status", "reported_at", "lon", "lat", "subdistrict_id", "community_id", "area_id",
		"assignee_person_id", "assignee_name", "escalation_level", "overdue", "due_at", "outside_jurisdiction", "description", "place"})
	for _, in := range list {
		due := ""
		if in.DueAt != nil {
			due = in.DueAt.UTC().Format(time.RFC3339)
		}
		_ = cw.Write([]string{itoa(in.ID), in.Category, string(in.Status), in.ReportedAt.UTC().Format(time.RFC3339),
			strconv.FormatFloat(in.Lon, 'f', 7, 64), strconv.FormatFloat(in.Lat, 'f', 7, 64), itoa(in.SubdistrictID),
			itoa(in.CommunityID), itoa(in.AreaID), itoa(in.AssigneePersonID), in.AssigneeName, strconv.Itoa(in.EscalationLevel),
			strconv.FormatBool(in.Overdue), due, strconv.FormatBool(in.OutsideJurisdiction), csvSafe(in.Description),
			csvSafe(in.PlaceText)})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a citizen's text from being run as a spreadsheet formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func pointGeometry(lon, lat float64) *geojson.Geometry {
	return geojson.NewGeometry(orb.Point{lon, lat})
}
