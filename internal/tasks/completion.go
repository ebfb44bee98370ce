package tasks

import (
	"context"
	"fmt"
	"time"
)

// Completion is how a subdistrict did on the items that fell due in a period, for the assessment's
// task-completion item. A part not broken down counts as one item due at its task's deadline, so a
// subdistrict cannot improve its figure by leaving a task untouched; cancelled tasks count not at all.
type Completion struct {
	Items          int `json:"items"`            // due in [from, to)
	Accepted       int `json:"accepted"`         // of those, accepted (as of now)
	AcceptedOnTime int `json:"accepted_on_time"` // accepted on or before their deadline
	Overdue        int `json:"overdue"`          // past their deadline now and not accepted
}

// Completion counts subdistrict sub's items due in [from, to).
func (s *Service) Completion(ctx context.Context, sub int64, from, to time.Time) (Completion, error) {
	var c Completion
	err := s.db.QueryRow(ctx, `WITH due AS (
			SELECT i.deadline, (SELECT e.at FROM task_event e WHERE e.item_id = i.id AND e.kind = 'accept' ORDER BY e.id LIMIT 1) AS accepted_at
			  FROM task_item i JOIN task t ON t.id = i.task_id
			 WHERE i.subdistrict_id = $1 AND i.deadline >= $2 AND i.deadline < $3 AND NOT `+cancelledSQL+`
			UNION ALL
			SELECT `+deadlineSQL+`, NULL FROM task_part p JOIN task t ON t.id = p.task_id
			 WHERE p.subdistrict_id = $1 AND NOT `+cancelledSQL+`
			   AND NOT EXISTS (SELECT 1 FROM task_item i WHERE i.task_id = p.task_id AND i.subdistrict_id = p.subdistrict_id)
			   AND `+deadlineSQL+` >= $2 AND `+deadlineSQL+` < $3)
		SELECT count(*), count(accepted_at), count(*) FILTER (WHERE accepted_at <= deadline),
		       count(*) FILTER (WHERE accepted_at IS NULL AND deadline < $4) FROM due`, sub, from, to, s.now()).
		Scan(&c.Items, &c.Accepted, &c.AcceptedOnTime, &c.Overdue)
	if err != nil {
		return c, fmt.Errorf("task completion of subdistrict %d: %w", sub, err)
	}
	return c, nil
}
