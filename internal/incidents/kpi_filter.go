package incidents

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// KPIFilter narrows the KPIs, the trend and the case export to one subdistrict or community, for
// drilling down from the district; zero fields narrow nothing.
type KPIFilter struct {
	SubdistrictID int64
	CommunityID   int64
}

// check refuses a unit that is not one (404) and one outside the caller's territory (403): a lane
// chief may narrow to their communities or the subdistrict they lie in, a street chief to their
// subdistricts and the communities in them.
func (f KPIFilter) check(ctx context.Context, db database.Querier, who access.Principal) error {
	if f.SubdistrictID < 0 || f.CommunityID < 0 {
		return apperr.New(apperr.Malformed, "subdistrict and community are positive ids")
	}
	if f.SubdistrictID != 0 {
		if _, err := unitOfLevel(ctx, db, f.SubdistrictID, "subdistrict"); err != nil {
			return err
		}
		if !who.Scope.All && !slices.Contains(who.Scope.Subdistricts, f.SubdistrictID) {
			var covers bool
			if err := db.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM unit_directory WHERE parent_id = $1 AND id = ANY($2::bigint[]))`,
				f.SubdistrictID, append([]int64{}, who.Scope.Communities...)).Scan(&covers); err != nil {
				return translate(err, "check subdistrict")
			}
			if !covers {
				return apperr.New(apperr.Forbidden, "subdistrict %d is outside your territory", f.SubdistrictID).With("field", "subdistrict")
			}
		}
	}
	if f.CommunityID != 0 {
		parent, err := unitOfLevel(ctx, db, f.CommunityID, "community")
		if err != nil {
			return err
		}
		if f.SubdistrictID != 0 && parent != f.SubdistrictID {
			return apperr.New(apperr.Invalid, "community %d is not in subdistrict %d", f.CommunityID, f.SubdistrictID).With("field", "community")
		}
		if !who.Scope.InScope(parent, f.CommunityID) {
			return apperr.New(apperr.Forbidden, "community %d is outside your territory", f.CommunityID).With("field", "community")
		}
	}
	return nil
}

// unitOfLevel is the parent of admin unit id, which must be of level; NotFound otherwise.
func unitOfLevel(ctx context.Context, db database.Querier, id int64, level string) (int64, error) {
	var parent int64
	err := db.QueryRow(ctx, `SELECT COALESCE(parent_id, 0) FROM unit_directory WHERE id = $1 AND level = $2`, id, level).Scan(&parent)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, apperr.New(apperr.NotFound, "no %s %d", level, id).With("field", level)
	}
	return parent, translate(err, "check "+level)
}

// where is the KPI scope of who narrowed by f, over the subdistrict_id and community_id columns of
// alias, with its parameters appended to args.
func (f KPIFilter) where(who access.Principal, alias string, args []any) (string, []any, error) {
	scope, args, err := kpiScope(who, alias, args)
	if err != nil {
		return "", nil, err
	}
	if f.SubdistrictID != 0 {
		args = append(args, f.SubdistrictID)
		scope += fmt.Sprintf(" AND %s.subdistrict_id = $%d", alias, len(args))
	}
	if f.CommunityID != 0 {
		args = append(args, f.CommunityID)
		scope += fmt.Sprintf(" AND %s.community_id = $%d", alias, len(args))
	}
	return scope, args, nil
}

// nameSQL reads the names of a league's rows from the registry's published views, all in one query.
var nameSQL = map[KPIBy]string{
	BySubdistrict: `SELECT id, name FROM unit_directory WHERE id = ANY($1::bigint[])`,
	ByCommunity:   `SELECT id, name FROM unit_directory WHERE id = ANY($1::bigint[])`,
	ByArea:        `SELECT id, name FROM area_directory WHERE id = ANY($1::bigint[])`,
	ByPerson:      `SELECT id, name FROM person_directory WHERE id = ANY($1::bigint[])`,
	ByDepartment:  `SELECT id, name FROM department_directory WHERE id = ANY($1::bigint[])`,
}

// nameRows names each row of a league table; a row whose unit, area, person or department is gone
// stays unnamed rather than failing the table.
func nameRows(ctx context.Context, db database.Querier, by KPIBy, rows []KPIRow) error {
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		if r.ID != 0 {
			ids = append(ids, r.ID)
		}
	}
	q, ok := nameSQL[by]
	if !ok || len(ids) == 0 {
		return nil
	}
	names, err := idNames(ctx, db, q, ids)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].Name = names[rows[i].ID]
	}
	return nil
}

func idNames(ctx context.Context, db database.Querier, q string, ids []int64) (map[int64]string, error) {
	rows, err := db.Query(ctx, q, ids)
	if err != nil {
		return nil, translate(err, "name KPI rows")
	}
	names := map[int64]string{}
	var id int64
	var name string
	_, err = pgx.ForEachRow(rows, []any{&id, &name}, func() error { names[id] = name; return nil })
	return names, translate(err, "name KPI rows")
}
