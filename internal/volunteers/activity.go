package volunteers

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/incidents"
	"streetchief/internal/jsonlist"
	"streetchief/internal/objectstore"
	"streetchief/internal/photorows"
	"streetchief/internal/registry"
)

// Limits of one activity.
const (
	MaxParticipantIDs  = 500
	MaxHeadCount       = 10_000
	MaxDescriptionRune = 2000
	MaxHoursEach       = 24
)

// ActivityFields is an activity as sent.
type ActivityFields struct {
	OrgID        int64                   `json:"org_id"`
	StartsAt     *time.Time              `json:"starts_at"`
	EndsAt       *time.Time              `json:"ends_at"`
	Place        json.RawMessage         `json:"place"` // a GeoJSON Point, Polygon or MultiPolygon (WGS-84)
	Kind         string                  `json:"kind"`
	Description  string                  `json:"description"`
	VolunteerIDs jsonlist.Capped[int64]  `json:"volunteer_ids"`
	HeadCount    int                     `json:"head_count"` // people who are not registered volunteers
	HoursEach    json.Number             `json:"hours_each"` // per participant, at most two decimals
	Photos       jsonlist.Capped[string] `json:"photos"`
}

// ActivityInput is a checked activity; what the database knows (district, volunteers) is checked
// when it is recorded.
type ActivityInput struct {
	OrgID            int64
	StartsAt, EndsAt time.Time
	Place            orb.Geometry
	Kind             ActivityKind
	Description      string
	VolunteerIDs     []int64
	HeadCount        int
	CentiHours       int // hours each, in hundredths
	Photos           []incidents.Photo
}

// DecodeActivity reads an activity from JSON and checks its fields.
func DecodeActivity(body []byte) (ActivityInput, error) {
	f := ActivityFields{VolunteerIDs: jsonlist.Capped[int64]{Max: MaxParticipantIDs, Field: "volunteer_ids"},
		Photos: jsonlist.Capped[string]{Max: incidents.MaxPhotos, Field: "photos"}}
	if err := jsonlist.DecodeStrict(body, &f); err != nil {
		return ActivityInput{}, err
	}
	in := ActivityInput{OrgID: f.OrgID, HeadCount: f.HeadCount}
	var err error
	if f.StartsAt == nil || f.EndsAt == nil {
		return in, invalid("starts_at", "starts_at and ends_at are required (RFC 3339)")
	}
	in.StartsAt, in.EndsAt = *f.StartsAt, *f.EndsAt
	switch d := in.EndsAt.Sub(in.StartsAt); {
	case d <= 0:
		return in, invalid("ends_at", "the activity ends (%s) before it starts (%s)", in.EndsAt.Format(time.RFC3339), in.StartsAt.Format(time.RFC3339))
	case d > 24*time.Hour:
		return in, invalid("ends_at", "an activity lasts at most a day; record each day apart")
	case in.StartsAt.Year() < 2000:
		return in, invalid("starts_at", "starts_at is before 2000")
	}
	if in.Place, err = decodePlace(f.Place); err != nil {
		return in, err
	}
	if in.Kind, err = ParseActivityKind(f.Kind); err != nil {
		return in, err
	}
	if in.Description, err = text("description", f.Description, MaxDescriptionRune, true); err != nil {
		return in, err
	}
	seen := map[int64]bool{}
	for _, id := range f.VolunteerIDs.Items {
		if id <= 0 {
			return in, invalid("volunteer_ids", "volunteer id %d is not an id", id)
		}
		if !seen[id] {
			seen[id] = true
			in.VolunteerIDs = append(in.VolunteerIDs, id)
		}
	}
	if in.HeadCount < 0 || in.HeadCount > MaxHeadCount {
		return in, invalid("head_count", "head_count is between 0 and %d", MaxHeadCount)
	}
	if len(in.VolunteerIDs)+in.HeadCount == 0 {
		return in, invalid("volunteer_ids", "name the volunteers who took part (volunteer_ids) or give a head_count")
	}
	if in.CentiHours, err = parseHours(string(f.HoursEach)); err != nil {
		return in, err
	}
	if float64(in.CentiHours) > math.Ceil(in.EndsAt.Sub(in.StartsAt).Hours()*100) {
		return in, invalid("hours_each", "%s hours each is longer than the activity lasted (%s)", hours(in.CentiHours), in.EndsAt.Sub(in.StartsAt))
	}
	raw, err := incidents.DecodePhotos(f.Photos.Items)
	if err != nil {
		return in, err
	}
	in.Photos, err = incidents.CheckPhotos(raw)
	return in, err
}

// parseHours reads hours each: more than 0, at most 24, at most two decimals, never through a float.
func parseHours(s string) (int, error) {
	bad := func(why string) (int, error) {
		return 0, invalid("hours_each", "hours_each %q %s", truncate(s, 20), why)
	}
	if s == "" {
		return bad("is required: the hours each participant served")
	}
	if strings.HasPrefix(s, "-") {
		return bad("is below zero")
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && frac == "") || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return bad("is not a number of hours (digits, at most two decimals)")
	}
	if len(frac) > 2 {
		return bad("has more than two decimals")
	}
	if len(strings.TrimLeft(whole, "0")) > 2 {
		return bad("is more than a day (24 hours)")
	}
	w, _ := strconv.Atoi("0" + whole)
	c, _ := strconv.Atoi((frac + "00")[:2])
	v := w*100 + c
	switch {
	case v == 0:
		return bad("is zero; hours each is more than 0")
	case v > MaxHoursEach*100:
		return bad("is more than a day (24 hours)")
	}
	return v, nil
}

func hours(centi int) string { return fmt.Sprintf("%d.%02d", centi/100, centi%100) }

func decodePlace(raw json.RawMessage) (orb.Geometry, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, invalid("place", "place is required: a GeoJSON Point or Polygon")
	}
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, apperr.New(apperr.Malformed, "place is a GeoJSON geometry").With("field", "place")
	}
	if head.Type != "Point" {
		mp, err := registry.DecodePolygonal(raw)
		if ae, ok := err.(*apperr.Error); ok {
			return nil, &apperr.Error{Code: ae.Code, Message: "place: " + ae.Message, Fields: map[string]any{"field": "place"}}
		}
		return mp, err
	}
	g, err := geojson.UnmarshalGeometry(raw)
	if err != nil {
		return nil, invalid("place", "place is not a GeoJSON Point: %v", err)
	}
	p, _ := g.Coordinates.(orb.Point)
	if math.IsNaN(p[0]) || math.IsNaN(p[1]) || p[0] < -180 || p[0] > 180 || p[1] < -90 || p[1] > 90 {
		return nil, invalid("place", "place %v is not a WGS-84 position", p)
	}
	return p, nil
}

// RecordActivity records an activity in the community that holds its place. Its end is not in the
// future, its place lies inside the district, and each named volunteer is the organisation's and had
// joined by the day it took place.
func (s *Service) RecordActivity(ctx context.Context, who access.Principal, in ActivityInput) (Activity, error) {
	if err := reads(who); err != nil {
		return Activity{}, err
	}
	if in.EndsAt.After(s.now()) {
		return Activity{}, invalid("ends_at", "the activity ends %s, in the future: record it once it took place", in.EndsAt.In(beijing).Format("2006-01-02 15:04"))
	}
	place, err := wkb.Marshal(in.Place)
	if err != nil {
		return Activity{}, invalid("place", "place cannot be encoded: %v", err)
	}
	var id int64
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var valid, inside bool
		var sub, com int64
		// An invalid polygon (a ring crossing itself) would fail ST_Covers; it is refused first.
		if err := tx.QueryRow(ctx, `SELECT ST_IsValid(ST_GeomFromWKB($1, 4326))`, place).Scan(&valid); err != nil {
			return translate(err, "place")
		}
		if !valid {
			return invalid("place", "the place is not a valid polygon (its ring crosses itself)")
		}
		err := tx.QueryRow(ctx, `WITH g AS (SELECT ST_GeomFromWKB($1, 4326) AS g)
			SELECT EXISTS (SELECT 1 FROM unit_directory, g WHERE level = 'district' AND ST_Covers(boundary, g.g)),
				COALESCE((SELECT parent_id FROM unit_directory c, g WHERE c.level = 'community' AND ST_Covers(c.boundary, ST_PointOnSurface(g.g)) ORDER BY c.id LIMIT 1), 0),
				COALESCE((SELECT id FROM unit_directory c, g WHERE c.level = 'community' AND ST_Covers(c.boundary, ST_PointOnSurface(g.g)) ORDER BY c.id LIMIT 1), 0)
			FROM g`, place).Scan(&inside, &sub, &com)
		if err != nil {
			return translate(err, "place")
		}
		if !inside || com == 0 {
			return invalid("place", "the place is outside the district's communities")
		}
		if err := records(who, sub, com); err != nil {
			return err
		}
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM volunteer_org WHERE id = $1)`, in.OrgID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return invalid("org_id", "no organisation %d", in.OrgID)
		}
		if err := s.checkParticipants(ctx, tx, in); err != nil {
			return err
		}
		shas := make([][]byte, 0, len(in.Photos))
		for _, p := range in.Photos {
			rowBytes, size, err := p.PutForRow(ctx, s.photos) // the blob before the row that names it
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO volunteer_photo (sha256, content_type, bytes, size_bytes, width, height) VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (sha256) DO NOTHING`, p.SHA256[:], p.ContentType, rowBytes, size, p.Width, p.Height); err != nil {
				return translate(err, "photo")
			}
			shas = append(shas, p.SHA256[:])
		}
		err = tx.QueryRow(ctx, `INSERT INTO volunteer_activity (org_id, starts_at, ends_at, place, subdistrict_id, community_id, kind, description,
				head_count, participants, hours_each, photo_sha256, created_by, created_by_person)
			VALUES ($1, $2, $3, ST_GeomFromWKB($4, 4326), $5, $6, $7, $8, $9, $10, $11::numeric / 100, $12, $13, NULLIF($14, 0)) RETURNING id`,
			in.OrgID, in.StartsAt, in.EndsAt, place, sub, com, string(in.Kind), in.Description, in.HeadCount,
			len(in.VolunteerIDs)+in.HeadCount, in.CentiHours, shas, who.Label(), who.PersonID).Scan(&id)
		if err != nil {
			return translate(err, "activity")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO volunteer_activity_participant (activity_id, volunteer_id) SELECT $1, unnest($2::bigint[])`,
			id, in.VolunteerIDs); err != nil {
			return translate(err, "participants")
		}
		return audit.Record(ctx, tx, who, audit.Create, "volunteer_activity", id, nil, map[string]any{"org_id": in.OrgID,
			"starts_at": in.StartsAt, "ends_at": in.EndsAt, "community_id": com, "kind": in.Kind, "volunteer_ids": in.VolunteerIDs,
			"head_count": in.HeadCount, "hours_each": hours(in.CentiHours), "photos": len(shas)})
	})
	if err != nil {
		return Activity{}, translate(err, "activity")
	}
	return s.Activity(ctx, who, id)
}

// checkParticipants refuses a volunteer who is unknown, another organisation's, or not a member on
// the day of the activity.
func (s *Service) checkParticipants(ctx context.Context, tx pgx.Tx, in ActivityInput) error {
	if len(in.VolunteerIDs) == 0 {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT id, org_id,
			COALESCE((SELECT kind FROM volunteer_membership m WHERE m.volunteer_id = v.id AND m.on_date <= $2 ORDER BY on_date DESC, id DESC LIMIT 1), '')
		FROM volunteer v WHERE id = ANY($1)`, in.VolunteerIDs, dateOf(in.StartsAt).Time)
	if err != nil {
		return err
	}
	type member struct {
		org  int64
		kind string
	}
	found := map[int64]member{}
	for rows.Next() {
		var id int64
		var m member
		if err := rows.Scan(&id, &m.org, &m.kind); err != nil {
			rows.Close()
			return err
		}
		found[id] = m
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, id := range in.VolunteerIDs {
		m, ok := found[id]
		switch {
		case !ok:
			return invalid("volunteer_ids", "unknown volunteer %d", id)
		case m.org != in.OrgID:
			return invalid("volunteer_ids", "volunteer %d is not a volunteer of organisation %d", id, in.OrgID)
		case m.kind != "joined":
			return invalid("volunteer_ids", "volunteer %d was not a member on %s", id, dateOf(in.StartsAt))
		}
	}
	return nil
}

// VoidActivity voids an activity entered by mistake; it stays on record and is no longer counted.
func (s *Service) VoidActivity(ctx context.Context, who access.Principal, id int64, reason string) (Activity, error) {
	if err := reads(who); err != nil {
		return Activity{}, err
	}
	reason, err := text("reason", reason, 500, true)
	if err != nil {
		return Activity{}, err
	}
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var sub, com int64
		err := tx.QueryRow(ctx, `SELECT subdistrict_id, community_id FROM volunteer_activity WHERE id = $1`, id).Scan(&sub, &com)
		if err == pgx.ErrNoRows || err == nil && !who.Scope.InScope(sub, com) {
			return apperr.New(apperr.NotFound, "no activity %d", id)
		}
		if err != nil {
			return err
		}
		if err := records(who, sub, com); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO volunteer_activity_void (activity_id, reason, created_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
			id, reason, who.Label())
		if err != nil {
			return translate(err, "void activity")
		}
		if tag.RowsAffected() == 0 {
			return apperr.New(apperr.Conflict, "activity %d is voided already", id)
		}
		return audit.Record(ctx, tx, who, audit.Void, "volunteer_activity", id, nil, map[string]any{"reason": reason})
	})
	if err != nil {
		return Activity{}, translate(err, "void activity")
	}
	return s.Activity(ctx, who, id)
}

// ActivityPhoto returns photo n (from 1) of an activity in the caller's scope.
func (s *Service) ActivityPhoto(ctx context.Context, who access.Principal, id int64, n int) (incidents.PhotoFile, error) {
	var f incidents.PhotoFile
	if err := reads(who); err != nil {
		return f, err
	}
	if n < 1 || n > incidents.MaxPhotos {
		return f, apperr.New(apperr.NotFound, "photo %d of activity %d not found", n, id)
	}
	pred, args := who.Scope.Predicate("a.subdistrict_id", "a.community_id", []any{id, n})
	err := s.db.QueryRow(ctx, `SELECT p.content_type, p.sha256, p.bytes FROM volunteer_activity a JOIN volunteer_photo p ON p.sha256 = a.photo_sha256[$2]
		WHERE a.id = $1 AND `+pred, args...).Scan(&f.ContentType, &f.SHA256, &f.Bytes)
	if err == pgx.ErrNoRows {
		return f, apperr.New(apperr.NotFound, "photo %d of activity %d not found", n, id)
	}
	if err == nil {
		f.Bytes, err = objectstore.Resolve(ctx, s.photos, f.SHA256, f.Bytes)
	}
	if err != nil {
		return incidents.PhotoFile{}, translate(err, "activity photo")
	}
	return f, nil
}

// PhotoTable is volunteer_photo, for moving its rows' bytes into the store and checking them.
func (s *Service) PhotoTable() photorows.Table {
	return photorows.For(s.db, s.photos, "volunteer_photo")
}
