package registry

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// Person is someone who can be responsible: a chief, a grid worker, a liaison, an inspector.
type Person struct {
	ID           int64
	Name         string
	Phone        string // empty when the caller may not see it
	Organisation string
	Active       bool
	Attributes   map[string]any
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// PersonInput is what a caller may set on a person.
type PersonInput struct {
	Name         string
	Phone        string
	Organisation string
	Active       bool
	Attributes   map[string]any
}

func (in PersonInput) check() error {
	if strings.TrimSpace(in.Name) == "" {
		return apperr.New(apperr.Invalid, "name is required")
	}
	if err := checkTexts("name", in.Name, MaxNameChars, "phone", in.Phone, MaxPhoneChars,
		"organisation", in.Organisation, MaxOrgChars); err != nil {
		return err
	}
	if err := checkAttributes(in.Attributes); err != nil {
		return err
	}
	for _, r := range in.Phone {
		if !strings.ContainsRune("0123456789+- ()", r) {
			return apperr.New(apperr.Invalid, "phone %q may hold only digits, spaces and + - ( )", in.Phone)
		}
	}
	return nil
}

// PersonFilter selects people; Name matches a part of the name.
type PersonFilter struct {
	Name string
	Page Page
}

// personColumns reveals the phone only to callers with scope over one of the person's current posts,
// and to the whole-district roles. $1 and $2 are the caller's subdistricts and communities, $3 whether
// the caller sees everything.
const personColumns = `p.id, p.name,
	CASE WHEN $3::bool OR EXISTS (
		SELECT 1 FROM assignment_standing s
		LEFT JOIN area a ON a.id = s.area_id
		LEFT JOIN admin_unit u ON u.id = s.admin_unit_id
		WHERE s.person_id = p.id AND s.valid @> now() AND (
			COALESCE(a.subdistrict_id, u.id) = ANY($1::bigint[]) OR COALESCE(u.parent_id, 0) = ANY($1::bigint[])
			OR COALESCE(a.community_id, u.id) = ANY($2::bigint[]))
	) THEN p.phone ELSE '' END,
	p.organisation, p.active, p.attributes, p.created_at, p.updated_at`

func scanPerson(row pgx.Row) (Person, error) {
	var (
		p     Person
		attrs []byte
	)
	if err := row.Scan(&p.ID, &p.Name, &p.Phone, &p.Organisation, &p.Active, &attrs, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return p, err
	}
	if err := json.Unmarshal(attrs, &p.Attributes); err != nil {
		return p, fmt.Errorf("person %d attributes: %w", p.ID, err)
	}
	return p, nil
}

func phoneArgs(who access.Principal) []any {
	return []any{who.Scope.Subdistricts, who.Scope.Communities, who.Scope.All}
}

// ListPeople returns one page of people, phones shown as personColumns allows.
func (s *Store) ListPeople(ctx context.Context, who access.Principal, f PersonFilter) ([]Person, int64, error) {
	limit := f.Page.limit()
	args := append(phoneArgs(who), f.Page.After, f.Name, limit+1)
	rows, err := s.db.Query(ctx, `SELECT `+personColumns+` FROM person p
		WHERE p.id > $4 AND ($5 = '' OR strpos(p.name, $5) > 0) ORDER BY p.id LIMIT $6`, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list people: %w", err)
	}
	people, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Person, error) { return scanPerson(r) })
	if err != nil {
		return nil, 0, fmt.Errorf("list people: %w", err)
	}
	people, next := trimPage(people, limit, func(x Person) int64 { return x.ID })
	return people, next, nil
}

// Person returns one person.
func (s *Store) Person(ctx context.Context, who access.Principal, id int64) (Person, error) {
	p, err := scanPerson(s.db.QueryRow(ctx, `SELECT `+personColumns+` FROM person p WHERE p.id = $4`, append(phoneArgs(who), id)...))
	return p, translate(err, fmt.Sprintf("person %d", id))
}

// CreatePerson adds a person. Chiefs may add the grid workers they assign; admins anyone.
func (s *Store) CreatePerson(ctx context.Context, who access.Principal, in PersonInput) (Person, error) {
	if !who.CanChangeFieldData() {
		return Person{}, apperr.New(apperr.Forbidden, "your role may not add people")
	}
	if err := in.check(); err != nil {
		return Person{}, err
	}
	var out Person
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		attrs, err := attributesJSON(in.Attributes)
		if err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO person (name, phone, organisation, active, attributes)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone), strings.TrimSpace(in.Organisation), in.Active, attrs).Scan(&id); err != nil {
			return translate(err, "person")
		}
		out, err = scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM person p WHERE p.id = $4`, append(phoneArgs(access.System("")), id)...))
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Create, "person", id, nil, out)
	})
	return out, err
}

// UpdatePerson replaces a person's details; admins only, since phones and names are personal data.
func (s *Store) UpdatePerson(ctx context.Context, who access.Principal, id int64, in PersonInput) (Person, error) {
	if !who.CanChangeRegistry() {
		return Person{}, apperr.New(apperr.Forbidden, "only an admin may change a person")
	}
	if err := in.check(); err != nil {
		return Person{}, err
	}
	var out Person
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		all := phoneArgs(access.System(""))
		before, err := scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM person p WHERE p.id = $4 FOR UPDATE`, append(all, id)...))
		if err != nil {
			return translate(err, fmt.Sprintf("person %d", id))
		}
		attrs, err := attributesJSON(in.Attributes)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE person SET name = $2, phone = $3, organisation = $4, active = $5,
			attributes = $6, updated_at = now() WHERE id = $1`,
			id, strings.TrimSpace(in.Name), strings.TrimSpace(in.Phone), strings.TrimSpace(in.Organisation), in.Active, attrs); err != nil {
			return translate(err, "person")
		}
		if out, err = scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM person p WHERE p.id = $4`, append(all, id)...)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, who, audit.Update, "person", id, before, out)
	})
	return out, err
}

// DeletePerson removes a person who has never been assigned anything; one with a history is made
// inactive instead, so the history keeps its names.
func (s *Store) DeletePerson(ctx context.Context, who access.Principal, id int64) error {
	if !who.CanChangeRegistry() {
		return apperr.New(apperr.Forbidden, "only an admin may delete a person")
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		before, err := scanPerson(tx.QueryRow(ctx, `SELECT `+personColumns+` FROM person p WHERE p.id = $4 FOR UPDATE`,
			append(phoneArgs(access.System("")), id)...))
		if err != nil {
			return translate(err, fmt.Sprintf("person %d", id))
		}
		if _, err := tx.Exec(ctx, `DELETE FROM person WHERE id = $1`, id); err != nil {
			return translate(err, fmt.Sprintf("person %d", id))
		}
		return audit.Record(ctx, tx, who, audit.Delete, "person", id, before, nil)
	})
}
