package incidents

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// RerouteTarget names what changed in the registry: an area (its geometry or who manages it), an
// admin unit (its boundary or its chief), or deleted areas.
type RerouteTarget struct {
	AreaID      int64
	LastAreaID  int64 // with AreaID, the areas AreaID..LastAreaID (a bulk import's new rows)
	AdminUnitID int64
	// OrphanedByDeletes picks the open incidents held at the area manager's level whose area is gone
	// (deleting an area sets their area_id to NULL; nothing else leaves that level without an area).
	OrphanedByDeletes bool
	Why               RerouteCause // for the events; without it the reason text is kept as their note
}

var rerouter = access.System("rerouter")

// Reroute routes the open incidents inside the target again, as the registry stands now, and records a
// "rerouted" event with the reason on each one whose area, community, subdistrict or assignee changed.
// Escalated incidents stay with the street chief's level; incidents that nobody held go to whoever
// holds a post now. Running it twice changes nothing the second time, so every replica may run it.
func (s *Service) Reroute(ctx context.Context, t RerouteTarget, reason string) (int, error) {
	var where string
	var id int64
	args := []any{}
	switch {
	case t.AreaID != 0 && t.LastAreaID > t.AreaID:
		where, id = `EXISTS (SELECT 1 FROM area_directory a WHERE a.id BETWEEN $1 AND $2 AND a.geom && i.location AND ST_Covers(a.geom, i.location))`, t.AreaID
		args = append(args, t.LastAreaID)
	case t.AreaID != 0:
		where, id = `(i.area_id = $1 OR EXISTS (SELECT 1 FROM area_directory a WHERE a.id = $1 AND a.geom && i.location AND ST_Covers(a.geom, i.location)))`, t.AreaID
	case t.AdminUnitID != 0:
		where, id = `(i.community_id = $1 OR i.subdistrict_id = $1 OR EXISTS (SELECT 1 FROM unit_directory u WHERE u.id = $1
			AND u.boundary && i.location AND ST_Covers(u.boundary, i.location)))`, t.AdminUnitID
	case t.OrphanedByDeletes:
		where = `$1::bigint = 0 AND i.area_id IS NULL AND i.escalation_level = ` + strconv.Itoa(LevelAreaManager)
	default:
		return 0, errors.New("reroute: no target")
	}
	now := s.now()
	changed := 0
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT i.id, i.category, i.status, ST_X(i.location), ST_Y(i.location), COALESCE(i.area_id, 0),
				COALESCE(i.community_id, 0), COALESCE(i.subdistrict_id, 0), COALESCE(i.assignee_person_id, 0), i.queue,
				i.escalation_level
			FROM incident i WHERE i.status IN `+openStatusesSQL+` AND `+where+` ORDER BY i.id FOR UPDATE`, append([]any{id}, args...)...)
		if err != nil {
			return err
		}
		var list []Incident
		var in Incident
		if _, err := pgx.ForEachRow(rows, []any{&in.ID, &in.Category, &in.Status, &in.Lon, &in.Lat, &in.AreaID, &in.CommunityID,
			&in.SubdistrictID, &in.AssigneePersonID, &in.Queue, &in.EscalationLevel}, func() error {
			list = append(list, in)
			return nil
		}); err != nil {
			return err
		}
		for _, cur := range list {
			ok, err := s.rerouteOne(ctx, tx, cur, t.Why, reason, now)
			if err != nil {
				return fmt.Errorf("reroute incident %d: %w", cur.ID, err)
			}
			if ok {
				changed++
			}
		}
		return nil
	})
	return changed, err
}

func (s *Service) rerouteOne(ctx context.Context, tx pgx.Tx, cur Incident, why RerouteCause, reason string, now time.Time) (bool, error) {
	ans, err := s.matcher.Lookup(ctx, orb.Point{cur.Lon, cur.Lat}, now)
	if err != nil {
		return false, err
	}
	minLevel := cur.EscalationLevel
	if cur.Queue != QueueAssignee {
		minLevel = LevelAreaManager // nobody held it: whoever holds a post now takes it
	}
	if cur.Status == Escalated || cur.Status == JointEnforcement {
		minLevel = LevelStreetChief
	}
	rt := routeAnswer(ans, minLevel)
	next := cur
	next.AreaID, next.CommunityID, next.SubdistrictID = refID(rt.area), refID(rt.community), refID(rt.subdistrict)
	setRouting(&next, rt)
	if next.AreaID == cur.AreaID && next.CommunityID == cur.CommunityID && next.SubdistrictID == cur.SubdistrictID &&
		next.AssigneePersonID == cur.AssigneePersonID && next.Queue == cur.Queue {
		return false, nil
	}
	var due *time.Time // nil keeps the current due time
	if cur.Status == Reported && rt.assignee != nil {
		next.Status = Assigned
		cat, err := category(ctx, tx, cur.Category)
		if err != nil {
			return false, err
		}
		due = cat.Due(Assigned, now)
	}
	if _, err := tx.Exec(ctx, `UPDATE incident SET area_id = NULLIF($2, 0), community_id = NULLIF($3, 0), subdistrict_id = NULLIF($4, 0),
			assignee_person_id = NULLIF($5, 0), queue = $6, escalation_level = $7, outside_jurisdiction = $8, status = $9,
			due_at = COALESCE($10, due_at), updated_at = $11 WHERE id = $1`,
		cur.ID, next.AreaID, next.CommunityID, next.SubdistrictID, next.AssigneePersonID, next.Queue, next.EscalationLevel,
		rt.outside, next.Status, due, now); err != nil {
		return false, err
	}
	e := event{incident: cur.ID, at: now, kind: "rerouted", from: cur.Status, to: next.Status,
		assignee: next.AssigneePersonID, params: routingParams(rt)}
	if why.Kind != "" {
		e.params = merge(rerouter, e.params, why.params())
	} else {
		e.note = reason
	}
	_, err = addEvent(ctx, tx, rerouter, e)
	return err == nil, err
}

// RerouteOnChange applies one registry_changed payload ("<table>:<op>:<id>", migration 0003).
func (s *Service) RerouteOnChange(ctx context.Context, payload string) (int, error) {
	ch, ok := registry.ParseChange(payload)
	if !ok {
		return 0, nil
	}
	id := ch.First
	switch ch.Table {
	case "area":
		if ch.Bulk() {
			return s.Reroute(ctx, RerouteTarget{AreaID: ch.First, LastAreaID: ch.Last, Why: RerouteCause{"areas_imported", ch.First, ch.Last}}, fmt.Sprintf("areas %d–%d were imported", ch.First, ch.Last))
		}
		if ch.Op == "delete" {
			return s.Reroute(ctx, RerouteTarget{OrphanedByDeletes: true, Why: RerouteCause{Kind: "area_deleted", ID: id}}, fmt.Sprintf("area %d was deleted", id))
		}
		return s.Reroute(ctx, RerouteTarget{AreaID: id, Why: RerouteCause{Kind: "area_changed", ID: id}}, fmt.Sprintf("area %d changed", id))
	case "admin_unit":
		return s.Reroute(ctx, RerouteTarget{AdminUnitID: id, Why: RerouteCause{Kind: "unit_changed", ID: id}}, fmt.Sprintf("admin unit %d changed", id))
	case "assignment":
		t := RerouteTarget{Why: RerouteCause{Kind: "assignment_changed", ID: id}}
		err := s.db.QueryRow(ctx, `SELECT COALESCE(area_id, 0), COALESCE(admin_unit_id, 0) FROM assignment_target WHERE id = $1`, id).
			Scan(&t.AreaID, &t.AdminUnitID)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, nil
		}
		if err != nil {
			return 0, translate(err, "assignment")
		}
		return s.Reroute(ctx, t, fmt.Sprintf("the responsible person changed (assignment %d)", id))
	}
	return 0, nil
}

// RunRerouter re-routes after every update of the lookup engine, until ctx ends. updates comes from
// the engine's Follow, so each change arrives only after the engine has swapped in a snapshot that
// includes it, and the re-routing asks the engine (the service's matcher) what the registry says
// now. After a gap the engine names what its reload found different, which catches up with changes
// made while notifications were lost; changes committed while no server ran wait for the next
// change of the same area or unit.
func (s *Service) RunRerouter(ctx context.Context, updates *lookup.Updates, logger *slog.Logger) {
	if logger == nil {
		logger = slog.Default()
	}
	for {
		up, err := updates.Next(ctx)
		if err != nil {
			return
		}
		if up.Missed {
			logger.Warn("rerouting fell behind the registry; some open incidents may keep their old routing until their area changes again")
		}
		for _, payload := range up.Changes {
			changed, err := s.RerouteOnChange(ctx, payload)
			if err != nil {
				logger.Warn("rerouting incidents", "change", payload, "err", err)
			} else if changed > 0 {
				logger.Info("rerouted incidents", "change", payload, "count", changed)
			}
		}
	}
}
