package registry

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// Department is an enforcement department that joins a street chief's joint enforcement (联合执法).
type Department struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

var departmentCode = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

func (d Department) check() error {
	if err := checkTexts("code", d.Code, MaxCodeChars, "name", d.Name, MaxNameChars); err != nil {
		return err
	}
	if !departmentCode.MatchString(d.Code) {
		return apperr.New(apperr.Invalid, "code %q must be lower-case letters, digits and _ (e.g. urban_management)", d.Code)
	}
	if strings.TrimSpace(d.Name) == "" {
		return apperr.New(apperr.Invalid, "name is required")
	}
	return nil
}

// Departments lists every department; there are few.
func (s *Store) Departments(ctx context.Context) ([]Department, error) {
	rows, err := s.db.Query(ctx, `SELECT id, code, name FROM department ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list departments: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Department])
}

// Department returns one department.
func (s *Store) Department(ctx context.Context, id int64) (Department, error) {
	var d Department
	err := s.db.QueryRow(ctx, `SELECT id, code, name FROM department WHERE id = $1`, id).Scan(&d.ID, &d.Code, &d.Name)
	return d, translate(err, fmt.Sprintf("department %d", id))
}

// CreateDepartment adds a department; admins only.
func (s *Store) CreateDepartment(ctx context.Context, who access.Principal, in Department) (Department, error) {
	if !who.CanChangeRegistry() {
		return Department{}, apperr.New(apperr.Forbidden, "only an admin may add departments")
	}
	if err := in.check(); err != nil {
		return Department{}, err
	}
	out := in
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO department (code, name) VALUES ($1, $2) RETURNING id`,
			in.Code, strings.TrimSpace(in.Name)).Scan(&out.ID); err != nil {
			return translate(err, "department")
		}
		return audit.Record(ctx, tx, who, audit.Create, "department", out.ID, nil, out)
	})
	return out, err
}

// UpdateDepartment renames a department; admins only.
func (s *Store) UpdateDepartment(ctx context.Context, who access.Principal, id int64, in Department) (Department, error) {
	if !who.CanChangeRegistry() {
		return Department{}, apperr.New(apperr.Forbidden, "only an admin may change departments")
	}
	if err := in.check(); err != nil {
		return Department{}, err
	}
	out := Department{ID: id, Code: in.Code, Name: strings.TrimSpace(in.Name)}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var before Department
		if err := tx.QueryRow(ctx, `SELECT id, code, name FROM department WHERE id = $1 FOR UPDATE`, id).
			Scan(&before.ID, &before.Code, &before.Name); err != nil {
			return translate(err, fmt.Sprintf("department %d", id))
		}
		if _, err := tx.Exec(ctx, `UPDATE department SET code = $2, name = $3 WHERE id = $1`, id, out.Code, out.Name); err != nil {
			return translate(err, "department")
		}
		return audit.Record(ctx, tx, who, audit.Update, "department", id, before, out)
	})
	return out, err
}

// DeleteDepartment removes a department nobody has ever been liaison for.
func (s *Store) DeleteDepartment(ctx context.Context, who access.Principal, id int64) error {
	if !who.CanChangeRegistry() {
		return apperr.New(apperr.Forbidden, "only an admin may delete departments")
	}
	return s.inTx(ctx, func(tx pgx.Tx) error {
		var before Department
		if err := tx.QueryRow(ctx, `DELETE FROM department WHERE id = $1 RETURNING id, code, name`, id).
			Scan(&before.ID, &before.Code, &before.Name); err != nil {
			return translate(err, fmt.Sprintf("department %d", id))
		}
		return audit.Record(ctx, tx, who, audit.Delete, "department", id, before, nil)
	})
}
