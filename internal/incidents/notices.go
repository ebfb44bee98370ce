package incidents

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/notify"
)

// tell writes the notices an event causes, in the event's own transaction, so a case never moves
// without the person it moves to hearing of it: whoever a case is routed, dispatched or handed to
// (by the overdue job too) hears it is theirs (an escalation that it reached them as street chief);
// the holder of an overdue case hears it is overdue; the holder of a checked case hears the result —
// closed, or back with them. Nobody is told of their own act.
func tell(ctx context.Context, tx pgx.Tx, who access.Principal, e event) error {
	kind, to := "", e.assignee
	switch {
	case e.kind == "overdue":
		kind = "case_overdue"
	case e.kind == "verification":
		kind = "verification_result"
		if err := tx.QueryRow(ctx, `SELECT COALESCE(assignee_person_id, 0) FROM incident WHERE id = $1`, e.incident).Scan(&to); err != nil {
			return fmt.Errorf("incident %d notice: %w", e.incident, err)
		}
	case e.to == Escalated:
		kind = "case_escalated"
	case e.kind == "reported" || e.kind == "rerouted" || e.kind == "escalated" || e.kind == "transition" && e.to == Assigned:
		// Other moves leave the case with whoever has it: they need no telling.
		kind = "case_assigned"
	}
	if e.kind == "reported" || e.kind == "rerouted" {
		if err := tellCompoundManager(ctx, tx, who, e.incident, to, e.at); err != nil {
			return err
		}
	}
	if kind == "" || to == 0 || to == who.PersonID {
		return nil
	}
	params, err := noticeParams(ctx, tx, e.incident)
	if err != nil {
		return err
	}
	if kind == "verification_result" {
		params["result"], params["result_en"] = "通过，已结案", "confirmed, the case is closed"
		if fmt.Sprint(e.params["outcome"]) == Failed {
			params["result"], params["result_en"] = "未通过，已退回重办", "failed, the case is back with you"
		}
	}
	_, err = notify.Enqueue(ctx, tx, notify.Notice{PersonID: to, Kind: kind,
		Subject: notify.Subject{Type: "incident", ID: e.incident}, Params: params})
	return err
}

// noticeParams are the words a notice of a case needs: its number, category in both languages and
// the most precise place it has (area, community, subdistrict).
func noticeParams(ctx context.Context, tx pgx.Tx, id int64) (map[string]any, error) {
	var zh, en, place string
	if err := tx.QueryRow(ctx, `SELECT c.name_zh, c.name_en, COALESCE(a.name, cu.name, su.name, '')
		FROM incident i JOIN incident_category c ON c.code = i.category
		LEFT JOIN area_directory a ON a.id = i.area_id
		LEFT JOIN unit_directory cu ON cu.id = i.community_id
		LEFT JOIN unit_directory su ON su.id = i.subdistrict_id
		WHERE i.id = $1`, id).Scan(&zh, &en, &place); err != nil {
		return nil, fmt.Errorf("incident %d notice: %w", id, err)
	}
	return map[string]any{"id": id, "category": zh, "category_en": en, "place": place}, nil
}
