package merchants

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/fieldproof"
)

// reasonOrder is the order reasons are listed in, as fieldproof's Judge lists them.
var reasonOrder = []string{fieldproof.OffSite, fieldproof.PoorAccuracy, fieldproof.Teleport, fieldproof.RepeatedPosition}

// neighbours reads the same person's standing check-ins just before and just after at, by their own
// times, not by when they arrived: a phone that was offline sends its queue late, perhaps after
// check-ins made later, and a check-in is judged beside the ones made around it. The caller holds
// lockPerson, so two of one person's check-ins stored at once still see each other.
func neighbours(ctx context.Context, tx pgx.Tx, who access.Principal, at time.Time) (prev, next *fieldproof.CheckIn, err error) {
	col, id := "inspector_person_id", who.PersonID
	if id == 0 {
		col, id = "user_id", who.UserID // an account without a person: its own check-ins
	}
	if id == 0 {
		return nil, nil, nil
	}
	rows, err := tx.Query(ctx, fmt.Sprintf(`(SELECT false, merchant_id, ST_X(position), ST_Y(position), accuracy_m::float8, at
			FROM merchant_inspection WHERE %[1]s = $1 AND voided_at IS NULL AND at <= $2 ORDER BY at DESC, id DESC LIMIT 1)
		UNION ALL
		(SELECT true, merchant_id, ST_X(position), ST_Y(position), accuracy_m::float8, at
			FROM merchant_inspection WHERE %[1]s = $1 AND voided_at IS NULL AND at > $2 ORDER BY at, id LIMIT 1)`, col), id, at)
	if err != nil {
		return nil, nil, fmt.Errorf("previous check-in: %w", err)
	}
	var after bool
	var c fieldproof.CheckIn
	_, err = pgx.ForEachRow(rows, []any{&after, &c.PlaceID, &c.Fix.Lon, &c.Fix.Lat, &c.Fix.AccuracyM, &c.Fix.At}, func() error {
		found := c
		if after {
			next = &found
		} else {
			prev = &found
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("previous check-in: %w", err)
	}
	return prev, next, nil
}

// lockPerson serialises one person's check-ins, so each is judged beside the others.
func lockPerson(ctx context.Context, tx pgx.Tx, who access.Principal) error {
	key := fmt.Sprintf("p%d", who.PersonID)
	if who.PersonID == 0 {
		key = fmt.Sprintf("u%d", who.UserID)
	}
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('merchant_inspection_person'), hashtext($1))`, key)
	return err
}

// judge applies the check-in rules to c (whose Previous is the check-in before it) and again with
// the check-in after it in its place: the rules between two check-ins (teleport, repeated position)
// read the same either way round, and the pair must be judged when the second of them arrives,
// whichever that is. Stored verdicts are never rewritten, so the one arriving second carries it.
func (r Rules) judge(c fieldproof.CheckIn, next *fieldproof.CheckIn) fieldproof.Verdict {
	v := r.Proof.Judge(c)
	if next == nil {
		return v
	}
	c.Previous = next
	for _, reason := range r.Proof.Judge(c).Reasons {
		k := slices.IndexFunc(v.Reasons, func(x fieldproof.Reason) bool { return x.Code == reason.Code })
		switch {
		case k < 0:
			v.Reasons = append(v.Reasons, reason)
		case reason.Figure > v.Reasons[k].Figure:
			v.Reasons[k] = reason
		}
	}
	slices.SortStableFunc(v.Reasons, func(a, b fieldproof.Reason) int {
		return slices.Index(reasonOrder, a.Code) - slices.Index(reasonOrder, b.Code)
	})
	v.Suspect = len(v.Reasons) > 0
	return v
}
