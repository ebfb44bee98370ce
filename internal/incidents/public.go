package incidents

import "strings"

// publicPlaceColumns are what the public answer says about where an incident is and whom it is with:
// names only, as on the public boards of the street chief system, never phones.
const publicPlaceColumns = `i.address, COALESCE((SELECT a.name FROM area_directory a WHERE a.id = i.area_id), ''),
	COALESCE((SELECT u.name FROM unit_directory u WHERE u.id = i.community_id), ''),
	COALESCE((SELECT p.name FROM person_directory p WHERE p.id = i.assignee_person_id), ''), i.escalation_level, i.queue,
	COALESCE((SELECT string_agg(d.name, '、' ORDER BY d.name) FROM department_directory d WHERE d.id = ANY (i.department_ids)), '')`

type publicPlace struct {
	address, area, community, assignee string
	level                              int
	queue, departments                 string
}

// postOfLevel names the post that holds an incident at each escalation level.
var postOfLevel = map[int]string{LevelAreaManager: "area manager", LevelLaneChief: "lane chief", LevelStreetChief: "street chief"}

// describe answers the address and the agency responsible. Under joint enforcement the departments
// called in are responsible; otherwise the person holding it, with their post; with every post
// vacant, the subdistrict's office; outside every subdistrict, the district duty desk.
func (pl publicPlace) describe(p PublicRequest) (address, agency string) {
	address = pl.address
	if address == "" {
		var parts []string
		for _, s := range []string{pl.area, pl.community, p.Subdistrict} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		address = strings.Join(parts, ", ")
	}
	switch {
	case p.Status == JointEnforcement && pl.departments != "":
		agency = pl.departments
	case pl.assignee != "":
		agency = pl.assignee + " (" + postOfLevel[pl.level] + ")"
	case pl.queue == QueueSubdistrict && p.Subdistrict != "":
		agency = p.Subdistrict + " (subdistrict office)"
	default:
		agency = "district duty desk"
	}
	return address, agency
}
