package incidents

import (
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/database"
	"streetchief/internal/registry"
)

// Candidate is a person an incident may be dispatched to (派遣): someone holding a post where it is,
// with how many open incidents they already hold.
type Candidate struct {
	PersonID int64             `json:"person_id"`
	Name     string            `json:"name"`
	Role     registry.PostRole `json:"role"`
	Unit     string            `json:"unit"` // the area or community of the post
	OpenLoad int               `json:"open_load"`
}

// dispatchRoles are the posts that take cases on the spot; the street chief dispatches, and liaisons
// and inspectors are brought in otherwise.
var dispatchRoles = []registry.PostRole{registry.AreaManager, registry.LaneChief, registry.Deputy, registry.Volunteer}

// DispatchCandidates lists who may take an incident, for whoever may dispatch it.
func (s *Service) DispatchCandidates(ctx context.Context, who access.Principal, id int64) ([]Candidate, error) {
	cur, err := s.visible(ctx, s.db, who, id)
	if err != nil {
		return nil, err
	}
	if actorOf(who, cur) != chief {
		return nil, apperr.New(apperr.Forbidden, "your role (%s) may not dispatch incident %d", who.Role, id)
	}
	return s.candidates(ctx, s.db, cur)
}

// candidates are the people the lookup engine names at the incident's point (the managers of its
// areas, its community's lane chief) and the others holding posts over its community.
func (s *Service) candidates(ctx context.Context, db database.Querier, cur Incident) ([]Candidate, error) {
	now := s.now()
	ans, err := s.matcher.Lookup(ctx, orb.Point{cur.Lon, cur.Lat}, now)
	if err != nil {
		return nil, err
	}
	var out []Candidate
	seen := map[int64]bool{}
	add := func(c Candidate) {
		if c.PersonID != 0 && !seen[c.PersonID] && slices.Contains(dispatchRoles, c.Role) {
			seen[c.PersonID] = true
			out = append(out, c)
		}
	}
	for _, a := range ans.Areas {
		if a.DistanceM == 0 {
			for _, p := range a.Responsible {
				add(Candidate{PersonID: p.PersonID, Name: p.Name, Role: p.Role, Unit: a.Name})
			}
		}
	}
	community := ""
	if ans.Community != nil {
		community = ans.Community.Name
		if c := ans.Community.Chief; c != nil {
			add(Candidate{PersonID: c.PersonID, Name: c.Name, Role: c.Role, Unit: community})
		}
	}
	if cur.CommunityID != 0 {
		rows, err := db.Query(ctx, `SELECT DISTINCT person_id, role FROM post_coverage
			WHERE community_id = $1 AND valid @> $2::timestamptz AND role = ANY($3) ORDER BY person_id, role`,
			cur.CommunityID, now, roleNames(dispatchRoles))
		if err != nil {
			return nil, fmt.Errorf("dispatch candidates: %w", err)
		}
		posts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Candidate, error) {
			var c Candidate
			return c, r.Scan(&c.PersonID, &c.Role)
		})
		if err != nil {
			return nil, fmt.Errorf("dispatch candidates: %w", err)
		}
		people := registry.NewStore(s.db)
		for _, c := range posts {
			if seen[c.PersonID] {
				continue
			}
			p, err := people.Person(ctx, access.System("dispatch"), c.PersonID)
			if err != nil {
				return nil, err
			}
			if p.Active {
				c.Name, c.Unit = p.Name, community
				add(c)
			}
		}
	}
	ids := make([]int64, len(out))
	for i, c := range out {
		ids[i] = c.PersonID
	}
	rows, err := db.Query(ctx, `SELECT assignee_person_id, count(*) FROM incident
		WHERE assignee_person_id = ANY($1) AND status IN `+openStatusesSQL+` GROUP BY assignee_person_id`, ids)
	if err != nil {
		return nil, fmt.Errorf("open loads: %w", err)
	}
	load := map[int64]int{}
	var pid int64
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&pid, &n}, func() error { load[pid] = n; return nil }); err != nil {
		return nil, fmt.Errorf("open loads: %w", err)
	}
	for i := range out {
		out[i].OpenLoad = load[out[i].PersonID]
	}
	return out, nil
}

// offered checks that a named assignee is one of the incident's candidates.
func (s *Service) offered(ctx context.Context, tx pgx.Tx, cur Incident, personID int64) (Candidate, error) {
	cands, err := s.candidates(ctx, tx, cur)
	if err != nil {
		return Candidate{}, err
	}
	for _, c := range cands {
		if c.PersonID == personID {
			return c, nil
		}
	}
	return Candidate{}, apperr.New(apperr.Invalid, "person %d holds no post where incident %d is: dispatch to one of its candidates", personID, cur.ID).
		With("field", "assignee_person_id")
}

func roleNames(rs []registry.PostRole) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return out
}
