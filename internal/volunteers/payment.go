package volunteers

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/database"
	"streetchief/internal/funds"
)

// Payment is money paid under a contract, booked as spending of the volunteer-service budget.
type Payment struct {
	ID            int64        `json:"id"`
	ContractID    int64        `json:"contract_id"`
	PaidOn        Date         `json:"paid_on"`
	Yuan          funds.Amount `json:"yuan"`
	Note          string       `json:"note"`
	LedgerEntries []int64      `json:"ledger_entries"`
	Voided        bool         `json:"voided"`
	VoidReason    string       `json:"void_reason,omitempty"`
	VoidEntries   []int64      `json:"void_entries,omitempty"`
	CreatedAt     time.Time    `json:"created_at"`
	CreatedBy     string       `json:"created_by"`
}

// PaymentInput is a payment as sent.
type PaymentInput struct {
	PaidOn string       `json:"paid_on"`
	Yuan   funds.Amount `json:"yuan"`
	Note   string       `json:"note"`
}

// Pay records a payment under contract id and books it in the funds ledger in the same transaction:
// spending of the volunteer-service budget of the contract's year, split between city and district as
// the standing allocation is. More than the contract's remaining amount is refused.
func (s *Service) Pay(ctx context.Context, who access.Principal, id int64, in PaymentInput) (Payment, error) {
	if err := manages(who); err != nil {
		return Payment{}, err
	}
	paid, err := ParseDate("paid_on", in.PaidOn)
	if err != nil {
		return Payment{}, err
	}
	if paid.After(dateOf(s.now()).Time) {
		return Payment{}, invalid("paid_on", "paid_on %s is in the future", paid)
	}
	fen := int64(in.Yuan)
	if fen <= 0 {
		return Payment{}, invalid("yuan", "a payment is more than 0 yuan")
	}
	note, err := text("note", in.Note, 500, false)
	if err != nil {
		return Payment{}, err
	}
	var pid int64
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM volunteer_contract WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		c, err := scanContract(tx.QueryRow(ctx, contractSelect+` WHERE c.id = $1`, id))
		if err == pgx.ErrNoRows {
			return apperr.New(apperr.NotFound, "no contract %d", id)
		}
		if err != nil {
			return err
		}
		if paid.Before(c.SignedOn.Time) {
			return invalid("paid_on", "paid_on %s is before the contract was signed (%s)", paid, c.SignedOn)
		}
		if fen > int64(c.Remaining) {
			return apperr.New(apperr.Conflict, "%s yuan is more than the %s yuan remaining under contract %d (%s of %s paid)",
				funds.Amount(fen), c.Remaining, id, c.Paid, c.Yuan).With("field", "yuan")
		}
		// The ledger's entries name the payment, so its id is taken before they are booked.
		if err := tx.QueryRow(ctx, `SELECT nextval(pg_get_serial_sequence('volunteer_payment', 'id'))`).Scan(&pid); err != nil {
			return err
		}
		city, district, err := funds.SplitByStanding(ctx, tx, c.Year, fen)
		if err != nil {
			return err
		}
		reason := fmt.Sprintf("%s 志愿服务合同 #%d 付款 %s", c.OrgName, id, paid)
		if note != "" {
			reason += "：" + note
		}
		entries := []funds.Entry{}
		for _, p := range []struct {
			payer funds.Payer
			fen   int64
		}{{funds.City, city}, {funds.District, district}} {
			if p.fen != 0 {
				entries = append(entries, funds.Entry{Year: c.Year, Fund: funds.VolunteerService, Payer: p.payer, Kind: funds.Spending,
					Fen: -p.fen, SourceType: funds.SourceVolunteer, SourceID: pid, Reason: truncateRunes(reason, funds.MaxReasonRunes)})
			}
		}
		ids, err := funds.Post(ctx, tx, who, entries...)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO volunteer_payment (id, contract_id, paid_on, fen, note, ledger_entries, created_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, pid, id, paid.Time, fen, note, ids, who.Label()); err != nil {
			return translate(err, "payment")
		}
		return audit.Record(ctx, tx, who, audit.Create, "volunteer_payment", pid, nil,
			map[string]any{"contract_id": id, "paid_on": paid, "fen": fen, "note": note, "ledger_entries": ids})
	})
	if err != nil {
		return Payment{}, translate(err, "payment")
	}
	return s.payment(ctx, pid)
}

// VoidPayment voids a mistaken payment: the ledger's entries are corrected to nothing by correcting
// entries (funds' rule), the payment stays on record as voided, and the contract has its amount back.
func (s *Service) VoidPayment(ctx context.Context, who access.Principal, id int64, reason string) (Payment, error) {
	if err := manages(who); err != nil {
		return Payment{}, err
	}
	reason, err := text("reason", reason, 500, true)
	if err != nil {
		return Payment{}, err
	}
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var contract int64
		var voided bool
		err := tx.QueryRow(ctx, `SELECT p.contract_id, EXISTS (SELECT 1 FROM volunteer_payment_void v WHERE v.payment_id = p.id)
			FROM volunteer_payment p WHERE p.id = $1`, id).Scan(&contract, &voided)
		if err == pgx.ErrNoRows {
			return apperr.New(apperr.NotFound, "no payment %d", id)
		}
		if err != nil {
			return err
		}
		if voided {
			return apperr.New(apperr.Conflict, "payment %d is voided already", id)
		}
		if _, err := tx.Exec(ctx, `SELECT 1 FROM volunteer_contract WHERE id = $1 FOR UPDATE`, contract); err != nil {
			return err
		}
		booked, err := funds.BySource(ctx, tx, who, funds.SourceVolunteer, id)
		if err != nil {
			return err
		}
		corrections := []funds.Entry{}
		for _, r := range booked {
			if r.Kind != funds.Spending || r.Effective == 0 {
				continue
			}
			corrections = append(corrections, funds.Entry{Year: r.Year, Fund: r.Fund, Payer: r.Payer, Kind: funds.Correction,
				Fen: -int64(r.Effective), SourceType: funds.SourceVolunteer, SourceID: id, Corrects: r.ID,
				Reason: truncateRunes(fmt.Sprintf("作废志愿服务付款 #%d：%s", id, reason), funds.MaxReasonRunes)})
		}
		ids := []int64{}
		if len(corrections) > 0 {
			if ids, err = funds.Post(ctx, tx, who, corrections...); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO volunteer_payment_void (payment_id, reason, ledger_entries, created_by) VALUES ($1, $2, $3, $4)`,
			id, reason, ids, who.Label()); err != nil {
			return translate(err, "void payment")
		}
		return audit.Record(ctx, tx, who, audit.Void, "volunteer_payment", id, nil, map[string]any{"reason": reason, "ledger_entries": ids})
	})
	if err != nil {
		return Payment{}, translate(err, "void payment")
	}
	return s.payment(ctx, id)
}

const paymentSelect = `SELECT p.id, p.contract_id, p.paid_on, p.fen, p.note, p.ledger_entries, v.payment_id IS NOT NULL,
		COALESCE(v.reason, ''), COALESCE(v.ledger_entries, '{}'), p.created_at, p.created_by
	FROM volunteer_payment p LEFT JOIN volunteer_payment_void v ON v.payment_id = p.id`

func scanPayment(row pgx.Row) (Payment, error) {
	var p Payment
	var fen int64
	err := row.Scan(&p.ID, &p.ContractID, &p.PaidOn.Time, &fen, &p.Note, &p.LedgerEntries, &p.Voided, &p.VoidReason, &p.VoidEntries,
		&p.CreatedAt, &p.CreatedBy)
	p.Yuan = funds.Amount(fen)
	return p, err
}

func (s *Service) payment(ctx context.Context, id int64) (Payment, error) {
	p, err := scanPayment(s.db.QueryRow(ctx, paymentSelect+` WHERE p.id = $1`, id))
	return p, translate(err, fmt.Sprintf("payment %d", id))
}

func (s *Service) payments(ctx context.Context, q database.Querier, contract int64) ([]Payment, error) {
	rows, err := q.Query(ctx, paymentSelect+` WHERE p.contract_id = $1 ORDER BY p.paid_on, p.id`, contract)
	if err != nil {
		return nil, translate(err, "payments")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Payment, error) { return scanPayment(r) })
	return out, translate(err, "payments")
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
