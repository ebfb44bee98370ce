package incidents

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/notify"
)

// CompoundCaseKind is the notice a compound's property manager gets of a case routed there.
const CompoundCaseKind = "compound_case"

// tellCompoundManager tells the contact person of the property company under contract for the
// case's residential compound at the moment it was routed (internal/partners' published
// compound_partner_standing), in the routing's own transaction: the lane chief's duty is to bring
// the property manager in, and the manager hears of the case as the person it is routed to does.
// A reroute into the same compound tells nobody twice (the dedupe key), and nobody is told of their
// own report or of a case already theirs.
func tellCompoundManager(ctx context.Context, tx pgx.Tx, who access.Principal, incident, assignee int64, at time.Time) error {
	var person int64
	var company string
	err := tx.QueryRow(ctx, `SELECT s.contact_person_id, s.company_name FROM incident i
		JOIN compound_partner_standing s ON s.area_id = i.area_id AND s.kind = 'property_manager' AND s.valid @> $2::timestamptz
		WHERE i.id = $1`, incident, at).Scan(&person, &company)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("incident %d compound manager: %w", incident, err)
	}
	if person == who.PersonID || person == assignee {
		return nil
	}
	params, err := noticeParams(ctx, tx, incident)
	if err != nil {
		return err
	}
	params["company"] = company
	_, err = notify.Enqueue(ctx, tx, notify.Notice{PersonID: person, Kind: CompoundCaseKind, At: at,
		Subject: notify.Subject{Type: "incident", ID: incident}, Params: params,
		DedupeKey: CompoundCaseKind + ":" + strconv.FormatInt(incident, 10)})
	return err
}
