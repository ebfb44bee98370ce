package patrols

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
)

// Event is a record the patrol's person made along the way: a shop inspected, a vendor sighted, a
// case reported.
type Event struct {
	Kind string    `json:"kind"` // inspection, sighting or incident
	ID   int64     `json:"id"`
	At   time.Time `json:"at"`
	Lon  float64   `json:"lon"`
	Lat  float64   `json:"lat"`
}

// Event kinds.
const (
	KindInspection = "inspection"
	KindSighting   = "sighting"
	KindIncident   = "incident"
)

// eventSlack is how long after the end an incident's server time may lie and still be one the person
// reported on the patrol: an incident carries the time it reached the server, and a phone sends its
// queue when it has a network again.
const eventSlack = 10 * time.Minute

// events lists the person's own records made during the patrol, through their owners' Go APIs,
// read as the system: the patrol's reader may see the patrol but not, say, a shop in the next
// community it passed. A patrol still recording counts to now.
func (s *Store) events(ctx context.Context, p Patrol) ([]Event, error) {
	out := []Event{}
	until := s.now()
	if p.EndedAt != nil {
		until = *p.EndedAt
	}
	during := func(t time.Time) bool { return !t.Before(p.StartedAt) && !t.After(until) }
	for kind, list := range map[string]RecordsOf{KindInspection: s.inspections, KindSighting: s.sightings} {
		if list == nil {
			continue
		}
		evs, err := list(ctx, p.PersonID, p.StartedAt, until)
		if err != nil {
			return nil, fmt.Errorf("patrol %s %ss: %w", p.ID, kind, err)
		}
		for _, e := range evs {
			if during(e.At) {
				e.Kind = kind
				out = append(out, e)
			}
		}
	}
	if s.incidents != nil {
		evs, err := s.incidentEvents(ctx, p, until)
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
	}
	slices.SortFunc(out, func(a, b Event) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// incidentEvents are the cases reported near the track during the patrol by the account that
// started it: the incident's history names its reporter as the account's label.
func (s *Store) incidentEvents(ctx context.Context, p Patrol, until time.Time) ([]Event, error) {
	sys := access.System("patrols")
	b := p.Track.Bound()
	if len(p.Track) == 0 { // still recording: the fixes so far
		var box *string
		if err := s.db.QueryRow(ctx, `SELECT ST_Extent(position)::text FROM patrol_fix WHERE patrol_id = $1`, p.ID).Scan(&box); err != nil {
			return nil, fmt.Errorf("patrol %s extent: %w", p.ID, err)
		}
		if box == nil {
			return nil, nil
		}
		if _, err := fmt.Sscanf(*box, "BOX(%g %g,%g %g)", &b.Min[0], &b.Min[1], &b.Max[0], &b.Max[1]); err != nil {
			return nil, fmt.Errorf("patrol %s extent %q: %w", p.ID, *box, err)
		}
	}
	b = b.Pad(0.002) // about 200 m: a case is reported at its spot, beside the path
	from, to := p.StartedAt, until.Add(eventSlack)
	list, _, err := s.incidents.List(ctx, sys, incidents.Filter{From: &from, To: &to, BBox: &b, Limit: 500})
	if err != nil {
		return nil, fmt.Errorf("patrol %s incidents: %w", p.ID, err)
	}
	var out []Event
	for _, c := range list {
		full, err := s.incidents.Incident(ctx, sys, c.ID)
		if err != nil {
			return nil, fmt.Errorf("patrol %s incident %d: %w", p.ID, c.ID, err)
		}
		if len(full.Events) == 0 || full.Events[0].Kind != "reported" || full.Events[0].Actor != p.actor {
			continue
		}
		out = append(out, Event{Kind: KindIncident, ID: c.ID, At: c.ReportedAt, Lon: c.Lon, Lat: c.Lat})
	}
	return out, nil
}
