package incidents_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
)

// A hand-off goes to the street chief at once, inside the caller's transaction: rolled back with it,
// it leaves no incident behind.
func TestHandToStreetChiefCommitsWithTheCallersTransaction(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	pool := dbtest.Pool(t)
	h := incidents.HandOff{Category: "street_occupying", Point: w.inA(), Description: "某商店屡教不改"}
	count := func() int {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM incident WHERE description = $1`, h.Description).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	errLater := errors.New("a later step failed")
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := w.svc.HandToStreetChief(ctx, tx, w.asLane, h); err != nil {
			return err
		}
		return errLater
	})
	if !errors.Is(err, errLater) || count() != 0 {
		t.Fatalf("rolled back hand-off: err %v, %d incidents left", err, count())
	}
	var rc incidents.Receipt
	if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) (err error) {
		rc, err = w.svc.HandToStreetChief(ctx, tx, w.asLane, h)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got := w.get(rc.ID)
	if got.Status != incidents.Escalated || got.AssigneePersonID != w.street.ID || got.EscalationLevel != incidents.LevelStreetChief {
		t.Fatalf("hand-off went to %s / person %d / level %d, want escalated to the street chief %d", got.Status, got.AssigneePersonID, got.EscalationLevel, w.street.ID)
	}
	if len(got.Events) != 1 || got.Events[0].Kind != "reported" {
		t.Fatalf("events %+v", got.Events)
	}

	note := func() bool {
		var open bool
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) (err error) {
			open, err = w.svc.NoteIfOpen(ctx, tx, w.asLane, rc.ID, "又一次违规")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return open
	}
	if !note() || len(w.get(rc.ID).Events) != 2 {
		t.Fatal("a note on an open case was not added")
	}
	if _, err := w.svc.Transition(ctx, w.asStreet, rc.ID, incidents.TransitionInput{To: incidents.Rejected, Note: "无需处理"}); err != nil {
		t.Fatal(err)
	}
	n := len(w.get(rc.ID).Events)
	if note() || len(w.get(rc.ID).Events) != n {
		t.Fatal("a note was added to a closed case")
	}
	if _, err := w.svc.HandToStreetChief(ctx, nil, w.asLane, incidents.HandOff{Category: "street_occupying", Point: w.inA()}); err == nil {
		t.Fatal("a hand-off without a description was taken")
	}
}
