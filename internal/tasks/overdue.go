package tasks

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/audit"
)

// OverdueItem is an item past its deadline and not accepted, or (ItemID 0) a subdistrict's part
// not broken down by the task's deadline.
type OverdueItem struct {
	TaskID          int64     `json:"task_id"`
	Title           string    `json:"title"`
	SubdistrictID   int64     `json:"subdistrict_id"`
	SubdistrictName string    `json:"subdistrict_name"`
	ItemID          int64     `json:"item_id"`
	CommunityID     int64     `json:"community_id,omitempty"`
	CommunityName   string    `json:"community_name,omitempty"`
	Text            string    `json:"text"`
	Deadline        time.Time `json:"deadline"`
	State           string    `json:"state"`
	// Escalated lists the steps already told: street_chief, then issuer.
	Escalated []string `json:"escalated"`
}

// overdueSQL lists what is overdue at $1, of tasks not cancelled.
const overdueSQL = `SELECT t.id, t.title, i.subdistrict_id, su.name, i.id, COALESCE(i.community_id, 0), COALESCE(c.name, ''), i.text, i.deadline,
		COALESCE((SELECT e.kind FROM task_event e WHERE e.item_id = i.id ORDER BY e.id DESC LIMIT 1), ''),
		COALESCE(t.issuer_person_id, 0)
	FROM task_item i JOIN task t ON t.id = i.task_id JOIN unit_directory su ON su.id = i.subdistrict_id
	LEFT JOIN unit_directory c ON c.id = i.community_id
	WHERE i.deadline < $1 AND NOT ` + cancelledSQL + `
	  AND NOT EXISTS (SELECT 1 FROM task_event e WHERE e.item_id = i.id AND e.kind = 'accept')
	UNION ALL
	SELECT t.id, t.title, p.subdistrict_id, su.name, 0, 0, '', t.title, ` + deadlineSQL + `, 'not_broken_down', COALESCE(t.issuer_person_id, 0)
	FROM task_part p JOIN task t ON t.id = p.task_id JOIN unit_directory su ON su.id = p.subdistrict_id
	WHERE ` + deadlineSQL + ` < $1 AND NOT ` + cancelledSQL + `
	  AND NOT EXISTS (SELECT 1 FROM task_item i WHERE i.task_id = p.task_id AND i.subdistrict_id = p.subdistrict_id)`

type overdueRow struct {
	OverdueItem
	issuer int64
}

func scanOverdue(r pgx.Rows) (overdueRow, error) {
	var o overdueRow
	var last string
	err := r.Scan(&o.TaskID, &o.Title, &o.SubdistrictID, &o.SubdistrictName, &o.ItemID, &o.CommunityID, &o.CommunityName, &o.Text, &o.Deadline, &last, &o.issuer)
	o.State = last
	if o.ItemID != 0 {
		o.State = string(itemState(last))
	}
	return o, err
}

// Overdue lists what is overdue now that who may see (in subdistrict sub, unless 0), the longest
// overdue first.
func (s *Service) Overdue(ctx context.Context, who access.Principal, sub int64) ([]OverdueItem, error) {
	rows, err := collect(ctx, s, `SELECT * FROM (`+overdueSQL+`) AS o ORDER BY 9, 1, 5`, []any{s.now()}, scanOverdue)
	if err != nil {
		return nil, err
	}
	steps, err := collect(ctx, s, `SELECT task_id, subdistrict_id, item_id, step FROM task_escalation ORDER BY at`, nil,
		func(r pgx.Rows) (escalationKey, error) {
			var k escalationKey
			return k, r.Scan(&k.task, &k.sub, &k.item, &k.step)
		})
	if err != nil {
		return nil, err
	}
	out := []OverdueItem{}
	for _, o := range rows {
		if !s.seesOverdue(who, o.OverdueItem) || sub != 0 && o.SubdistrictID != sub {
			continue
		}
		o.Escalated = []string{}
		for _, k := range steps {
			if k.task == o.TaskID && k.sub == o.SubdistrictID && k.item == o.ItemID {
				o.Escalated = append(o.Escalated, k.step)
			}
		}
		out = append(out, o.OverdueItem)
	}
	return out, nil
}

type escalationKey struct {
	task, sub, item int64
	step            string
}

func (s *Service) seesOverdue(who access.Principal, o OverdueItem) bool {
	if o.ItemID == 0 {
		return seesPart(who, o.SubdistrictID) && who.Role != access.LaneChief
	}
	return seesItem(who, o.SubdistrictID, o.CommunityID)
}

// Escalate tells of what is overdue, once each: the street chief of its subdistrict as soon as it
// is overdue, and the issuer if it is still overdue IssuerAfter later. The step's row and its
// notices share one transaction, so replicas running it together tell each person once. It answers
// how many steps it took.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	now := s.now()
	rows, err := collect(ctx, s, overdueSQL, []any{now}, scanOverdue)
	if err != nil {
		return 0, err
	}
	system := access.System("task-escalation")
	n := 0
	for _, o := range rows {
		for _, step := range []string{"street_chief", "issuer"} {
			if step == "issuer" && now.Sub(o.Deadline) < IssuerAfter {
				continue
			}
			took, err := s.escalate(ctx, system, o, step)
			if err != nil {
				return n, err
			}
			if took {
				n++
			}
		}
	}
	return n, nil
}

func (s *Service) escalate(ctx context.Context, who access.Principal, o overdueRow, step string) (bool, error) {
	took := false
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var ok bool
		err := tx.QueryRow(ctx, `INSERT INTO task_escalation (task_id, subdistrict_id, item_id, step, at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT DO NOTHING RETURNING TRUE`, o.TaskID, o.SubdistrictID, o.ItemID, step, s.now()).Scan(&ok)
		if err == pgx.ErrNoRows {
			return nil
		}
		if err != nil {
			return fmt.Errorf("escalation: %w", err)
		}
		took = true
		target, id := "task_item", o.ItemID
		if id == 0 {
			target, id = "task", o.TaskID
		}
		if err := audit.Record(ctx, tx, who, audit.Transition, target, id, nil,
			map[string]any{"escalated_to": step, "task_id": o.TaskID, "subdistrict_id": o.SubdistrictID, "deadline": o.Deadline}); err != nil {
			return err
		}
		place := o.SubdistrictName
		if o.CommunityName != "" {
			place = o.CommunityName
		}
		params := map[string]any{"task_id": o.TaskID, "item_id": o.ItemID, "title": o.Title, "text": o.Text, "place": place,
			"subdistrict": o.SubdistrictName, "deadline": o.Deadline.In(beijing).Format("2006-01-02 15:04")}
		if step == "issuer" {
			return s.tell(ctx, tx, who, "task_overdue_escalated", []int64{o.issuer}, params, "")
		}
		people, err := holders(ctx, tx, []unitRole{{o.SubdistrictID, "street_chief"}}, s.now())
		if err != nil {
			return err
		}
		return s.tell(ctx, tx, who, "task_overdue", people, params, "")
	})
	return took, err
}

// Run escalates what is overdue every interval until ctx ends; a failed round is logged and tried
// again at the next.
func (s *Service) Run(ctx context.Context, interval time.Duration, logger *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if n, err := s.Escalate(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			logger.Error("task escalation", "err", err)
		} else if n > 0 {
			logger.Info("task escalation", "steps", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
