package tasks

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// TargetReach is how near a task's targets (areas, places, the drawn target) a report's position
// must be not to be flagged: a street's width beyond them, for a phone's fix.
const TargetReach = 200 // metres

// BreakDown adds the items subdistrict sub's street chief splits its part of task id into, each for
// one of its communities or kept at subdistrict level, and tells each community's lane chief. An
// item due after the task, in the past, or for a community outside the subdistrict is refused and
// nothing is written.
func (s *Service) BreakDown(ctx context.Context, who access.Principal, id, sub int64, items []ItemInput) (Task, error) {
	if !reportsOn(who, sub, 0) || who.Role == access.LaneChief {
		return Task{}, apperr.New(apperr.Forbidden, "only the street chief of subdistrict %d or an administrator breaks down its part", sub)
	}
	now := s.now()
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		deadline, err := lockOpen(ctx, tx, id)
		if err != nil {
			return err
		}
		var part bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM task_part WHERE task_id = $1 AND subdistrict_id = $2)`, id, sub).Scan(&part); err != nil {
			return fmt.Errorf("part: %w", err)
		}
		if !part {
			return apperr.New(apperr.NotFound, "task %d does not go to subdistrict %d", id, sub)
		}
		var coms []int64
		for i, it := range items {
			if it.Deadline.After(deadline) {
				return invalid("items", "item %d is due %s, after the task's deadline %s", i+1,
					it.Deadline.In(beijing).Format("2006-01-02 15:04"), deadline.In(beijing).Format("2006-01-02 15:04"))
			}
			if !it.Deadline.After(now) {
				return invalid("items", "item %d is due %s, which has passed", i+1, it.Deadline.In(beijing).Format("2006-01-02 15:04"))
			}
			if it.CommunityID != 0 {
				coms = append(coms, it.CommunityID)
			}
		}
		if err := known(ctx, tx, "items", "community not in the subdistrict",
			`SELECT id FROM unit_directory WHERE id = ANY($1) AND level = 'community' AND parent_id = $2`, unique(coms), sub); err != nil {
			return err
		}
		for _, it := range items {
			var itemID int64
			if err := tx.QueryRow(ctx, `INSERT INTO task_item (task_id, subdistrict_id, community_id, text, deadline, created_by, created_at)
				VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6, $7) RETURNING id`, id, sub, it.CommunityID, it.Text, *it.Deadline, who.Label(), now).Scan(&itemID); err != nil {
				return fmt.Errorf("insert item: %w", err)
			}
			if err := audit.Record(ctx, tx, who, audit.Create, "task_item", itemID, nil,
				map[string]any{"task_id": id, "subdistrict_id": sub, "community_id": it.CommunityID, "text": it.Text, "deadline": *it.Deadline}); err != nil {
				return err
			}
			if it.CommunityID != 0 {
				if err := s.tellItem(ctx, tx, who, "task_item_assigned", itemID, []unitRole{{it.CommunityID, "lane_chief"}}, nil); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return Task{}, err
	}
	return s.Get(ctx, who, id)
}

// ReportProgress records progress on an item, or the claim that it is done (r.Done), by its
// community's lane chief or its subdistrict's street chief. A position away from the item's place
// is kept and flagged off-site. An item accepted, or claimed and waiting for the issuer, takes no
// report.
func (s *Service) ReportProgress(ctx context.Context, who access.Principal, itemID int64, r Report) (Task, error) {
	var taskID int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		h, err := s.lockItem(ctx, tx, who, itemID)
		if err != nil {
			return err
		}
		taskID = h.task
		if !reportsOn(who, h.sub, h.com) {
			return apperr.New(apperr.Forbidden, "only the lane chief of the item's community or the street chief of its subdistrict reports on item %d", itemID)
		}
		switch h.state {
		case ItemAccepted:
			return apperr.New(apperr.Conflict, "item %d is accepted: nothing more is reported on it", itemID)
		case ItemClaimed:
			return apperr.New(apperr.Conflict, "item %d is reported done and waits for the issuer to accept or return it", itemID)
		}
		offSite := false
		var lon, lat any
		if r.Position != nil {
			lon, lat = r.Position[0], r.Position[1]
			if err := tx.QueryRow(ctx, offSiteSQL, h.task, h.sub, h.com, r.Position[0], r.Position[1], TargetReach).Scan(&offSite); err != nil {
				return fmt.Errorf("position of report: %w", err)
			}
		}
		shas, err := s.storePhotos(ctx, tx, r.Photos)
		if err != nil {
			return err
		}
		kind, percent := EventProgress, r.Percent
		if r.Done {
			hundred := 100
			kind, percent = EventClaim, &hundred
		}
		var eventID int64
		if err := tx.QueryRow(ctx, `INSERT INTO task_event (item_id, kind, text, percent, photo_sha256, location, accuracy_m, off_site, by_label, at)
			VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint($6, $7), 4326) END, $8, $9, $10, $11) RETURNING id`,
			itemID, kind, r.Text, percent, shas, lon, lat, r.AccuracyM, offSite, who.Label(), s.now()).Scan(&eventID); err != nil {
			return fmt.Errorf("insert report: %w", err)
		}
		if err := audit.Record(ctx, tx, who, audit.Create, "task_event", eventID, nil, map[string]any{"item_id": itemID, "kind": kind,
			"text": r.Text, "percent": percent, "photos": len(r.Photos), "position": r.Position != nil, "off_site": offSite}); err != nil {
			return err
		}
		if kind == EventClaim && h.issuer != 0 {
			return s.tellItem(ctx, tx, who, "task_item_claimed", itemID, nil, []int64{h.issuer})
		}
		return nil
	})
	if err != nil {
		return Task{}, err
	}
	return s.Get(ctx, who, taskID)
}

// offSiteSQL says whether a position ($4, $5) lies outside the item's community ($3, or its
// subdistrict $2 when kept there) or, for a task with targets, farther than $6 metres from all.
const offSiteSQL = `WITH p AS (SELECT ST_SetSRID(ST_MakePoint($4, $5), 4326) AS g),
	place AS (SELECT boundary FROM unit_directory WHERE id = CASE WHEN $3::bigint = 0 THEN $2::bigint ELSE $3::bigint END),
	targets AS (
		SELECT a.geom AS g FROM task_area ta JOIN area_directory a ON a.id = ta.area_id WHERE ta.task_id = $1
		UNION ALL SELECT location FROM task_point WHERE task_id = $1
		UNION ALL SELECT target_area FROM task WHERE id = $1 AND target_area IS NOT NULL)
	SELECT NOT EXISTS (SELECT 1 FROM place, p WHERE ST_Intersects(place.boundary, p.g))
		OR (EXISTS (SELECT 1 FROM targets) AND NOT EXISTS (SELECT 1 FROM targets, p WHERE ST_DWithin(targets.g::geography, p.g::geography, $6)))`

// Accept accepts an item reported done; it is final.
func (s *Service) Accept(ctx context.Context, who access.Principal, itemID int64, note string) (Task, error) {
	if err := checkText("note", note, MaxReasonChars); err != nil {
		return Task{}, err
	}
	return s.decide(ctx, who, itemID, EventAccept, note)
}

// Return sends an item reported done back to its subdistrict with a reason; it is in progress again
// and counts as returned.
func (s *Service) Return(ctx context.Context, who access.Principal, itemID int64, reason string) (Task, error) {
	reason, err := CheckReason(reason)
	if err != nil {
		return Task{}, err
	}
	return s.decide(ctx, who, itemID, EventReturn, reason)
}

func (s *Service) decide(ctx context.Context, who access.Principal, itemID int64, kind, text string) (Task, error) {
	if !mayIssue(who) {
		return Task{}, apperr.New(apperr.Forbidden, "only a district leader or an administrator accepts or returns an item")
	}
	var taskID int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		h, err := s.lockItem(ctx, tx, who, itemID)
		if err != nil {
			return err
		}
		taskID = h.task
		if h.state != ItemClaimed {
			return apperr.New(apperr.Conflict, "item %d is %s, not reported done: only a claimed item is accepted or returned", itemID, h.state)
		}
		var eventID int64
		if err := tx.QueryRow(ctx, `INSERT INTO task_event (item_id, kind, text, by_label, at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			itemID, kind, text, who.Label(), s.now()).Scan(&eventID); err != nil {
			return fmt.Errorf("insert decision: %w", err)
		}
		if err := audit.Record(ctx, tx, who, audit.Transition, "task_item", itemID, map[string]any{"state": h.state},
			map[string]any{"decision": kind, "text": text, "event_id": eventID}); err != nil {
			return err
		}
		if kind == EventReturn {
			to := []unitRole{{h.sub, "street_chief"}}
			if h.com != 0 {
				to = append(to, unitRole{h.com, "lane_chief"})
			}
			return s.tellItem(ctx, tx, who, "task_item_returned", itemID, to, nil, "reason", text)
		}
		return nil
	})
	if err != nil {
		return Task{}, err
	}
	return s.Get(ctx, who, taskID)
}

type itemHead struct {
	id, task, sub, com int64
	deadline           time.Time
	state              ItemState
	issuer             int64
}

// lockItem locks item id and its task; an item who may not see is not found, one of a cancelled
// task is a conflict.
func (s *Service) lockItem(ctx context.Context, tx pgx.Tx, who access.Principal, id int64) (itemHead, error) {
	var h itemHead
	var last string
	var cancelled bool
	err := tx.QueryRow(ctx, `SELECT i.id, i.task_id, i.subdistrict_id, COALESCE(i.community_id, 0), i.deadline,
		COALESCE((SELECT e.kind FROM task_event e WHERE e.item_id = i.id ORDER BY e.id DESC LIMIT 1), ''),
		COALESCE(t.issuer_person_id, 0), `+cancelledSQL+`
		FROM task_item i JOIN task t ON t.id = i.task_id WHERE i.id = $1 FOR UPDATE OF i, t`, id).
		Scan(&h.id, &h.task, &h.sub, &h.com, &h.deadline, &last, &h.issuer, &cancelled)
	if err == pgx.ErrNoRows || err == nil && !seesItem(who, h.sub, h.com) {
		return h, apperr.New(apperr.NotFound, "task item %d not found", id)
	}
	if err != nil {
		return h, fmt.Errorf("lock item %d: %w", id, err)
	}
	if cancelled {
		return h, apperr.New(apperr.Conflict, "task %d is cancelled", h.task)
	}
	h.state = itemState(last)
	return h, nil
}

// itemState reads an item's state from the kind of its newest event.
func itemState(last string) ItemState {
	switch last {
	case EventProgress:
		return ItemInProgress
	case EventClaim:
		return ItemClaimed
	case EventAccept:
		return ItemAccepted
	case EventReturn:
		return ItemReturned
	}
	return ItemOpen
}
