package tasks

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/notify"
)

// unitRole names the holders of a post over a unit: the street chief of a subdistrict, the lane
// chief of a community.
type unitRole struct {
	unit int64
	role string
}

// holders answers the people standing in the posts at t.
func holders(ctx context.Context, tx pgx.Tx, posts []unitRole, t time.Time) ([]int64, error) {
	var out []int64
	for _, p := range posts {
		rows, err := tx.Query(ctx, `SELECT DISTINCT person_id FROM assignment_standing
			WHERE admin_unit_id = $1 AND role = $2 AND valid @> $3::timestamptz`, p.unit, p.role, t)
		if err != nil {
			return nil, fmt.Errorf("holders of %s %d: %w", p.role, p.unit, err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return nil, fmt.Errorf("holders of %s %d: %w", p.role, p.unit, err)
		}
		out = append(out, ids...)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// tell writes a notice of task id (item, or 0 for the task) to each of people, in tx; nobody is
// told of their own act, and dedupe keeps a notice from being written twice.
func (s *Service) tell(ctx context.Context, tx pgx.Tx, who access.Principal, kind string, people []int64, params map[string]any, dedupe string) error {
	subject := notify.Subject{Type: "task", ID: params["task_id"].(int64)}
	for _, p := range people {
		if p == 0 || p == who.PersonID {
			continue
		}
		key := ""
		if dedupe != "" {
			key = dedupe + ":" + fmt.Sprint(p)
		}
		if _, err := notify.Enqueue(ctx, tx, notify.Notice{PersonID: p, Kind: kind, Subject: subject, Params: params, DedupeKey: key, At: s.now()}); err != nil {
			return err
		}
	}
	return nil
}

// tellIssued tells the street chiefs of each subdistrict a task goes to.
func (s *Service) tellIssued(ctx context.Context, tx pgx.Tx, who access.Principal, id int64, subs []int64) error {
	var title, office string
	var deadline time.Time
	if err := tx.QueryRow(ctx, `SELECT title, issuing_office, deadline FROM task WHERE id = $1`, id).Scan(&title, &office, &deadline); err != nil {
		return fmt.Errorf("task %d notice: %w", id, err)
	}
	posts := make([]unitRole, len(subs))
	for i, sub := range subs {
		posts[i] = unitRole{sub, "street_chief"}
	}
	people, err := holders(ctx, tx, posts, s.now())
	if err != nil {
		return err
	}
	params := map[string]any{"task_id": id, "title": title, "office": office, "deadline": deadline.In(beijing).Format("2006-01-02")}
	return s.tell(ctx, tx, who, "task_issued", people, params, "")
}

// tellItem tells the holders of posts, and people, of item itemID; extra are further parameters as
// name, value pairs.
func (s *Service) tellItem(ctx context.Context, tx pgx.Tx, who access.Principal, kind string, itemID int64, posts []unitRole, people []int64, extra ...string) error {
	params, err := itemParams(ctx, tx, itemID)
	if err != nil {
		return err
	}
	for i := 0; i+1 < len(extra); i += 2 {
		params[extra[i]] = extra[i+1]
	}
	held, err := holders(ctx, tx, posts, s.now())
	if err != nil {
		return err
	}
	return s.tell(ctx, tx, who, kind, append(held, people...), params, "")
}

// itemParams are the words a notice of an item needs: its task's title, its text, deadline and place.
func itemParams(ctx context.Context, tx pgx.Tx, itemID int64) (map[string]any, error) {
	var taskID int64
	var title, text, place string
	var deadline time.Time
	if err := tx.QueryRow(ctx, `SELECT t.id, t.title, i.text, i.deadline, COALESCE(c.name, su.name, '')
		FROM task_item i JOIN task t ON t.id = i.task_id
		LEFT JOIN unit_directory c ON c.id = i.community_id LEFT JOIN unit_directory su ON su.id = i.subdistrict_id
		WHERE i.id = $1`, itemID).Scan(&taskID, &title, &text, &deadline, &place); err != nil {
		return nil, fmt.Errorf("task item %d notice: %w", itemID, err)
	}
	return map[string]any{"task_id": taskID, "item_id": itemID, "title": title, "text": text, "place": place,
		"deadline": deadline.In(beijing).Format("2006-01-02 15:04")}, nil
}
