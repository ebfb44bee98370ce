package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Task is a task as its reader may see it: a street chief sees only their subdistricts' parts, a
// lane chief only their communities' items.
type Task struct {
	ID             int64     `json:"id"`
	IssuerLevel    Level     `json:"issuer_level"`
	IssuingOffice  string    `json:"issuing_office"`
	Title          string    `json:"title"`
	Body           string    `json:"body"`
	DoneWhen       string    `json:"done_when"`
	Deadline       time.Time `json:"deadline"`        // the current deadline
	IssuedDeadline time.Time `json:"issued_deadline"` // as issued, before any revision
	IssuedAt       time.Time `json:"issued_at"`
	IssuedBy       string    `json:"issued_by"`
	State          State     `json:"state"`
	Overdue        bool      `json:"overdue"`
	CancelReason   string    `json:"cancel_reason,omitempty"`
	Photos         []string  `json:"photos"`
	Parts          []Part    `json:"parts"`
	// Targets is a GeoJSON FeatureCollection of the areas, places and drawn target (Get only).
	Targets   json.RawMessage `json:"targets,omitempty"`
	Revisions []Revision      `json:"revisions,omitempty"`
}

// Part is one subdistrict's part of a task.
type Part struct {
	SubdistrictID int64  `json:"subdistrict_id"`
	Name          string `json:"name"`
	State         State  `json:"state"`
	Counts        Counts `json:"counts"`
	Items         []Item `json:"items"`
}

// Counts sum a part's items.
type Counts struct {
	Items    int `json:"items"`
	Claimed  int `json:"claimed"`
	Accepted int `json:"accepted"`
	Overdue  int `json:"overdue"`
	Returned int `json:"returned"` // items returned at least once
}

// Item is one item of a part.
type Item struct {
	ID            int64      `json:"id"`
	SubdistrictID int64      `json:"subdistrict_id"`
	CommunityID   int64      `json:"community_id,omitempty"` // 0: kept at subdistrict level
	CommunityName string     `json:"community_name,omitempty"`
	Text          string     `json:"text"`
	Deadline      time.Time  `json:"deadline"`
	State         ItemState  `json:"state"`
	Percent       int        `json:"percent"`
	Returns       int        `json:"returns"`
	Overdue       bool       `json:"overdue"`
	AcceptedAt    *time.Time `json:"accepted_at,omitempty"`
	Events        []Event    `json:"events,omitempty"`
}

// Event is a report on an item or the issuer's decision.
type Event struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	Text      string    `json:"text"`
	Percent   *int      `json:"percent,omitempty"`
	Photos    []string  `json:"photos"`
	Lon       *float64  `json:"lon,omitempty"`
	Lat       *float64  `json:"lat,omitempty"`
	AccuracyM *float64  `json:"accuracy_m,omitempty"`
	OffSite   bool      `json:"off_site"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// Revision is a deadline change or the cancellation.
type Revision struct {
	ID       int64      `json:"id"`
	Kind     string     `json:"kind"`
	Deadline *time.Time `json:"deadline,omitempty"`
	Reason   string     `json:"reason"`
	By       string     `json:"by"`
	At       time.Time  `json:"at"`
}

// Filter narrows the list.
type Filter struct {
	SubdistrictID int64
	State         State // "" for any
}

// MaxList bounds the list: tasks come a few a month.
const MaxList = 500

// Get answers task id with its targets, items, their history and the revisions.
func (s *Service) Get(ctx context.Context, who access.Principal, id int64) (Task, error) {
	ts, err := s.load(ctx, who, "t.id = $1", []any{id}, true)
	if err != nil {
		return Task{}, err
	}
	if len(ts) == 0 {
		return Task{}, apperr.New(apperr.NotFound, "task %d not found", id)
	}
	t := ts[0]
	if t.Targets, err = s.targets(ctx, id); err != nil {
		return Task{}, err
	}
	t.Revisions, err = collect(ctx, s, `SELECT id, kind, deadline, reason, revised_by, revised_at FROM task_revision WHERE task_id = $1 ORDER BY id`,
		[]any{id}, func(r pgx.Rows) (Revision, error) {
			var v Revision
			return v, r.Scan(&v.ID, &v.Kind, &v.Deadline, &v.Reason, &v.By, &v.At)
		})
	return t, err
}

// List answers the tasks who may see, newest first.
func (s *Service) List(ctx context.Context, who access.Principal, f Filter) ([]Task, error) {
	where, args := "TRUE", []any{}
	if f.SubdistrictID != 0 {
		args = append(args, f.SubdistrictID)
		where = "EXISTS (SELECT 1 FROM task_part p WHERE p.task_id = t.id AND p.subdistrict_id = $1)"
	}
	ts, err := s.load(ctx, who, where, args, false)
	if err != nil {
		return nil, err
	}
	out := []Task{}
	for _, t := range ts {
		if f.State == "" || t.State == f.State {
			out = append(out, t)
		}
	}
	return out, nil
}

// load reads the tasks matching where (with args, numbered first) that who may see, with their parts
// and items, events too when asked.
func (s *Service) load(ctx context.Context, who access.Principal, where string, args []any, events bool) ([]Task, error) {
	pred, args := taskPredicate(who, args)
	now := s.now()
	ts, err := collect(ctx, s, `SELECT t.id, t.issuer_level, t.issuing_office, t.title, t.body, t.done_when, `+deadlineSQL+`, t.deadline,
		t.issued_at, t.issued_by, COALESCE((SELECT r.reason FROM task_revision r WHERE r.task_id = t.id AND r.kind = 'cancel'), ''),
		cardinality(t.photo_sha256)
		FROM task t WHERE `+where+` AND `+pred+fmt.Sprintf(` ORDER BY t.id DESC LIMIT %d`, MaxList), args,
		func(r pgx.Rows) (Task, error) {
			var t Task
			var photos int
			err := r.Scan(&t.ID, &t.IssuerLevel, &t.IssuingOffice, &t.Title, &t.Body, &t.DoneWhen, &t.Deadline, &t.IssuedDeadline,
				&t.IssuedAt, &t.IssuedBy, &t.CancelReason, &photos)
			t.Photos = photoPaths("tasks", t.ID, photos)
			return t, err
		})
	if err != nil || len(ts) == 0 {
		return ts, err
	}
	ids := make([]int64, len(ts))
	byID := map[int64]*Task{}
	for i := range ts {
		ids[i] = ts[i].ID
		byID[ts[i].ID] = &ts[i]
	}
	type partRow struct {
		task int64
		part Part
	}
	parts, err := collect(ctx, s, `SELECT p.task_id, p.subdistrict_id, u.name FROM task_part p JOIN unit_directory u ON u.id = p.subdistrict_id
		WHERE p.task_id = ANY($1) ORDER BY p.task_id, u.code, u.id`, []any{ids}, func(r pgx.Rows) (partRow, error) {
		var p partRow
		return p, r.Scan(&p.task, &p.part.SubdistrictID, &p.part.Name)
	})
	if err != nil {
		return nil, err
	}
	items, err := s.items(ctx, ids, events)
	if err != nil {
		return nil, err
	}
	for _, pr := range parts {
		t := byID[pr.task]
		if !seesPart(who, pr.part.SubdistrictID) {
			continue
		}
		p := pr.part
		all := 0
		for _, it := range items[pr.task] {
			if it.SubdistrictID != p.SubdistrictID {
				continue
			}
			all++
			if seesItem(who, it.SubdistrictID, it.CommunityID) {
				p.Items = append(p.Items, it)
			}
		}
		if who.Role == access.LaneChief && len(p.Items) == 0 {
			continue
		}
		p.derive(t.CancelReason != "", all == 0 && now.After(t.Deadline), now)
		t.Parts = append(t.Parts, p)
	}
	for i := range ts {
		ts[i].derive()
	}
	return ts, nil
}

// derive sets a part's counts and state; unbrokenOverdue says it has no items and its task's
// deadline has passed.
func (p *Part) derive(cancelled, unbrokenOverdue bool, now time.Time) {
	if p.Items == nil {
		p.Items = []Item{}
	}
	c := Counts{Items: len(p.Items)}
	started := false
	for i := range p.Items {
		it := &p.Items[i]
		it.Overdue = !cancelled && it.State != ItemAccepted && now.After(it.Deadline)
		switch it.State {
		case ItemAccepted:
			c.Accepted++
		case ItemClaimed:
			c.Claimed++
		}
		if it.Overdue {
			c.Overdue++
		}
		if it.Returns > 0 {
			c.Returned++
		}
		started = started || it.State != ItemOpen
	}
	if unbrokenOverdue && !cancelled {
		c.Overdue++
	}
	p.Counts = c
	switch {
	case cancelled:
		p.State = StateCancelled
	case c.Items == 0:
		p.State = StateIssued
	case c.Accepted == c.Items:
		p.State = StateDone
	case c.Accepted+c.Claimed == c.Items:
		p.State = StateClaimed
	case started:
		p.State = StateInProgress
	default:
		p.State = StateBrokenDown
	}
}

// derive sets a task's state from its parts': done when every part is, claimed when every part is
// claimed or done, in progress once any part has moved, broken down once any has items.
func (t *Task) derive() {
	if t.Parts == nil {
		t.Parts = []Part{}
	}
	if t.CancelReason != "" {
		t.State = StateCancelled
		return
	}
	n := map[State]int{}
	for _, p := range t.Parts {
		n[p.State]++
		t.Overdue = t.Overdue || p.Counts.Overdue > 0
	}
	switch {
	case len(t.Parts) > 0 && n[StateDone] == len(t.Parts):
		t.State = StateDone
	case len(t.Parts) > 0 && n[StateDone]+n[StateClaimed] == len(t.Parts):
		t.State = StateClaimed
	case n[StateInProgress]+n[StateClaimed]+n[StateDone] > 0:
		t.State = StateInProgress
	case n[StateBrokenDown] > 0:
		t.State = StateBrokenDown
	default:
		t.State = StateIssued
	}
}

// items reads the items of tasks, by task, with their states from their events.
func (s *Service) items(ctx context.Context, tasks []int64, events bool) (map[int64][]Item, error) {
	type row struct {
		task int64
		item Item
	}
	rows, err := collect(ctx, s, `SELECT i.task_id, i.id, i.subdistrict_id, COALESCE(i.community_id, 0), COALESCE(c.name, ''), i.text, i.deadline,
		COALESCE(last.kind, ''), COALESCE((SELECT e.percent FROM task_event e WHERE e.item_id = i.id AND e.percent IS NOT NULL ORDER BY e.id DESC LIMIT 1), 0),
		(SELECT count(*) FROM task_event e WHERE e.item_id = i.id AND e.kind = 'return'),
		CASE WHEN last.kind = 'accept' THEN last.at END
		FROM task_item i LEFT JOIN unit_directory c ON c.id = i.community_id
		LEFT JOIN LATERAL (SELECT e.kind, e.at FROM task_event e WHERE e.item_id = i.id ORDER BY e.id DESC LIMIT 1) last ON TRUE
		WHERE i.task_id = ANY($1) ORDER BY i.task_id, i.id`, []any{tasks}, func(r pgx.Rows) (row, error) {
		var v row
		var last string
		err := r.Scan(&v.task, &v.item.ID, &v.item.SubdistrictID, &v.item.CommunityID, &v.item.CommunityName, &v.item.Text, &v.item.Deadline,
			&last, &v.item.Percent, &v.item.Returns, &v.item.AcceptedAt)
		v.item.State = itemState(last)
		return v, err
	})
	if err != nil {
		return nil, err
	}
	var evs map[int64][]Event
	if events {
		if evs, err = s.events(ctx, tasks); err != nil {
			return nil, err
		}
	}
	out := map[int64][]Item{}
	for _, r := range rows {
		r.item.Events = evs[r.item.ID]
		out[r.task] = append(out[r.task], r.item)
	}
	return out, nil
}

// events reads the events of the tasks' items, by item, oldest first.
func (s *Service) events(ctx context.Context, tasks []int64) (map[int64][]Event, error) {
	type row struct {
		item  int64
		event Event
	}
	rows, err := collect(ctx, s, `SELECT e.item_id, e.id, e.kind, e.text, e.percent, cardinality(e.photo_sha256), ST_X(e.location), ST_Y(e.location),
		e.accuracy_m::float8, e.off_site, e.by_label, e.at
		FROM task_event e JOIN task_item i ON i.id = e.item_id WHERE i.task_id = ANY($1) ORDER BY e.id`, []any{tasks}, func(r pgx.Rows) (row, error) {
		var v row
		var photos int
		err := r.Scan(&v.item, &v.event.ID, &v.event.Kind, &v.event.Text, &v.event.Percent, &photos, &v.event.Lon, &v.event.Lat,
			&v.event.AccuracyM, &v.event.OffSite, &v.event.By, &v.event.At)
		v.event.Photos = photoPaths("task-events", v.event.ID, photos)
		return v, err
	})
	if err != nil {
		return nil, err
	}
	out := map[int64][]Event{}
	for _, r := range rows {
		out[r.item] = append(out[r.item], r.event)
	}
	return out, nil
}

// targets is the task's areas, places and drawn target as a GeoJSON FeatureCollection, made by
// PostGIS (ST_AsGeoJSON) straight into the answer.
func (s *Service) targets(ctx context.Context, id int64) (json.RawMessage, error) {
	var doc []byte
	err := s.db.QueryRow(ctx, `SELECT json_build_object('type', 'FeatureCollection', 'features', COALESCE(json_agg(f ORDER BY f->>'id'), '[]'::json)) FROM (
		SELECT json_build_object('type', 'Feature', 'id', 'area-' || a.id, 'geometry', ST_AsGeoJSON(a.geom, 6)::json,
			'properties', json_build_object('target', 'area', 'area_id', a.id, 'label', a.name)) AS f
		  FROM task_area ta JOIN area_directory a ON a.id = ta.area_id WHERE ta.task_id = $1
		UNION ALL
		SELECT json_build_object('type', 'Feature', 'id', 'point-' || p.n, 'geometry', ST_AsGeoJSON(p.location, 6)::json,
			'properties', json_build_object('target', 'point', 'label', p.label))
		  FROM task_point p WHERE p.task_id = $1
		UNION ALL
		SELECT json_build_object('type', 'Feature', 'id', 'drawn', 'geometry', ST_AsGeoJSON(t.target_area, 6)::json,
			'properties', json_build_object('target', 'drawn', 'label', t.title))
		  FROM task t WHERE t.id = $1 AND t.target_area IS NOT NULL) AS q`, id).Scan(&doc)
	if err != nil {
		return nil, fmt.Errorf("task %d targets: %w", id, err)
	}
	return doc, nil
}

func photoPaths(kind string, id int64, n int) []string {
	out := make([]string, n)
	for k := range out {
		out[k] = fmt.Sprintf("/api/v1/%s/%d/photos/%d", kind, id, k+1)
	}
	return out
}

func collect[T any](ctx context.Context, s *Service, query string, args []any, scan func(pgx.Rows) (T, error)) ([]T, error) {
	rows, err := s.db.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r.(pgx.Rows)) })
	if err != nil {
		return nil, fmt.Errorf("scan: %w", err)
	}
	return out, nil
}
