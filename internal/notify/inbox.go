package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Item is a notification as its recipient sees it in the inbox, with its words in their language.
type Item struct {
	ID        int64          `json:"id"`
	Kind      string         `json:"kind"`
	Subject   Subject        `json:"subject"`
	Params    map[string]any `json:"params"`
	Title     string         `json:"title"`
	CreatedAt time.Time      `json:"created_at"`
	ReadAt    *time.Time     `json:"read_at"`
}

// Inbox is one page of a person's notifications, newest first, and how many they have not read.
type Inbox struct {
	Items  []Item `json:"items"`
	Unread int64  `json:"unread"`
	Next   int64  `json:"next,omitempty"` // the id to pass as before for the next page
}

// MaxPage bounds one page of an inbox.
const MaxPage = 200

// Inbox answers the caller's own inbox: a person's notifications are theirs alone — no role reads
// another's (leaders see whether a case's notice was read through the case, not the inbox). before
// pages back (an id; 0 for the newest); unreadOnly leaves out what was read.
func (s *Store) Inbox(ctx context.Context, who access.Principal, before int64, limit int, unreadOnly bool, lang string) (Inbox, error) {
	var out Inbox
	if who.PersonID == 0 {
		return out, apperr.New(apperr.Forbidden, "this account is not linked to a person, so it has no inbox")
	}
	if limit <= 0 || limit > MaxPage {
		limit = 50
	}
	if before < 0 {
		return out, apperr.New(apperr.Invalid, "before must be a notification id").With("field", "before")
	}
	rows, err := s.db.Query(ctx, `SELECT id, kind, subject_type, COALESCE(subject_id, 0), params, created_at, read_at
		FROM notification WHERE person_id = $1 AND ($2 = 0 OR id < $2) AND (NOT $3 OR read_at IS NULL)
		ORDER BY id DESC LIMIT $4`, who.PersonID, before, unreadOnly, limit+1)
	if err != nil {
		return out, fmt.Errorf("inbox: %w", err)
	}
	out.Items, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Item, error) {
		var it Item
		var raw []byte
		err := r.Scan(&it.ID, &it.Kind, &it.Subject.Type, &it.Subject.ID, &raw, &it.CreatedAt, &it.ReadAt)
		if err == nil {
			err = json.Unmarshal(raw, &it.Params)
		}
		it.Title = Title(lang, it.Kind, it.Params)
		return it, err
	})
	if err != nil {
		return out, fmt.Errorf("inbox: %w", err)
	}
	if len(out.Items) > limit {
		out.Items = out.Items[:limit]
		out.Next = out.Items[limit-1].ID
	}
	if err := s.db.QueryRow(ctx, `SELECT count(*) FROM notification WHERE person_id = $1 AND read_at IS NULL`,
		who.PersonID).Scan(&out.Unread); err != nil {
		return out, fmt.Errorf("unread: %w", err)
	}
	return out, nil
}

// MarkRead records that the caller opened their notification id: the first opening's time is kept
// (已读 is a fact), a second opening changes nothing. Another person's notification is not found.
func (s *Store) MarkRead(ctx context.Context, who access.Principal, id int64) (Item, error) {
	var it Item
	var raw []byte
	err := s.db.QueryRow(ctx, `UPDATE notification SET read_at = COALESCE(read_at, greatest(now(), created_at))
		WHERE id = $1 AND person_id = $2
		RETURNING id, kind, subject_type, COALESCE(subject_id, 0), params, created_at, read_at`, id, who.PersonID).
		Scan(&it.ID, &it.Kind, &it.Subject.Type, &it.Subject.ID, &raw, &it.CreatedAt, &it.ReadAt)
	if err == pgx.ErrNoRows || who.PersonID == 0 {
		return it, apperr.New(apperr.NotFound, "notification %d not found", id)
	}
	if err != nil {
		return it, fmt.Errorf("mark read: %w", err)
	}
	return it, json.Unmarshal(raw, &it.Params)
}
