package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
)

// ImportPerson is one person of a bulk import of posts.
type ImportPerson struct {
	Index  int    // position in the caller's input, echoed in errors
	Source string // where it came from, e.g. "demo:person:17"
	PersonInput
}

// ImportAssignment is one assignment of a bulk import of posts, with CreateAssignment's rules. Its
// target may be named by key instead of id — AreaKey is an area's source key, AdminUnitCode an admin
// unit's code — and its holder by Person, the 1-based position of a person of the same import,
// instead of PersonID. Handover is not offered: a bulk import refuses an overlap instead.
type ImportAssignment struct {
	Index  int
	Source string
	AssignmentInput
	AreaKey       string
	AdminUnitCode string
	Person        int
}

// PostsResult reports a bulk import of posts. PersonIDs are the new people's ids in input order.
type PostsResult struct {
	People            int     `json:"people"`
	Assignments       int     `json:"assignments"`
	PersonIDs         []int64 `json:"-"`
	FirstAssignmentID int64   `json:"first_assignment_id,omitempty"`
	LastAssignmentID  int64   `json:"last_assignment_id,omitempty"`
}

// ImportPosts adds people and assignments in one transaction, with the rules of CreatePerson and
// CreateAssignment: each row is checked in Go, then the batch is copied (COPY) into staging and its
// references — areas, admin units, people, departments — the levels they suit, the caller's scope
// and overlaps between primary holders, among the batch and with the assignments on record, are
// checked set-based. The first bad row refuses the whole batch with an Invalid (or, for an overlap, a
// Conflict) error naming it; nothing is written then. One audit row records the import.
func (s *Store) ImportPosts(ctx context.Context, who access.Principal, people []ImportPerson, assignments []ImportAssignment) (PostsResult, error) {
	res := PostsResult{}
	if len(people) > 0 && !who.CanChangeFieldData() {
		return res, apperr.New(apperr.Forbidden, "your role may not add people")
	}
	for _, p := range people {
		if err := p.check(); err != nil {
			return res, rowError(apperr.Invalid, "person", p.Index, p.Source, err)
		}
	}
	now := time.Now().Truncate(time.Microsecond)
	for _, a := range assignments {
		if err := a.check(now, len(people)); err != nil {
			return res, rowError(apperr.Invalid, "assignment", a.Index, a.Source, err)
		}
		if err := mayAppoint(who, a.Role); err != nil {
			return res, rowError(apperr.Forbidden, "assignment", a.Index, a.Source, err)
		}
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// Writers of assignments wait for the import, so the overlaps checked here are all there are.
		if _, err := tx.Exec(ctx, `SET LOCAL jit = off; SET LOCAL work_mem = '64MB';
			LOCK TABLE assignment IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("import posts: lock: %w", err)
		}
		ids, err := importPeople(ctx, tx, people)
		if err != nil {
			return err
		}
		res.People, res.PersonIDs = len(ids), ids
		if err := importAssignments(ctx, tx, who, assignments, now, &res); err != nil {
			return err
		}
		summary := map[string]any{"people": res.People, "assignments": res.Assignments,
			"first_assignment_id": res.FirstAssignmentID, "last_assignment_id": res.LastAssignmentID}
		if len(ids) > 0 {
			summary["first_person_id"], summary["last_person_id"] = ids[0], ids[len(ids)-1]
		}
		return audit.Record(ctx, tx, who, audit.Import, "assignment", 0, nil, summary)
	})
	if err != nil {
		return PostsResult{}, err
	}
	return res, nil
}

// rowError refuses a bulk import of posts for one row, as a strict area import does, with code.
func rowError(code apperr.Code, target string, index int, source string, err error) error {
	var e *apperr.Error
	errors.As(strictError(ImportSkip{Target: target, Index: index, Source: source, Reason: apperr.Message(err)}), &e)
	e.Code = code
	return e
}

// check applies CreateAssignment's checks, with the keys standing in for the ids they name.
func (a ImportAssignment) check(now time.Time, people int) error {
	in := a.AssignmentInput
	in.Level = in.levelOrDefault()
	if in.Handover {
		return errors.New("a bulk import does not hand posts over: end the current holder's assignment first")
	}
	if a.AreaKey != "" && in.AreaID != 0 || a.AdminUnitCode != "" && in.AdminUnitID != 0 || a.Person != 0 && in.PersonID != 0 {
		return errors.New("name a target or person by id or by key, not both")
	}
	if a.Person < 0 || a.Person > people {
		return fmt.Errorf("person %d of this import does not exist: it has %d", a.Person, people)
	}
	if a.AreaKey != "" {
		in.AreaID = -1
	}
	if a.AdminUnitCode != "" {
		in.AdminUnitID = -1
	}
	if a.Person != 0 {
		in.PersonID = -1
	}
	if err := in.check(now); err != nil {
		return err
	}
	if over := in.Role.HeldOver(); in.AreaID != 0 && over != "" && over != "area" {
		return fmt.Errorf("a %s is assigned to a %s, not to an area", in.Role, over)
	}
	return nil
}

// importPeople inserts the people in input order and returns their ids. Each staged row draws its
// id from person's own sequence as it is copied, so the ids follow the input.
func importPeople(ctx context.Context, tx pgx.Tx, people []ImportPerson) ([]int64, error) {
	if _, err := tx.Exec(ctx, `CREATE TEMP TABLE import_person_stage (n int PRIMARY KEY, name text, phone text,
		organisation text, active boolean, attributes jsonb,
		id bigint NOT NULL DEFAULT nextval(pg_get_serial_sequence('person', 'id'))) ON COMMIT DROP`); err != nil {
		return nil, fmt.Errorf("import people: staging table: %w", err)
	}
	if len(people) == 0 {
		return nil, nil
	}
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(people) {
			return nil, nil
		}
		p := people[i]
		attrs, err := attributesJSON(p.Attributes)
		if err != nil {
			return nil, rowError(apperr.Invalid, "person", p.Index, p.Source, err)
		}
		i++
		return []any{i, strings.TrimSpace(p.Name), strings.TrimSpace(p.Phone), strings.TrimSpace(p.Organisation), p.Active, string(attrs)}, nil
	})
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"import_person_stage"},
		[]string{"n", "name", "phone", "organisation", "active", "attributes"}, src); err != nil {
		var ae *apperr.Error
		if errors.As(err, &ae) {
			return nil, ae
		}
		return nil, translate(err, "import people")
	}
	rows, err := tx.Query(ctx, `INSERT INTO person (id, name, phone, organisation, active, attributes) OVERRIDING SYSTEM VALUE
		SELECT id, name, phone, organisation, active, attributes FROM import_person_stage ORDER BY n RETURNING id`)
	if err != nil {
		return nil, translate(err, "import people")
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, translate(err, "import people")
	}
	slices.Sort(ids)
	return ids, nil
}
