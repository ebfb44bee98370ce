package incidents

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// HandOff is a case another domain finds on its own and hands straight to the street chief (街长) —
// a shop that offends again and again (屡教不改) goes to joint enforcement without waiting for the
// lane chief's persuasion to fail first. Point is WGS-84.
type HandOff struct {
	Category    string
	Point       orb.Point
	Description string
}

// HandToStreetChief files h inside the caller's transaction tx, routed to the street chief of the
// subdistrict where it is (or the subdistrict's queue when that post is vacant), so that the finding
// and the incident it opens commit together or not at all. It answers the receipt; the incident's
// history says it was reported and by whom, as any other report.
func (s *Service) HandToStreetChief(ctx context.Context, tx pgx.Tx, who access.Principal, h HandOff) (Receipt, error) {
	var rc Receipt
	if err := checkHandOff(h); err != nil {
		return rc, err
	}
	now := s.now()
	ans, err := s.matcher.Lookup(ctx, h.Point, now)
	if err != nil {
		return rc, translate(err, "routing")
	}
	rt := routeAnswer(ans, LevelStreetChief)
	cat, err := category(ctx, tx, h.Category)
	if err != nil {
		return rc, err
	}
	if err := cat.offered(); err != nil {
		return rc, err
	}
	status := Escalated // handed to the street chief
	if rt.assignee == nil {
		status = Reported // waits in the subdistrict's (or the district desk's) queue
	}
	rc = Receipt{Status: status, Category: cat.Code, Lon: h.Point[0], Lat: h.Point[1], OutsideJurisdiction: rt.outside,
		Queue: rt.queue, Area: rt.area, Community: rt.community, Subdistrict: rt.subdistrict, Assignee: rt.assignee,
		EscalationLevel: rt.level, DueAt: cat.Due(status, now), ReportedAt: now.UTC().Round(time.Microsecond)}
	err = tx.QueryRow(ctx, `INSERT INTO incident (category, status, description, location, subdistrict_id, community_id,
			area_id, assignee_person_id, queue, outside_jurisdiction, escalation_level, due_at, reported_at, updated_at,
			reporter_user_id, source)
		VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), NULLIF($6, 0), NULLIF($7, 0), NULLIF($8, 0),
			NULLIF($9, 0), $10, $11, $12, $13, $14, $14, NULLIF($15, 0), 'api')
		RETURNING id`,
		cat.Code, status, strings.TrimSpace(h.Description), h.Point[0], h.Point[1], refID(rt.subdistrict), refID(rt.community),
		refID(rt.area), rt.assignee.personID(), rt.queue, rt.outside, rt.level, rc.DueAt, rc.ReportedAt, who.UserID).Scan(&rc.ID)
	if err != nil {
		return rc, translate(err, "incident")
	}
	if _, err := addEvent(ctx, tx, who, event{incident: rc.ID, at: now, kind: "reported", to: status,
		assignee: rt.assignee.personID(), params: routingParams(rt)}); err != nil {
		return rc, translate(err, "incident")
	}
	return rc, translate(audit.Record(ctx, tx, who, audit.Create, "incident", rc.ID, nil, rc), "incident")
}

// NoteIfOpen adds a note to incident id inside the caller's transaction tx when the incident is still
// open, and says whether it was: a later finding about the same case joins it rather than opening
// another. The row is locked, so the case cannot close between the check and the note.
func (s *Service) NoteIfOpen(ctx context.Context, tx pgx.Tx, who access.Principal, id int64, note string) (bool, error) {
	if err := checkNote(note); err != nil {
		return false, err
	}
	if strings.TrimSpace(note) == "" {
		return false, apperr.New(apperr.Invalid, "a note needs text").With("field", "note")
	}
	var st Status
	if err := tx.QueryRow(ctx, `SELECT status FROM incident WHERE id = $1 FOR UPDATE`, id).Scan(&st); err != nil {
		return false, translate(err, "incident")
	}
	if !st.Open() {
		return false, nil
	}
	eventID, err := addEvent(ctx, tx, who, event{incident: id, at: s.now(), kind: "note", note: strings.TrimSpace(note)})
	if err != nil {
		return false, translate(err, "incident")
	}
	err = audit.Record(ctx, tx, who, audit.Update, "incident", id, nil, map[string]any{"event_id": eventID, "note": strings.TrimSpace(note)})
	return err == nil, translate(err, "incident")
}

func checkHandOff(h HandOff) error {
	if err := checkLonLat(h.Point[0], h.Point[1]); err != nil {
		return err
	}
	if strings.TrimSpace(h.Description) == "" {
		return apperr.New(apperr.Invalid, "a hand-off needs a description").With("field", "description")
	}
	return checkNote(h.Description)
}
