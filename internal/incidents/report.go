package incidents

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// Duplicate detection: a report of the same category this close to an open one, this soon after it,
// is probably the same thing seen by another passer-by.
const (
	DuplicateRadiusM = 30
	DuplicateWindow  = 72 * time.Hour
)

// Ref names a routed-to area or admin unit.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"`
}

// Assignee is the person an incident is with.
type Assignee struct {
	PersonID int64             `json:"person_id"`
	Name     string            `json:"name"`
	Role     registry.PostRole `json:"role"`
}

// Receipt is the answer to a report: where it was routed and to whom.
type Receipt struct {
	ID                  int64      `json:"id"`
	Status              Status     `json:"status"`
	Category            string     `json:"category"`
	Lon                 float64    `json:"lon"`
	Lat                 float64    `json:"lat"`
	OutsideJurisdiction bool       `json:"outside_jurisdiction"`
	Queue               string     `json:"queue"`
	Area                *Ref       `json:"area"`
	Community           *Ref       `json:"community"`
	Subdistrict         *Ref       `json:"subdistrict"`
	Assignee            *Assignee  `json:"assignee"`
	EscalationLevel     int        `json:"escalation_level"`
	DueAt               *time.Time `json:"due_at"`
	LikelyDuplicateOf   int64      `json:"likely_duplicate_of,omitempty"`
	Photos              int        `json:"photos"`
	ReportedAt          time.Time  `json:"reported_at"`
	// ObservedAt and AccuracyM are the time and fix the reporter's device made the report with, when
	// it said (a report queued offline arrives later than it was made).
	ObservedAt *time.Time `json:"observed_at,omitempty"`
	AccuracyM  *float64   `json:"accuracy_m,omitempty"`
	// VerificationToken lets the reporter confirm or dispute the resolution (POST
	// /api/v1/incidents/{id}/verification): shown in this answer only, kept as a hash.
	VerificationToken string `json:"verification_token,omitempty"`
	// TrackingNumber is the reporter's way to follow the case without signing in (track.go).
	TrackingNumber string `json:"tracking_number,omitempty"`
}

// IdempotencyKey makes a report safe to retry: Endpoint keeps the keys of different APIs apart. A key
// is remembered for IdempotencyWindow; a retry after that files a new report.
type IdempotencyKey struct {
	Endpoint string
	Key      string
}

// routing is where a point falls and who holds incidents there, at or above a level.
type routing struct {
	area, community, subdistrict *Ref
	assignee                     *Assignee
	level                        int
	queue                        string
	outside                      bool
}

func routeAnswer(ans lookup.Answer, minLevel int) routing {
	var r routing
	for _, a := range ans.Areas {
		if a.DistanceM == 0 {
			r.area = &Ref{ID: a.ID, Name: a.Name, Kind: a.Kind}
			break
		}
	}
	if ans.Community != nil {
		r.community = &Ref{ID: ans.Community.ID, Name: ans.Community.Name}
	}
	if ans.Subdistrict != nil {
		r.subdistrict = &Ref{ID: ans.Subdistrict.ID, Name: ans.Subdistrict.Name}
	}
	r.outside = ans.Subdistrict == nil && ans.Community == nil
	var p lookup.Responsible
	ok := false
	if minLevel <= LevelAreaManager {
		p, ok = ans.Assignee()
	}
	if !ok && minLevel <= LevelLaneChief && ans.Community != nil && ans.Community.Chief != nil {
		p, ok = *ans.Community.Chief, true
	}
	if !ok && ans.Subdistrict != nil && ans.Subdistrict.Chief != nil {
		p, ok = *ans.Subdistrict.Chief, true
	}
	switch {
	case ok:
		r.assignee = &Assignee{PersonID: p.PersonID, Name: p.Name, Role: p.Role}
		r.level, r.queue = levelOfRole[p.Role], QueueAssignee
	case r.outside:
		r.level, r.queue = LevelStreetChief, QueueDistrictDesk
	default:
		r.level, r.queue = max(minLevel, LevelStreetChief), QueueSubdistrict
	}
	return r
}

func refID(r *Ref) int64 {
	if r == nil {
		return 0
	}
	return r.ID
}

func (a *Assignee) personID() int64 {
	if a == nil {
		return 0
	}
	return a.PersonID
}

// Report stores a new incident routed to whoever is responsible where it happened. With a key, a retry of
// the same report answers the first receipt again (replayed true); the same key with another report is
// refused. who is the reporter, anonymous or signed in.
func (s *Service) Report(ctx context.Context, who access.Principal, in Intake, key IdempotencyKey) (rc Receipt, replayed bool, err error) {
	now := s.now()
	ans, err := s.matcher.Lookup(ctx, in.Point, now)
	if err != nil {
		return rc, false, translate(err, "routing")
	}
	rt := routeAnswer(ans, LevelAreaManager)
	for attempt := 0; ; attempt++ {
		rc, replayed, err = s.report(ctx, who, in, key, rt, now)
		var pgErr *pgconn.PgError
		if attempt < 3 && errors.As(err, &pgErr) && pgErr.Code == "23505" {
			switch {
			case attempt == 0 && key.Key != "" && pgErr.ConstraintName == "incident_idempotency_pkey":
				continue // a concurrent request with the same key committed first: answer as it did
			case pgErr.ConstraintName == "incident_tracking_number":
				continue // another report drew the same tracking number: draw again
			}
		}
		return rc, replayed, translate(err, "incident")
	}
}

func (s *Service) report(ctx context.Context, who access.Principal, in Intake, key IdempotencyKey, rt routing, now time.Time) (rc Receipt, replayed bool, err error) {
	digest := in.Digest()
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if key.Key != "" {
			var stored []byte
			var hash []byte
			err := tx.QueryRow(ctx, `SELECT body_sha256, response FROM incident_idempotency WHERE endpoint = $1 AND key = $2`,
				key.Endpoint, key.Key).Scan(&hash, &stored)
			switch {
			case err == nil:
				if string(hash) != string(digest[:]) {
					return apperr.New(apperr.Invalid, "Idempotency-Key %q was already used for a different report", key.Key).With("field", "Idempotency-Key")
				}
				replayed = true
				return json.Unmarshal(stored, &rc)
			case !errors.Is(err, pgx.ErrNoRows):
				return err
			}
		}
		// After the replay: a resend of a report accepted days ago answers as it did, though its
		// observed time has since aged past the bound.
		if err := in.checkObserved(now); err != nil {
			return err
		}
		cat, err := category(ctx, tx, in.Category)
		if err != nil {
			return err
		}
		if err := cat.offered(); err != nil {
			return err
		}
		status := Assigned
		if rt.assignee == nil {
			status = Reported
		}
		// The due time runs from now, the receipt, never from observed_at: the SLA measures how the
		// city answers once it learns of a problem, and a phone's clock is no ground for a deadline.
		rc = Receipt{Status: status, Category: cat.Code, Lon: in.Point[0], Lat: in.Point[1], OutsideJurisdiction: rt.outside,
			Queue: rt.queue, Area: rt.area, Community: rt.community, Subdistrict: rt.subdistrict, Assignee: rt.assignee,
			EscalationLevel: rt.level, DueAt: cat.Due(status, now), Photos: len(in.Photos), ReportedAt: now.UTC().Round(time.Microsecond),
			ObservedAt: in.ObservedAt, AccuracyM: in.AccuracyM}
		if rc.DueAt != nil {
			d := rc.DueAt.UTC().Round(time.Microsecond)
			rc.DueAt = &d
		}
		dup, err := likelyDuplicate(ctx, tx, cat.Code, in.Point, now)
		if err != nil {
			return err
		}
		rc.LikelyDuplicateOf = dup
		token, tokenHash, err := newVerifyToken()
		if err != nil {
			return err
		}
		rc.VerificationToken = token
		number, err := newTrackingNumber()
		if err != nil {
			return err
		}
		rc.TrackingNumber = FormatTrackingNumber(number)
		source := in.Source
		if source == "" {
			source = "api"
		}
		err = tx.QueryRow(ctx, `INSERT INTO incident (category, status, description, location, subdistrict_id, community_id,
				area_id, assignee_person_id, queue, outside_jurisdiction, escalation_level, likely_duplicate_of, due_at,
				reported_at, updated_at, reporter_user_id, source, media_url, address, verify_token_sha256, tracking_number,
				observed_at, accuracy_m)
			VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), NULLIF($6, 0), NULLIF($7, 0), NULLIF($8, 0),
				NULLIF($9, 0), $10, $11, $12, NULLIF($13, 0), $14, $15, $15, NULLIF($16, 0), $17, $18, $19, $20, $21, $22, $23::real)
			RETURNING id`,
			cat.Code, status, in.Description, in.Point[0], in.Point[1], refID(rt.subdistrict), refID(rt.community),
			refID(rt.area), rt.assignee.personID(), rt.queue, rt.outside, rt.level, dup, rc.DueAt, rc.ReportedAt,
			who.UserID, source, in.MediaURL, in.Address, tokenHash, number, in.ObservedAt, in.AccuracyM).Scan(&rc.ID)
		if err != nil {
			return err
		}
		eventID, err := addEvent(ctx, tx, who, event{incident: rc.ID, at: now, kind: "reported", to: status,
			assignee: rt.assignee.personID(), params: observedParams(routingParams(rt), in)})
		if err != nil {
			return err
		}
		if dup != 0 {
			if _, err := addEvent(ctx, tx, who, event{incident: rc.ID, at: now, kind: "duplicate_suspected",
				params: map[string]any{"of": dup, "radius_m": DuplicateRadiusM, "hours": int(DuplicateWindow.Hours())}}); err != nil {
				return err
			}
		}
		if err := s.attachPhotos(ctx, tx, rc.ID, eventID, in.Photos); err != nil {
			return err
		}
		// A contact the deployment cannot reach is not kept: it would only be personal data held.
		if in.Contact.Channel != "" && s.citizens.Sends(in.Contact.Channel) {
			if err := s.keepContact(ctx, tx, rc.ID, number, in.Contact); err != nil {
				return err
			}
		}
		if err := audit.Record(ctx, tx, who, audit.Create, "incident", rc.ID, nil, rc); err != nil {
			return err
		}
		if key.Key != "" {
			body, err := json.Marshal(rc)
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO incident_idempotency (endpoint, key, body_sha256, status, response, incident_id, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, key.Endpoint, key.Key, digest[:], http.StatusCreated, body, rc.ID, now); err != nil {
				return err
			}
		}
		return nil
	})
	return rc, replayed, err
}

// likelyDuplicate finds the nearest open incident of the same category within the radius and window.
// The box test (degrees, widened for longitude) lets the GiST index find the candidates; the
// geography distance decides.
func likelyDuplicate(ctx context.Context, tx pgx.Tx, cat string, pt orb.Point, now time.Time) (int64, error) {
	dLat := DuplicateRadiusM / 111_000.0 * 1.2
	dLon := dLat / math.Max(math.Cos(pt[1]*math.Pi/180), 0.01)
	var id int64
	err := tx.QueryRow(ctx, `SELECT i.id FROM incident i, (SELECT ST_SetSRID(ST_MakePoint($2, $3), 4326) AS g) p
		WHERE i.category = $1 AND i.status IN `+openStatusesSQL+` AND i.reported_at > $4
		  AND i.location && ST_Expand(p.g, $5, $6)
		  AND ST_DWithin(i.location::geography, p.g::geography, $7)
		ORDER BY ST_Distance(i.location::geography, p.g::geography), i.id LIMIT 1`,
		cat, pt[0], pt[1], now.Add(-DuplicateWindow), dLon, dLat, float64(DuplicateRadiusM)).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return id, err
}
