package volunteers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Activity is a volunteer activity (志愿服务活动) as recorded.
type Activity struct {
	ID             int64           `json:"id"`
	OrgID          int64           `json:"org_id"`
	OrgName        string          `json:"org_name"`
	StartsAt       time.Time       `json:"starts_at"`
	EndsAt         time.Time       `json:"ends_at"`
	Place          json.RawMessage `json:"place"` // GeoJSON as recorded
	Lon            float64         `json:"lon"`   // a point on it, for the map
	Lat            float64         `json:"lat"`
	SubdistrictID  int64           `json:"subdistrict_id"`
	CommunityID    int64           `json:"community_id"`
	CommunityName  string          `json:"community_name"`
	Kind           ActivityKind    `json:"kind"`
	Description    string          `json:"description"`
	VolunteerIDs   []int64         `json:"volunteer_ids"`
	HeadCount      int             `json:"head_count"`
	Participants   int             `json:"participants"`
	HoursEach      float64         `json:"hours_each"`
	VolunteerHours float64         `json:"volunteer_hours"` // participants × hours each
	Photos         int             `json:"photos"`
	Voided         bool            `json:"voided"`
	VoidReason     string          `json:"void_reason,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	CreatedBy      string          `json:"created_by"`
}

const activitySelect = `SELECT a.id, a.org_id, o.name, a.starts_at, a.ends_at, ST_AsGeoJSON(a.place, 6)::jsonb,
		ST_X(ST_PointOnSurface(a.place)), ST_Y(ST_PointOnSurface(a.place)), a.subdistrict_id, a.community_id, c.name, a.kind, a.description,
		COALESCE((SELECT array_agg(p.volunteer_id ORDER BY p.volunteer_id) FROM volunteer_activity_participant p WHERE p.activity_id = a.id), '{}'),
		a.head_count, a.participants, a.hours_each::float8, cardinality(a.photo_sha256), v.activity_id IS NOT NULL, COALESCE(v.reason, ''),
		a.created_at, a.created_by
	FROM volunteer_activity a JOIN volunteer_org o ON o.id = a.org_id JOIN unit_directory c ON c.id = a.community_id
	LEFT JOIN volunteer_activity_void v ON v.activity_id = a.id`

func scanActivity(row pgx.Row) (Activity, error) {
	var a Activity
	var place []byte
	err := row.Scan(&a.ID, &a.OrgID, &a.OrgName, &a.StartsAt, &a.EndsAt, &place, &a.Lon, &a.Lat, &a.SubdistrictID, &a.CommunityID,
		&a.CommunityName, &a.Kind, &a.Description, &a.VolunteerIDs, &a.HeadCount, &a.Participants, &a.HoursEach, &a.Photos,
		&a.Voided, &a.VoidReason, &a.CreatedAt, &a.CreatedBy)
	a.Place = place
	a.VolunteerHours = float64(a.Participants) * a.HoursEach
	return a, err
}

// ActivityFilter narrows Activities; zero values mean any.
type ActivityFilter struct {
	From, To      Date // Beijing days, both included
	SubdistrictID int64
	CommunityID   int64
	OrgID         int64
	Voided        bool // voided ones too
	Limit         int  // default and at most 2000
}

// Activities lists the activities in the caller's scope, newest first.
func (s *Service) Activities(ctx context.Context, who access.Principal, f ActivityFilter) ([]Activity, error) {
	if err := reads(who); err != nil {
		return nil, err
	}
	if f.SubdistrictID < 0 || f.CommunityID < 0 || f.OrgID < 0 || f.Limit < 0 {
		return nil, apperr.New(apperr.Invalid, "subdistrict, community, org and limit are positive")
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From.Time) {
		return nil, invalid("to", "to %s is before from %s", f.To, f.From)
	}
	if f.Limit == 0 || f.Limit > 2000 {
		f.Limit = 2000
	}
	var from, to *time.Time
	if !f.From.IsZero() {
		from = &f.From.Time
	}
	if !f.To.IsZero() {
		t := f.To.AddDate(0, 0, 1)
		to = &t
	}
	args := []any{from, to, f.SubdistrictID, f.CommunityID, f.OrgID, f.Voided, f.Limit}
	pred, args := who.Scope.Predicate("a.subdistrict_id", "a.community_id", args)
	rows, err := s.db.Query(ctx, activitySelect+` WHERE ($1::timestamptz IS NULL OR a.starts_at >= $1) AND ($2::timestamptz IS NULL OR a.starts_at < $2)
		AND ($3 = 0 OR a.subdistrict_id = $3) AND ($4 = 0 OR a.community_id = $4) AND ($5 = 0 OR a.org_id = $5)
		AND ($6 OR v.activity_id IS NULL) AND `+pred+` ORDER BY a.starts_at DESC, a.id DESC LIMIT $7`, args...)
	if err != nil {
		return nil, translate(err, "activities")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Activity, error) { return scanActivity(r) })
	return out, translate(err, "activities")
}

// Activity is one activity in the caller's scope.
func (s *Service) Activity(ctx context.Context, who access.Principal, id int64) (Activity, error) {
	if err := reads(who); err != nil {
		return Activity{}, err
	}
	pred, args := who.Scope.Predicate("a.subdistrict_id", "a.community_id", []any{id})
	a, err := scanActivity(s.db.QueryRow(ctx, activitySelect+` WHERE a.id = $1 AND `+pred, args...))
	if err == pgx.ErrNoRows {
		return a, apperr.New(apperr.NotFound, "no activity %d", id)
	}
	return a, translate(err, fmt.Sprintf("activity %d", id))
}

// FeatureCollection is activities as GeoJSON points (a point on an area's surface), for the map.
func FeatureCollection(list []Activity) map[string]any {
	features := make([]map[string]any, 0, len(list))
	for _, a := range list {
		features = append(features, map[string]any{
			"type":     "Feature",
			"id":       a.ID,
			"geometry": map[string]any{"type": "Point", "coordinates": []float64{a.Lon, a.Lat}},
			"properties": map[string]any{"id": a.ID, "kind": a.Kind, "starts_at": a.StartsAt, "community_name": a.CommunityName,
				"participants": a.Participants, "volunteer_hours": a.VolunteerHours, "voided": a.Voided, "description": a.Description},
		})
	}
	return map[string]any{"type": "FeatureCollection", "features": features}
}
