package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/audit"
	"streetchief/internal/database"
	"streetchief/internal/registry"
)

// ErrNotEmpty is returned by Load when the registry already holds admin units or areas: the demo
// never mixes with real (or earlier demo) data.
var ErrNotEmpty = errors.New("demo: the registry is not empty")

// Summary is what Load inserted, also written to the audit log.
type Summary struct {
	Seed  int64 `json:"seed"`
	Scale int   `json:"scale"`
	Counts
}

// Empty reports whether the registry has no admin units and no areas, the only state in which the
// demo may be loaded.
func Empty(ctx context.Context, db database.Querier) (bool, error) {
	return registry.TerritoryEmpty(ctx, db)
}

// Load puts the city into an empty registry in one transaction, so an error leaves nothing behind.
// It writes nothing itself: admin units and areas go through the registry's import, as a user's
// file would, and people and assignments through its bulk import of posts, so every rule the
// registry holds for its tables holds for the demo too. Features carry stable keys (an admin unit
// its code, area n the key demo:area:n) by which the assignments name their targets; people are
// named by their position, which is their key.
func Load(ctx context.Context, db *pgxpool.Pool, city *City) (Summary, error) {
	sum := Summary{Seed: city.Options.Seed, Scale: city.Options.Scale, Counts: city.Counts()}
	who := access.System("demo")
	err := registry.NewStore(db).InTx(ctx, func(r *registry.Store, tx pgx.Tx) error {
		empty, err := r.LockEmptyTerritory(ctx)
		if err != nil {
			return err
		}
		if !empty {
			return ErrNotEmpty
		}
		departments, err := departmentIDs(ctx, r)
		if err != nil {
			return err
		}
		res, err := r.ImportStream(ctx, who, importUnits(city), importAreas(city), registry.ImportOptions{
			Strict: true, Label: fmt.Sprintf("demo city (seed %d, scale %d)", city.Options.Seed, city.Options.Scale)})
		if err != nil {
			return err
		}
		if res.Units != len(city.AdminUnits) || res.Areas != len(city.Areas) || res.Updated+res.UnitsUpdated > 0 {
			return fmt.Errorf("import: %d admin units and %d areas added, want %d and %d",
				res.Units-res.UnitsUpdated, res.Areas-res.Updated, len(city.AdminUnits), len(city.Areas))
		}
		posts, err := r.ImportPosts(ctx, who, importPeople(city), importAssignments(city, departments))
		if err != nil {
			return err
		}
		if posts.People != len(city.People) || posts.Assignments != len(city.Assignments) {
			return fmt.Errorf("import posts: %d people and %d assignments, want %d and %d",
				posts.People, posts.Assignments, len(city.People), len(city.Assignments))
		}
		return audit.Record(ctx, tx, who, audit.Import, "demo", 0, nil, sum)
	})
	if err != nil {
		if errors.Is(err, ErrNotEmpty) {
			return Summary{}, err
		}
		return Summary{}, fmt.Errorf("demo: load: %w", err)
	}
	return sum, nil
}

func departmentIDs(ctx context.Context, r *registry.Store) (map[string]int64, error) {
	all, err := r.Departments(ctx)
	if err != nil {
		return nil, fmt.Errorf("look up departments: %w", err)
	}
	ids := map[string]int64{}
	for _, d := range all {
		ids[d.Code] = d.ID
	}
	for _, c := range DepartmentCodes() {
		if _, ok := ids[c]; !ok {
			return nil, fmt.Errorf("department %q is not in the registry", c)
		}
	}
	return ids, nil
}

// areaKey is the key the demo's area of generator key k is stored under.
func areaKey(k int) string { return "demo:area:" + strconv.Itoa(k) }

// importUnits lists the admin units in key order, which is level by level from the top, as the
// import inserts them, so their ids follow their keys.
func importUnits(c *City) []registry.ImportUnit {
	out := make([]registry.ImportUnit, len(c.AdminUnits))
	for i, u := range c.AdminUnits {
		out[i] = registry.ImportUnit{Index: u.Key, Source: "demo:unit:" + u.Code, Level: u.Level, Code: u.Code,
			Name: u.Name, Boundary: u.Boundary, Attributes: u.Attributes}
	}
	return out
}

// importAreas streams the areas in key order, so their ids follow their keys.
func importAreas(c *City) registry.AreaStream {
	i := 0
	return func() (*registry.ImportArea, error) {
		if i == len(c.Areas) {
			return nil, nil
		}
		a := c.Areas[i]
		i++
		key := areaKey(a.Key)
		return &registry.ImportArea{Index: a.Key, Source: key, Key: key, Kind: a.Kind, Name: a.Name,
			Geom: a.Geom, Centreline: a.Centreline, Attributes: a.Attributes}, nil
	}
}

func importPeople(c *City) []registry.ImportPerson {
	out := make([]registry.ImportPerson, len(c.People))
	for i, p := range c.People {
		out[i] = registry.ImportPerson{Index: p.Key, Source: "demo:person:" + strconv.Itoa(p.Key), PersonInput: registry.PersonInput{
			Name: p.Name, Phone: p.Phone, Organisation: p.Organisation, Active: p.Active, Attributes: p.Attributes}}
	}
	return out
}

// importAssignments lists the assignments in the order they began, the order of their ids.
func importAssignments(c *City, departments map[string]int64) []registry.ImportAssignment {
	out := make([]registry.ImportAssignment, len(c.Assignments))
	for i, a := range c.Assignments {
		in := registry.ImportAssignment{Index: i + 1, Source: "demo:assignment:" + strconv.Itoa(i+1), Person: a.Person,
			AssignmentInput: registry.AssignmentInput{Role: a.Role, Level: a.Level, Primary: !a.Deputy, From: &a.From, Note: a.Note}}
		if a.Area != 0 {
			in.AreaKey = areaKey(a.Area)
		} else {
			in.AdminUnitCode = c.AdminUnits[a.AdminUnit-1].Code
		}
		if a.Department != "" {
			in.DepartmentID = departments[a.Department]
		}
		if !a.Until.IsZero() {
			in.Until = &a.Until
		}
		out[i] = in
	}
	slices.SortStableFunc(out, func(x, y registry.ImportAssignment) int { return x.From.Compare(*y.From) })
	return out
}
