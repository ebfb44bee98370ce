package incidents

import (
	"time"

	"streetchief/internal/access"
)

// Event params: the facts of a system-written event, which the dashboard phrases in the reader's
// language (web/src/incidents.js, eventText). EventTexts names every kind of text it must have.
//
//	route       person | district_desk | subdistrict: where a report or a re-routing went
//	role, person_id, person_name, unit: the person it went to, their post and the area or unit of it
//	cause       why: nobody_higher (overdue, nobody to escalate to), overdue (escalated on time-out),
//	            area_changed, areas_imported, area_deleted, unit_changed, assignment_changed (rerouted),
//	            repeat_offender (handed over: count sightings or violations in days)
//	id, last    the area, unit or assignment of the cause
//	of          the incident a duplicate is (suspected) of; radius_m, hours its window
//	outcome, by a verification: confirmed | failed, and by whom (reporter, or the verifier's role)
//	actor_role  the role of whoever wrote the event, so a login is never the only name shown
//	observed_at, accuracy_m: on "reported", the time and fix the device made the report with, when
//	            it said (the event's own at is the receipt)
//	department_id, department, department_name: the department of a joint event; vacant when
//	            nobody held its post (else person_id, person_name: who is to acknowledge); seconds
//	            from being asked to acknowledging; action, action_id, amount_yuan, legal_basis,
//	            referred_to: an action (web/src/joint-case.js phrases these)
var EventTexts = []string{"route.person", "route.district_desk", "route.subdistrict",
	"cause.nobody_higher", "cause.overdue", "cause.area_changed", "cause.areas_imported", "cause.area_deleted",
	"cause.unit_changed", "cause.assignment_changed", "cause.repeat_offender", "duplicate.suspected", "duplicate.of", "duplicate.unlinked",
	"outcome.confirmed", "outcome.failed", "by.reporter", "actor.public", "actor.system",
	"joint.added", "joint.withdrawn", "joint.acknowledged", "joint.action", "joint.voided",
	"event.department_added", "event.department_withdrawn", "event.department_acknowledged", "event.joint_action", "event.joint_action_voided"}

// RerouteCause is why incidents are routed again, as event params.
type RerouteCause struct {
	Kind     string // area_changed, areas_imported, area_deleted, unit_changed, assignment_changed
	ID, Last int64
}

func (c RerouteCause) params() map[string]any {
	p := map[string]any{"cause": c.Kind}
	if c.ID != 0 {
		p["id"] = c.ID
	}
	if c.Last != 0 {
		p["last"] = c.Last
	}
	return p
}

// routingParams says where routing sent an incident.
func routingParams(rt routing) map[string]any {
	switch {
	case rt.assignee != nil:
		p := personParams(rt.assignee.PersonID, rt.assignee.Name, string(rt.assignee.Role), "")
		p["route"] = "person"
		switch {
		case rt.assignee.Role == "area_manager" && rt.area != nil:
			p["unit"] = rt.area.Name
		case rt.assignee.Role == "lane_chief" && rt.community != nil:
			p["unit"] = rt.community.Name
		case rt.assignee.Role == "street_chief" && rt.subdistrict != nil:
			p["unit"] = rt.subdistrict.Name
		}
		return p
	case rt.outside:
		return map[string]any{"route": "district_desk"}
	}
	p := map[string]any{"route": "subdistrict"}
	if rt.subdistrict != nil {
		p["unit"] = rt.subdistrict.Name
	}
	return p
}

// observedParams adds the report's own time and fix, when the device gave them, to p.
func observedParams(p map[string]any, in Intake) map[string]any {
	if in.ObservedAt != nil {
		p["observed_at"] = in.ObservedAt.Format(time.RFC3339Nano)
	}
	if in.AccuracyM != nil {
		p["accuracy_m"] = *in.AccuracyM
	}
	return p
}

func personParams(id int64, name, role, unit string) map[string]any {
	p := map[string]any{"person_id": id, "person_name": name, "role": role}
	if unit != "" {
		p["unit"] = unit
	}
	return p
}

// merge adds the actor's role to params, and b's keys to a's.
func merge(who access.Principal, a map[string]any, b map[string]any) map[string]any {
	if a == nil {
		a = map[string]any{}
	}
	for k, v := range b {
		a[k] = v
	}
	a["actor_role"] = string(who.Role)
	return a
}
