package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/paulmach/orb/geojson"

	"streetchief/internal/patrols"
)

// startPatrol is PUT /api/v1/patrols/{id}: the device made the id, so a start sent again after a
// lost answer is the same request (200), and a different one under that id a conflict.
func (s *Server) startPatrol(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	in, err := patrols.DecodeStart(chi.URLParam(r, "id"), body, time.Now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), writeTimeout)
	defer cancel()
	p, created, err := s.Patrols.Start(ctx, principal(r), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/v1/patrols/"+p.ID)
	}
	return writeJSON(w, status, "", p)
}

func (s *Server) addPatrolFixes(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	fixes, err := patrols.DecodeFixes(body, time.Now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), writeTimeout)
	defer cancel()
	got, err := s.Patrols.AddFixes(ctx, principal(r), chi.URLParam(r, "id"), fixes)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", got)
}

func (s *Server) endPatrol(w http.ResponseWriter, r *http.Request) error {
	body, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	in, err := patrols.DecodeEnd(body, time.Now())
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), writeTimeout)
	defer cancel()
	p, err := s.Patrols.End(ctx, principal(r), chi.URLParam(r, "id"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", p)
}

func (s *Server) voidPatrol(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Reason string `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.Patrols.Void(r.Context(), principal(r), chi.URLParam(r, "id"), in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", p)
}

func (s *Server) listPatrols(w http.ResponseWriter, r *http.Request) error {
	q := query{r: r}
	f := patrols.Filter{PersonID: q.int64("person"), AreaID: q.int64("area"), Day: q.text("day", 10), From: q.text("from", 10),
		To: q.text("to", 10), Limit: int(q.int64("limit"))}
	if raw := r.URL.Query().Get("suspect"); raw != "" {
		b := q.bool("suspect")
		f.Suspect = &b
	}
	if q.err != nil {
		return q.err
	}
	list, err := s.Patrols.List(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"patrols": list})
}

// getPatrol answers a patrol as a GeoJSON Feature: its track the geometry (null before two fixes),
// the rest its properties, with the events along the way.
func (s *Server) getPatrol(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Patrols.Get(r.Context(), principal(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	var geom *geojson.Geometry
	if len(p.Track) >= 2 {
		geom = geojson.NewGeometry(p.Track)
	}
	events := p.EventList
	if events == nil {
		events = []patrols.Event{}
	}
	return writeJSON(w, http.StatusOK, "application/geo+json", map[string]any{
		"type": "Feature", "id": p.ID, "geometry": geom,
		"properties": map[string]any{
			"person": map[string]any{"id": p.PersonID, "name": p.PersonName, "post": p.Post},
			"state":  p.State, "started_at": p.StartedAt, "ended_at": p.EndedAt, "day": p.Day, "note": p.Note,
			"fixes": p.Fixes, "distance_m": p.DistanceM, "duration_s": p.DurationS, "moving_s": p.MovingS, "pauses": p.Pauses,
			"stats": p.Stats, "coverage": p.Coverage, "replay_share": p.ReplayShare, "areas": p.Areas,
			"suspect": p.Suspect, "reasons": p.Reasons, "verdict": p.Verdict, "events": events,
			"subdistrict_id": p.SubdistrictID, "community_id": p.CommunityID,
			"voided_at": p.VoidedAt, "void_reason": p.VoidReason,
		},
	})
}

func (s *Server) patrolReport(w http.ResponseWriter, r *http.Request) error {
	q := query{r: r}
	by := patrols.ReportBy(q.text("by", 20))
	day, from, to := q.text("day", 10), q.text("from", 10), q.text("to", 10)
	if q.err != nil {
		return q.err
	}
	rep, err := s.Patrols.Report(r.Context(), principal(r), by, day, from, to)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", rep)
}
