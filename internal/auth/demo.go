package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// DemoUser is an account of the demo, with its password: the demo is public, so are these.
type DemoUser struct {
	Username   string
	Password   string
	Role       access.Role
	PersonName string
	Where      string
}

// demoAccount says which person a demo account stands for: the first row of pick, which returns
// (person id, person name, where), or no person when pick is empty.
type demoAccount struct {
	username string
	role     access.Role
	pick     string
	where    string // when pick is empty, or finds no one for an optional account
	optional bool   // pick may find no one: the account is made without a person
}

var demoAccounts = []demoAccount{
	{username: "admin", role: access.Admin, where: "the whole district (administrator)"},
	{username: "leader", role: access.DistrictLeader, where: "the whole district"},
	{username: "streetchief", role: access.StreetChief, pick: `SELECT p.id, p.name, '街长 of ' || u.name
		FROM unit_directory u JOIN assignment_standing s ON s.admin_unit_id = u.id JOIN person_directory p ON p.id = s.person_id
		WHERE u.level = 'subdistrict' AND s.role = 'street_chief' AND s.valid @> now()
		ORDER BY u.id, s.is_primary DESC, s.id LIMIT 1`},
	{username: "lanechief", role: access.LaneChief, pick: `SELECT p.id, p.name, '巷长 of ' || u.name
		FROM unit_directory u JOIN assignment_standing s ON s.admin_unit_id = u.id JOIN person_directory p ON p.id = s.person_id
		WHERE u.level = 'community' AND s.role = 'lane_chief' AND s.valid @> now()
		ORDER BY u.id, s.is_primary DESC, s.id LIMIT 1`},
	{username: "liaison", role: access.DepartmentLiaison, pick: `SELECT p.id, p.name, d.name || ' liaison in ' || u.name
		FROM assignment_standing s JOIN person_directory p ON p.id = s.person_id JOIN department_directory d ON d.id = s.department_id
		JOIN unit_directory u ON u.id = s.admin_unit_id
		WHERE s.role = 'department_liaison' AND s.valid @> now()
		ORDER BY u.id, s.is_primary DESC, s.id LIMIT 1`},
	{username: "inspector", role: access.Inspector, pick: `SELECT p.id, p.name, '督查员 of ' || u.name
		FROM unit_directory u JOIN assignment_standing s ON s.admin_unit_id = u.id JOIN person_directory p ON p.id = s.person_id
		WHERE s.role = 'inspector' AND s.valid @> now()
		ORDER BY u.level = 'community', u.id, s.is_primary DESC, s.id LIMIT 1`},
	{username: "assessor", role: access.Assessor, where: "assessment scores of the whole district"},
	// A deputy of the demo lane chief's community, so the one confirms what the other enters; without
	// duty members (a territory loaded by hand) the account stands for nobody yet.
	{username: "participant", role: access.Participant, optional: true, where: "their own duty records (no member yet)",
		pick: `SELECT p.id, p.name, '履职人员 of ' || u.name
		FROM duty_member_standing m JOIN person_directory p ON p.id = m.person_id JOIN unit_directory u ON u.id = m.community_id
		WHERE m.valid @> (now() AT TIME ZONE 'Asia/Shanghai')::date AND m.member_type <> 'party_member' AND m.community_id = (SELECT s.admin_unit_id
			FROM unit_directory cu JOIN assignment_standing s ON s.admin_unit_id = cu.id
			WHERE cu.level = 'community' AND s.role = 'lane_chief' AND s.valid @> now()
			ORDER BY cu.id, s.is_primary DESC, s.id LIMIT 1)
		ORDER BY m.id LIMIT 1`},
}

// DemoPassword is the documented password of a demo account.
func DemoPassword(username string) string { return "demo-" + username + "-2026" }

// SeedDemoUsers creates one account per role for the demo city, linked to people who hold the posts
// that role implies. Run it after the demo city is loaded. Existing usernames are left alone, so it
// can run again; it reports every demo account either way.
func SeedDemoUsers(ctx context.Context, db *pgxpool.Pool) ([]DemoUser, error) {
	s := NewService(db, Options{})
	who := access.System("demo")
	var out []DemoUser
	for _, a := range demoAccounts {
		d := DemoUser{Username: a.username, Password: DemoPassword(a.username), Role: a.role, Where: a.where}
		var personID int64
		if a.pick != "" {
			err := db.QueryRow(ctx, a.pick).Scan(&personID, &d.PersonName, &d.Where)
			if errors.Is(err, pgx.ErrNoRows) && a.optional {
				err = nil
			}
			if errors.Is(err, pgx.ErrNoRows) {
				return nil, apperr.New(apperr.Invalid, "no current %s in the registry for demo user %s: load the demo city first", a.role, a.username)
			}
			if err != nil {
				return nil, fmt.Errorf("demo user %s: %w", a.username, err)
			}
		}
		_, err := s.AddUser(ctx, who, UserInput{Username: a.username, Password: d.Password, Role: a.role, PersonID: personID})
		if err != nil && !apperr.Is(err, apperr.Conflict) {
			return nil, fmt.Errorf("demo user %s: %w", a.username, err)
		}
		out = append(out, d)
	}
	return out, nil
}
