// Package audit records every mutation in audit_log, inside the transaction that makes it, so a change
// and its record commit or vanish together. It owns the audit_log table.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/database"
)

// Action is what was done to the target.
type Action string

const (
	Create     Action = "create"
	Update     Action = "update"
	Delete     Action = "delete"
	End        Action = "end"
	Transition Action = "transition"
	Import     Action = "import"
	Void       Action = "void" // declared entered by mistake; the row stays, marked (migration 0007)
	// SignInFailed is a refused sign-in: who is anonymous, the target the account if it exists.
	SignInFailed Action = "sign_in_failed"
)

// Actions lists every Action; audit_log's CHECK allows exactly these (a test holds them together).
var Actions = []Action{Create, Update, Delete, End, Transition, Import, Void, SignInFailed}

// Record writes one audit row with tx, the transaction that made the change. before and after are
// marshalled to JSON; nil stays NULL.
func Record(ctx context.Context, tx database.Querier, who access.Principal, action Action, targetType string, targetID int64, before, after any) error {
	b, err := marshalOrNil(before)
	if err != nil {
		return err
	}
	a, err := marshalOrNil(after)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO audit_log (actor, user_id, token_id, request_id, action, target_type, target_id, before, after)
		VALUES ($1, NULLIF($2, 0), NULLIF($3, 0), $4, $5, $6, NULLIF($7, 0), $8, $9)`,
		who.Label(), who.UserID, who.TokenID, who.RequestID, string(action), targetType, targetID, b, a)
	if err != nil {
		return fmt.Errorf("audit %s %s %d: %w", action, targetType, targetID, err)
	}
	return nil
}

func marshalOrNil(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return b, nil
}

// Entry is one audit row.
type Entry struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	Actor      string          `json:"actor"`
	UserID     *int64          `json:"user_id"`
	TokenID    *int64          `json:"token_id"`
	RequestID  string          `json:"request_id"`
	Action     string          `json:"action"`
	TargetType string          `json:"target_type"`
	TargetID   *int64          `json:"target_id"`
	Before     json.RawMessage `json:"before"`
	After      json.RawMessage `json:"after"`
}

// Filter selects audit rows; zero fields match everything. Rows come newest first.
type Filter struct {
	TargetType string
	TargetID   int64
	Before     int64 // keyset: only rows with id < Before
	Limit      int
}

// List returns audit rows matching f.
func List(ctx context.Context, db database.Querier, f Filter) ([]Entry, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	rows, err := db.Query(ctx, `SELECT id, at, actor, user_id, token_id, request_id, action, target_type, target_id, before, after
		FROM audit_log
		WHERE ($1 = '' OR target_type = $1) AND ($2 = 0 OR target_id = $2) AND ($3 = 0 OR id < $3)
		ORDER BY id DESC LIMIT $4`, f.TargetType, f.TargetID, f.Before, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("list audit: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.UserID, &e.TokenID, &e.RequestID, &e.Action,
			&e.TargetType, &e.TargetID, &e.Before, &e.After); err != nil {
			return nil, fmt.Errorf("list audit: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
