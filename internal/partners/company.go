package partners

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
)

// Company is a property-management company (物业服务企业). Phone is empty for a caller with none of
// its compounds in scope: a duty phone is personal data of whoever carries it.
type Company struct {
	ID              int64     `json:"id"`
	Name            string    `json:"name"`
	LicenceNo       string    `json:"licence_no"`
	ContactPersonID int64     `json:"contact_person_id"`
	ContactName     string    `json:"contact_name"`
	Phone           string    `json:"phone,omitempty"`
	Compounds       int       `json:"compounds"` // under a contract now
	AddedAt         time.Time `json:"added_at"`
}

// CompanyInput is a company as a caller registers it.
type CompanyInput struct {
	Name            string `json:"name"`
	LicenceNo       string `json:"licence_no"`
	ContactPersonID int64  `json:"contact_person_id"`
	Phone           string `json:"phone"`
}

func (in *CompanyInput) check() error {
	in.Name = strings.TrimSpace(in.Name)
	in.LicenceNo = strings.ToUpper(strings.TrimSpace(in.LicenceNo))
	in.Phone = strings.TrimSpace(in.Phone)
	if in.Name == "" {
		return apperr.New(apperr.Invalid, "a company needs its name").With("field", "name")
	}
	if err := registry.CheckText("name", in.Name, registry.MaxNameChars); err != nil {
		return err
	}
	if err := merchants.CheckLicence(in.LicenceNo); err != nil {
		return err
	}
	if in.ContactPersonID <= 0 {
		return apperr.New(apperr.Invalid, "contact_person_id is required: the company's contact is a person of the register").With("field", "contact_person_id")
	}
	if err := registry.CheckText("phone", in.Phone, registry.MaxPhoneChars); err != nil {
		return err
	}
	for _, r := range in.Phone {
		if !strings.ContainsRune("0123456789+- ()", r) {
			return apperr.New(apperr.Invalid, "phone %q may hold only digits, spaces and + - ( )", in.Phone).With("field", "phone")
		}
	}
	return nil
}

// AddCompany registers a company. Its contact must be a person the register knows and who is active.
func (s *Service) AddCompany(ctx context.Context, who access.Principal, in CompanyInput) (Company, error) {
	if err := canWrite(who); err != nil {
		return Company{}, err
	}
	if err := in.check(); err != nil {
		return Company{}, err
	}
	contact, err := s.registry.Person(ctx, who, in.ContactPersonID)
	if err != nil {
		return Company{}, apperr.New(apperr.Invalid, "contact person %d is not in the register", in.ContactPersonID).With("field", "contact_person_id")
	}
	if !contact.Active {
		return Company{}, apperr.New(apperr.Invalid, "contact person %d (%s) is no longer active", contact.ID, contact.Name).With("field", "contact_person_id")
	}
	out := Company{Name: in.Name, LicenceNo: in.LicenceNo, ContactPersonID: contact.ID, ContactName: contact.Name, Phone: in.Phone}
	err = s.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO property_company (name, licence_no, contact_person_id, phone, added_by, added_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id, added_at`,
			in.Name, in.LicenceNo, in.ContactPersonID, in.Phone, who.Label(), s.now()).Scan(&out.ID, &out.AddedAt); err != nil {
			return translate(err, "company")
		}
		return audit.Record(ctx, tx, who, audit.Create, "property_company", out.ID, nil, in)
	})
	if err != nil {
		return Company{}, err
	}
	return out, nil
}

// companyColumns reads a company aliased c; the phone only when $1 (the whole district) or when one
// of its contracts, ever, was over a compound in the scope predicate pred.
func companyColumns(pred string) string {
	return `c.id, c.name, c.licence_no, c.contact_person_id, COALESCE(pd.name, ''),
		CASE WHEN $1::bool OR EXISTS (SELECT 1 FROM compound_partner_standing s JOIN area_directory a ON a.id = s.area_id
			WHERE s.company_id = c.id AND ` + pred + `) THEN c.phone ELSE '' END,
		(SELECT count(*) FROM compound_partner_standing s WHERE s.company_id = c.id AND s.valid @> now()::timestamptz)::int,
		c.added_at`
}

// Companies lists the registered companies by name; name narrows to those whose name holds it.
func (s *Service) Companies(ctx context.Context, who access.Principal, name string) ([]Company, error) {
	if err := canRead(who); err != nil {
		return nil, err
	}
	if err := registry.CheckText("name", name, registry.MaxNameChars); err != nil {
		return nil, err
	}
	pred, args := who.Scope.Predicate("a.subdistrict_id", "a.community_id", []any{who.Scope.All, strings.TrimSpace(name)})
	rows, err := s.db.Query(ctx, `SELECT `+companyColumns(pred)+`
		FROM property_company c LEFT JOIN person_directory pd ON pd.id = c.contact_person_id
		WHERE $2 = '' OR strpos(c.name, $2) > 0 ORDER BY c.name, c.id LIMIT 1000`, args...)
	if err != nil {
		return nil, fmt.Errorf("list companies: %w", err)
	}
	return pgx.CollectRows(rows, scanCompany)
}

func scanCompany(r pgx.CollectableRow) (Company, error) {
	var c Company
	err := r.Scan(&c.ID, &c.Name, &c.LicenceNo, &c.ContactPersonID, &c.ContactName, &c.Phone, &c.Compounds, &c.AddedAt)
	return c, err
}
