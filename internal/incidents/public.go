package incidents

// publicPlaceColumns are what the public answer says about where an incident is and whom it is with:
// names only, as on the public boards of the street chief system, never phones.
// They are selected from incident i joined with placeJoin.
var publicPlaceColumns = `i.address, COALESCE(i.area_id, 0), COALESCE(i.community_id, 0), COALESCE(i.subdistrict_id, 0),
	COALESCE((SELECT p.name FROM person_directory p WHERE p.id = i.assignee_person_id), ''), i.escalation_level, i.queue,
	COALESCE((SELECT string_agg(d.name, '、' ORDER BY d.name) FROM department_directory d WHERE d.id = ANY (i.department_ids)), ''), ` + placeColumns

type publicPlace struct {
	address, assignee  string
	level              int
	queue, departments string
	place              placeScan
}

func (pl *publicPlace) dest() []any {
	return append([]any{&pl.address, &pl.place.areaID, &pl.place.communityID, &pl.place.subdistrictID, &pl.assignee,
		&pl.level, &pl.queue, &pl.departments}, pl.place.dest()...)
}

// postOfLevel names the post that holds an incident at each escalation level.
var postOfLevel = map[int]string{LevelAreaManager: "area manager", LevelLaneChief: "lane chief", LevelStreetChief: "street chief"}

// describe answers the address and the agency responsible. Under joint enforcement the departments
// called in are responsible; otherwise the person holding it, with their post; with every post
// vacant, the subdistrict's office; outside every subdistrict, the district duty desk.
func (pl publicPlace) describe(p PublicRequest) (address, agency string) {
	address = pl.address
	if address == "" {
		address = pl.place.place().Text()
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
