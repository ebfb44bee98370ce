package volunteers

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/funds"
)

// Organisation is a volunteer-service organisation (志愿服务组织) the district buys services from. Its
// contact is shown only to the district's finance side, whose scope is the whole district.
type Organisation struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	RegistrationNo string `json:"registration_no"`
	ContactName    string `json:"contact_name,omitempty"`
	ContactPhone   string `json:"contact_phone,omitempty"`
}

// OrganisationInput is an organisation as sent.
type OrganisationInput struct {
	Name           string `json:"name"`
	RegistrationNo string `json:"registration_no"`
	ContactName    string `json:"contact_name"`
	ContactPhone   string `json:"contact_phone"`
}

// CreateOrganisation registers an organisation.
func (s *Service) CreateOrganisation(ctx context.Context, who access.Principal, in OrganisationInput) (Organisation, error) {
	if err := manages(who); err != nil {
		return Organisation{}, err
	}
	o := Organisation{}
	var err error
	if o.Name, err = text("name", in.Name, 200, true); err != nil {
		return o, err
	}
	if o.RegistrationNo, err = text("registration_no", in.RegistrationNo, 40, true); err != nil {
		return o, err
	}
	if o.ContactName, err = text("contact_name", in.ContactName, 100, false); err != nil {
		return o, err
	}
	if o.ContactPhone, err = checkPhone("contact_phone", in.ContactPhone); err != nil {
		return o, err
	}
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO volunteer_org (name, registration_no, contact_name, contact_phone, created_by)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, o.Name, o.RegistrationNo, o.ContactName, o.ContactPhone, who.Label()).Scan(&o.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "volunteer_org", o.ID, nil, o)
	})
	return o, translate(err, "organisation")
}

// Organisations lists the organisations, contacts for the finance side only.
func (s *Service) Organisations(ctx context.Context, who access.Principal) ([]Organisation, error) {
	if err := reads(who); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, `SELECT id, name, registration_no, contact_name, contact_phone FROM volunteer_org ORDER BY id`)
	if err != nil {
		return nil, translate(err, "organisations")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Organisation, error) {
		var o Organisation
		err := r.Scan(&o.ID, &o.Name, &o.RegistrationNo, &o.ContactName, &o.ContactPhone)
		if manages(who) != nil {
			o.ContactName, o.ContactPhone = "", ""
		}
		return o, err
	})
	return out, translate(err, "organisations")
}

// Terms are what a contract revision says.
type Terms struct {
	PeriodFrom  string       `json:"period_from"`
	PeriodTo    string       `json:"period_to"`
	Yuan        funds.Amount `json:"yuan"`
	HoursTarget int          `json:"hours_target"` // service hours the organisation delivers
	SignedOn    string       `json:"signed_on"`
	Scan        string       `json:"scan"` // optional: the signed contract, PDF or image, base64
	Reason      string       `json:"reason"`
}

// ContractInput is a new contract: its organisation, budget year and first terms.
type ContractInput struct {
	OrgID int64 `json:"org_id"`
	Year  int   `json:"year"`
	Terms
}

type checkedTerms struct {
	from, to, signed Date
	fen              int64
	hours            int
	scan             []byte
	scanType         string
	reason           string
}

// MaxScanBytes bounds a contract scan.
const MaxScanBytes = 10 << 20

func (s *Service) checkTerms(t Terms, revision bool) (checkedTerms, error) {
	var c checkedTerms
	var err error
	if c.from, err = ParseDate("period_from", t.PeriodFrom); err != nil {
		return c, err
	}
	if c.to, err = ParseDate("period_to", t.PeriodTo); err != nil {
		return c, err
	}
	if c.signed, err = ParseDate("signed_on", t.SignedOn); err != nil {
		return c, err
	}
	switch {
	case c.to.Before(c.from.Time):
		return c, invalid("period_to", "the period ends (%s) before it begins (%s)", c.to, c.from)
	case c.to.Sub(c.from.Time) > 2*366*24*time.Hour:
		return c, invalid("period_to", "a contract's period is at most two years")
	case c.signed.After(dateOf(s.now()).Time):
		return c, invalid("signed_on", "signed_on %s is in the future", c.signed)
	}
	if c.fen = int64(t.Yuan); c.fen <= 0 {
		return c, invalid("yuan", "a contract's amount is more than 0 yuan")
	}
	if c.hours = t.HoursTarget; c.hours < 0 || c.hours > 10_000_000 {
		return c, invalid("hours_target", "hours_target is between 0 and 10,000,000")
	}
	if c.reason, err = text("reason", t.Reason, 1000, revision); err != nil {
		return c, err
	}
	if t.Scan != "" {
		if base64.StdEncoding.DecodedLen(len(t.Scan)) > MaxScanBytes+3 {
			return c, apperr.New(apperr.TooLarge, "the scan is over %d bytes", MaxScanBytes).With("field", "scan")
		}
		raw := t.Scan
		if i := indexComma(raw); i >= 0 {
			raw = raw[i+1:]
		}
		if c.scan, err = base64.StdEncoding.DecodeString(raw); err != nil || len(c.scan) == 0 {
			return c, apperr.New(apperr.Malformed, "the scan is not base64").With("field", "scan")
		}
		switch c.scanType = http.DetectContentType(c.scan); c.scanType {
		case "application/pdf", "image/jpeg", "image/png", "image/webp":
		default:
			return c, invalid("scan", "the scan is %s; send a PDF, JPEG, PNG or WebP", c.scanType)
		}
	}
	return c, nil
}

// indexComma finds the end of a data: URL's prefix.
func indexComma(s string) int {
	if len(s) < 5 || s[:5] != "data:" {
		return -1
	}
	for i := 0; i < len(s) && i < 100; i++ {
		if s[i] == ',' {
			return i
		}
	}
	return -1
}

// Contract is a contract with the terms of its latest revision and where it stands.
type Contract struct {
	ID             int64        `json:"id"`
	OrgID          int64        `json:"org_id"`
	OrgName        string       `json:"org_name"`
	Year           int          `json:"year"`
	Revision       int          `json:"revision"`
	PeriodFrom     Date         `json:"period_from"`
	PeriodTo       Date         `json:"period_to"`
	Yuan           funds.Amount `json:"yuan"`
	Paid           funds.Amount `json:"paid"`
	Remaining      funds.Amount `json:"remaining"` // Yuan = Paid + Remaining
	HoursTarget    int          `json:"hours_target"`
	HoursDelivered float64      `json:"hours_delivered"` // volunteer-hours of the organisation's activities in the period
	SignedOn       Date         `json:"signed_on"`
	HasScan        bool         `json:"has_scan"`
	Revisions      []Revision   `json:"revisions,omitempty"`
	Payments       []Payment    `json:"payments,omitempty"` // the finance side only
}

// Revision is one set of a contract's terms as recorded.
type Revision struct {
	Revision    int          `json:"revision"`
	PeriodFrom  Date         `json:"period_from"`
	PeriodTo    Date         `json:"period_to"`
	Yuan        funds.Amount `json:"yuan"`
	HoursTarget int          `json:"hours_target"`
	SignedOn    Date         `json:"signed_on"`
	Reason      string       `json:"reason"`
	CreatedAt   time.Time    `json:"created_at"`
	CreatedBy   string       `json:"created_by"`
}

const contractSelect = `SELECT c.id, c.org_id, o.name, c.year, r.revision, r.period_from, r.period_to, r.fen, r.hours_target, r.signed_on,
		r.scan IS NOT NULL,
		COALESCE((SELECT sum(p.fen) FROM volunteer_payment p WHERE p.contract_id = c.id
			AND NOT EXISTS (SELECT 1 FROM volunteer_payment_void v WHERE v.payment_id = p.id)), 0)::bigint,
		COALESCE((SELECT sum(a.participants * a.hours_each) FROM volunteer_activity a WHERE a.org_id = c.org_id
			AND (a.starts_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN r.period_from AND r.period_to
			AND NOT EXISTS (SELECT 1 FROM volunteer_activity_void v WHERE v.activity_id = a.id)), 0)::float8
	FROM volunteer_contract c JOIN volunteer_org o ON o.id = c.org_id
	JOIN LATERAL (SELECT * FROM volunteer_contract_revision WHERE contract_id = c.id ORDER BY revision DESC LIMIT 1) r ON true`

func scanContract(row pgx.Row) (Contract, error) {
	var c Contract
	var fen, paid int64
	err := row.Scan(&c.ID, &c.OrgID, &c.OrgName, &c.Year, &c.Revision, &c.PeriodFrom.Time, &c.PeriodTo.Time, &fen, &c.HoursTarget,
		&c.SignedOn.Time, &c.HasScan, &paid, &c.HoursDelivered)
	c.Yuan, c.Paid, c.Remaining = funds.Amount(fen), funds.Amount(paid), funds.Amount(fen-paid)
	return c, err
}

// CreateContract records a contract and its first revision.
func (s *Service) CreateContract(ctx context.Context, who access.Principal, in ContractInput) (Contract, error) {
	if err := manages(who); err != nil {
		return Contract{}, err
	}
	if err := funds.CheckYear(in.Year); err != nil {
		return Contract{}, err
	}
	t, err := s.checkTerms(in.Terms, false)
	if err != nil {
		return Contract{}, err
	}
	var id int64
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var ok bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM volunteer_org WHERE id = $1)`, in.OrgID).Scan(&ok); err != nil {
			return err
		}
		if !ok {
			return invalid("org_id", "no organisation %d", in.OrgID)
		}
		if err := tx.QueryRow(ctx, `INSERT INTO volunteer_contract (org_id, year, created_by) VALUES ($1, $2, $3) RETURNING id`,
			in.OrgID, in.Year, who.Label()).Scan(&id); err != nil {
			return translate(err, fmt.Sprintf("contract of organisation %d for %d", in.OrgID, in.Year))
		}
		return s.addRevision(ctx, tx, who, id, 1, t)
	})
	if err != nil {
		return Contract{}, translate(err, "contract")
	}
	return s.Contract(ctx, who, id)
}

func (s *Service) addRevision(ctx context.Context, tx pgx.Tx, who access.Principal, id int64, n int, t checkedTerms) error {
	_, err := tx.Exec(ctx, `INSERT INTO volunteer_contract_revision (contract_id, revision, period_from, period_to, fen, hours_target,
			signed_on, scan_type, scan, reason, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		id, n, t.from.Time, t.to.Time, t.fen, t.hours, t.signed.Time, t.scanType, t.scan, t.reason, who.Label())
	if err != nil {
		return translate(err, "contract revision")
	}
	return audit.Record(ctx, tx, who, audit.Create, "volunteer_contract", id, nil,
		map[string]any{"revision": n, "period_from": t.from, "period_to": t.to, "fen": t.fen, "hours_target": t.hours, "reason": t.reason})
}

// Revise records new terms for a contract with their reason; the amount cannot fall below what was paid.
func (s *Service) Revise(ctx context.Context, who access.Principal, id int64, in Terms) (Contract, error) {
	if err := manages(who); err != nil {
		return Contract{}, err
	}
	t, err := s.checkTerms(in, true)
	if err != nil {
		return Contract{}, err
	}
	err = pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		// The contract's row lock makes a revision and a payment take turns.
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
		if t.fen < int64(c.Paid) {
			return apperr.New(apperr.Conflict, "%s yuan is already paid under contract %d; it cannot be revised to %s", c.Paid, id, funds.Amount(t.fen)).With("field", "yuan")
		}
		return s.addRevision(ctx, tx, who, id, c.Revision+1, t)
	})
	if err != nil {
		return Contract{}, translate(err, "contract")
	}
	return s.Contract(ctx, who, id)
}

// Contracts lists the contracts, newest year first, with what is paid and delivered.
func (s *Service) Contracts(ctx context.Context, who access.Principal, year int) ([]Contract, error) {
	if err := reads(who); err != nil {
		return nil, err
	}
	rows, err := s.db.Query(ctx, contractSelect+` WHERE $1 = 0 OR c.year = $1 ORDER BY c.year DESC, c.id`, year)
	if err != nil {
		return nil, translate(err, "contracts")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Contract, error) { return scanContract(r) })
	return out, translate(err, "contracts")
}

// Contract is one contract with its revisions and, for the finance side, its payments.
func (s *Service) Contract(ctx context.Context, who access.Principal, id int64) (Contract, error) {
	if err := reads(who); err != nil {
		return Contract{}, err
	}
	c, err := scanContract(s.db.QueryRow(ctx, contractSelect+` WHERE c.id = $1`, id))
	if err == pgx.ErrNoRows {
		return c, apperr.New(apperr.NotFound, "no contract %d", id)
	}
	if err != nil {
		return c, translate(err, "contract")
	}
	rows, err := s.db.Query(ctx, `SELECT revision, period_from, period_to, fen, hours_target, signed_on, reason, created_at, created_by
		FROM volunteer_contract_revision WHERE contract_id = $1 ORDER BY revision`, id)
	if err != nil {
		return c, translate(err, "contract revisions")
	}
	c.Revisions, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Revision, error) {
		var v Revision
		var fen int64
		err := r.Scan(&v.Revision, &v.PeriodFrom.Time, &v.PeriodTo.Time, &fen, &v.HoursTarget, &v.SignedOn.Time, &v.Reason, &v.CreatedAt, &v.CreatedBy)
		v.Yuan = funds.Amount(fen)
		return v, err
	})
	if err != nil {
		return c, translate(err, "contract revisions")
	}
	if manages(who) == nil {
		if c.Payments, err = s.payments(ctx, s.db, id); err != nil {
			return c, err
		}
	}
	return c, nil
}

// Scan is a contract's latest scanned copy, for readers of contracts.
func (s *Service) Scan(ctx context.Context, who access.Principal, id int64) (contentType string, b []byte, err error) {
	if err := reads(who); err != nil {
		return "", nil, err
	}
	err = s.db.QueryRow(ctx, `SELECT scan_type, scan FROM volunteer_contract_revision WHERE contract_id = $1 AND scan IS NOT NULL
		ORDER BY revision DESC LIMIT 1`, id).Scan(&contentType, &b)
	if err == pgx.ErrNoRows {
		return "", nil, apperr.New(apperr.NotFound, "contract %d has no scan", id)
	}
	return contentType, b, translate(err, "contract scan")
}
