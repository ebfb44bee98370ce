package httpapi

import (
	"streetchief/internal/access"
	"streetchief/internal/auth"
	"streetchief/internal/maptiles"
	"streetchief/internal/servicepoints"
	"streetchief/web"
)

// routes is the one flat route table: every route the server answers is a row here, in this one
// function, with its access rule. The domain then narrows what the caller sees and may change to
// their scope.
func (s *Server) routes() {
	// Operations.
	s.handle("GET", "/healthz", Public, "operations", "Liveness: the process answers", s.healthz)
	s.handle("GET", "/readyz", Public, "operations", "Readiness: database reachable, schema current", s.readyz)
	s.handle("GET", "/metrics", Public, "operations", "Prometheus metrics", s.metricsHandler)
	s.handle("GET", "/api/openapi.json", Public, "operations", "This API's OpenAPI 3 description", s.openAPI)

	// Responsibility lookup: who answers for this spot, now or then.
	s.handle("GET", "/api/v1/lookup", Public, "lookup", "Who is responsible at lon/lat (crs, at, tolerance_m)", s.lookupPoint)
	s.handle("POST", "/api/v1/lookup", Public, "lookup", "Batch lookup: JSON (up to 100,000 points), CSV or NDJSON (up to 1,000,000) in and out, fields=ids, gzip; answered in order", s.lookupBatch)

	// Reports: where full coverage is broken.
	s.handle("GET", "/api/v1/reports/gaps", Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief, access.Assessor),
		"reports", "Coverage gaps (scope, at, kinds, format=json|geojson|csv|xlsx|html|pdf; the printable html and pdf in lang=zh|en)", s.gapReport)
	s.handle("GET", "/api/v1/reports/monthly", Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief, access.Assessor),
		"reports", "Monthly report (月报) of the caller's district or one subdistrict for A4: KPIs against the month before, league, weekly trend, problem spots, coverage gaps and their map (month=YYYY-MM, default the last whole month; subdistrict=ID; format=html|pdf)", s.monthlyReport)

	// Registry: admin units.
	s.handle("GET", "/api/v1/admin-units", SignedIn, "registry", "List admin units (GeoJSON FeatureCollection)", s.listAdminUnits)
	s.handle("POST", "/api/v1/admin-units", Roles(access.Admin), "registry", "Create an admin unit from a GeoJSON Feature", s.createAdminUnit)
	s.handle("GET", "/api/v1/admin-units/{id}", SignedIn, "registry", "Get an admin unit (GeoJSON Feature)", s.getAdminUnit)
	s.handle("PUT", "/api/v1/admin-units/{id}", Roles(access.Admin), "registry", "Replace an admin unit", s.updateAdminUnit)
	s.handle("DELETE", "/api/v1/admin-units/{id}", Roles(access.Admin), "registry", "Delete an admin unit without children", s.deleteAdminUnit)

	// Registry: areas.
	s.handle("GET", "/api/v1/areas", SignedIn, "registry", "List areas in scope (GeoJSON FeatureCollection; bbox, kind, name (contains, any case), subdistrict, community filters; format=geojson|csv|kml exports all of them)", s.listAreas)
	s.handle("POST", "/api/v1/areas", fieldEditors, "registry", "Create an area from a GeoJSON Feature", s.createArea)
	s.handle("GET", "/api/v1/areas/{id}", SignedIn, "registry", "Get an area (GeoJSON Feature)", s.getArea)
	s.handle("PUT", "/api/v1/areas/{id}", fieldEditors, "registry", "Replace an area", s.updateArea)
	s.handle("DELETE", "/api/v1/areas/{id}", fieldEditors, "registry", "Delete an area", s.deleteArea)

	// Registry: people and departments.
	s.handle("GET", "/api/v1/people", SignedIn, "registry", "List people (phones only where in scope)", s.listPeople)
	s.handle("POST", "/api/v1/people", fieldEditors, "registry", "Add a person", s.createPerson)
	s.handle("GET", "/api/v1/people/{id}", SignedIn, "registry", "Get a person", s.getPerson)
	s.handle("PUT", "/api/v1/people/{id}", Roles(access.Admin), "registry", "Replace a person's details", s.updatePerson)
	s.handle("DELETE", "/api/v1/people/{id}", Roles(access.Admin), "registry", "Delete a person without history", s.deletePerson)
	s.handle("GET", "/api/v1/departments", SignedIn, "registry", "List enforcement departments", s.listDepartments)
	s.handle("POST", "/api/v1/departments", Roles(access.Admin), "registry", "Add a department", s.createDepartment)
	s.handle("GET", "/api/v1/departments/{id}", SignedIn, "registry", "Get a department", s.getDepartment)
	s.handle("PUT", "/api/v1/departments/{id}", Roles(access.Admin), "registry", "Rename a department", s.updateDepartment)
	s.handle("DELETE", "/api/v1/departments/{id}", Roles(access.Admin), "registry", "Delete an unused department", s.deleteDepartment)

	// Registry: assignments (who is responsible for what, and when).
	s.handle("GET", "/api/v1/assignments", SignedIn, "registry", "List assignments: current, at=<RFC 3339>, or history=true", s.listAssignments)
	s.handle("POST", "/api/v1/assignments", fieldEditors, "registry", "Assign a person to a post (handover=true relieves the current holder)", s.createAssignment)
	s.handle("GET", "/api/v1/assignments/{id}", SignedIn, "registry", "Get an assignment", s.getAssignment)
	s.handle("PATCH", "/api/v1/assignments/{id}", fieldEditors, "registry", "End an assignment at a given time after its start", s.endAssignment)
	s.handle("DELETE", "/api/v1/assignments/{id}", fieldEditors, "registry", "End an assignment now (history is kept; one not yet begun is refused: void it)", s.deleteAssignment)
	s.handle("POST", "/api/v1/assignments/{id}:void", Roles(access.Admin), "registry", "Void an assignment entered by mistake ({\"reason\"}); it stays on record, marked", s.voidAssignment)

	// Registry: the fixed posts of joint enforcement (定岗定人), appointed through /api/v1/assignments.
	s.handle("GET", "/api/v1/department-posts", SignedIn, "registry", "Departments' leaders and responsible people per subdistrict in scope, vacant cells marked, linked leaders and cross-appointees (at, format=json|xlsx)", s.departmentPosts)

	// Incidents: the catalogue of categories, then the reports and their workflow.
	s.handle("GET", "/api/v1/incident-categories", Public, "incidents", "The incident catalogue: 大类 and 小类 with departments, SLA hours and escalation (include_retired=true when signed in)", s.listCategories)
	s.handle("POST", "/api/v1/incident-categories", Roles(access.Admin), "incidents", "Add a category or subcategory", s.createCategory)
	// PUT predates PATCH; it changes the fields it names too, so an older client that knows nothing of
	// parents or escalation cannot reset them by leaving them out.
	s.handle("PUT", "/api/v1/incident-categories/{code}", Roles(access.Admin), "incidents", "Change a category (as PATCH; kept for older clients)", s.patchCategory)
	s.handle("PATCH", "/api/v1/incident-categories/{code}", Roles(access.Admin), "incidents", "Change some of a category's names, parent, departments, SLA hours and escalation", s.patchCategory)
	s.handle("POST", "/api/v1/incident-categories/{code}:retire", Roles(access.Admin), "incidents", "Retire a category (reason): no new incidents, old ones keep it", s.retireCategory)
	s.handle("POST", "/api/v1/incidents", Public, "incidents", "Report an incident (JSON or multipart with photos; observed_at and accuracy_m: when and how precisely a device queued it; Idempotency-Key makes retries safe)", s.reportIncident)
	s.handle("GET", "/api/v1/incidents", SignedIn, "incidents", "List incidents in scope (format=json|geojson|csv; status, category, subdistrict, community, assignee, from, to, bbox, overdue, awaiting_ack (joint cases a department has yet to acknowledge: for a liaison, theirs); before= pages)", s.listIncidents)
	s.handle("GET", "/api/v1/kpis", Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief, access.Assessor), "incidents",
		"Assessment KPIs (结案率, 按期结案率, 返工率 with their counts) in scope: by=subdistrict|community|area|department|person, period=day|week|month|quarter|year with at, or from/to dates (Beijing); subdistrict, community to drill down; format=json|csv|xlsx", s.kpis)
	s.handle("GET", "/api/v1/kpis/trend", Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief, access.Assessor), "incidents",
		"Cases opened, closed and gone overdue per day|week|month bucket (interval, from, to Beijing dates; default the last 12 weeks) by=district|subdistrict|community, in scope; subdistrict, community to drill down", s.kpiTrend)
	s.handle("GET", "/api/v1/incidents/export", Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief, access.Assessor), "incidents",
		"Every case of a period in scope with its lifecycle timestamps (period, at, from, to, subdistrict, community as /api/v1/kpis; format=csv|xlsx)", s.exportCases)
	s.handle("GET", "/api/v1/incidents/{id}", SignedIn, "incidents", "Get an incident with its history", s.getIncident)
	s.handle("POST", "/api/v1/incidents/{id}/transitions", SignedIn, "incidents", "Move an incident on in the workflow (to, note, departments, photos)", s.transitionIncident)
	s.handle("POST", "/api/v1/incidents/{id}/verification", Public, "incidents",
		"Check a resolved incident (outcome confirmed|failed, note, photos): a verifier, or the reporter with the receipt's token; confirmed closes, failed reopens", s.verifyIncident)
	s.handle("GET", "/api/v1/tracking/{number}", Public, "incidents",
		"Follow a report by its receipt's tracking number: status, place, whom it is with, public history (token= proves the reporter)", s.trackIncident)
	s.handle("POST", "/api/v1/tracking/{number}:stop-messages", Public, "incidents",
		"Stop the phone or email messages about a report ({\"token\"}: the receipt's token or a message's key)", s.stopReporterMessages)
	s.handle("GET", "/api/v1/incidents/{id}/dispatch-candidates", Roles(access.Admin, access.StreetChief), "incidents",
		"Who may take an incident (post, unit, open load): the people assignee_person_id may name", s.dispatchCandidates)
	s.handle("POST", "/api/v1/incidents/{id}/notes", SignedIn, "incidents", "Add a note and photos without moving the incident", s.noteIncident)
	s.handle("DELETE", "/api/v1/incidents/{id}/likely-duplicate", Roles(access.Admin, access.StreetChief), "incidents", "Reject the suspected-duplicate link", s.notDuplicate)
	s.handle("GET", "/api/v1/incidents/{id}/photos/{n}", SignedIn, "incidents", "A photo of an incident", servePhoto(s.Incidents.Photo))
	// Joint enforcement (联合执法): the departments of a case acknowledge it and record what they did.
	s.handle("POST", "/api/v1/incidents/{id}/departments", Roles(access.Admin, access.StreetChief), "incidents",
		"Bring one more department into a joint case (department_id, note): its responsible person in the subdistrict is asked to acknowledge", s.addJointDepartment)
	s.handle("POST", "/api/v1/incidents/{id}/departments/{department}:withdraw", Roles(access.Admin, access.StreetChief), "incidents",
		"Withdraw a department that does not lead a joint case ({\"reason\"}); it stays on record", s.withdrawJointDepartment)
	s.handle("POST", "/api/v1/incidents/{id}/departments/{department}:acknowledge", Roles(access.Admin, access.DepartmentLiaison), "incidents",
		"Acknowledge a joint case for a department (its liaison in the subdistrict, or an administrator); once: again is 409", s.acknowledgeJointDepartment)
	s.handle("POST", "/api/v1/incidents/{id}/actions", Roles(access.Admin, access.DepartmentLiaison), "incidents",
		"Record a department's action on a joint case (department_id, kind inspection|order_to_correct|fine|seizure|referral, at, note, amount_yuan and legal_basis for a fine, referred_to, photos)", s.recordJointAction)
	s.handle("POST", "/api/v1/incidents/{id}/actions/{action}:void", Roles(access.Admin, access.DepartmentLiaison), "incidents",
		"Void an action entered by mistake ({\"reason\"}); it stays on record and counts no more", s.voidJointAction)
	s.handle("GET", "/api/v1/kpis/departments", Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief, access.Assessor, access.DepartmentLiaison), "incidents",
		"Joint enforcement KPIs: departments' time to acknowledge and to first action, pending acknowledgements (by=department|subdistrict; period, at, from, to, subdistrict, community as /api/v1/kpis; format=json|csv|xlsx)", s.jointKPIs)

	// 门前三包: the shops, their pledges and the people who check them, in the caller's scope (an
	// inspector's are the shops they check).
	s.handle("GET", "/api/v1/merchants", SignedIn, "merchants",
		"List shops in scope (GeoJSON; name, status, subdistrict, community, bbox, after, limit; near=lon,lat with within_m, nearest first; due=today: your own shops not yet inspected today, with near however far)", s.listMerchants)
	s.handle("POST", "/api/v1/merchants", fieldEditors, "merchants", "Register a shop from a GeoJSON Feature (its Point; properties.frontage a line or polygon)", s.createMerchant)
	s.handle("POST", "/api/v1/merchants:import", fieldEditors, "merchants",
		"Import a register as CSV or XLSX (name, licence, address, lon, lat, crs; crs, strict, dry_run): 200, or 207 with the rejected rows by line", s.importMerchants)
	s.handle("POST", "/api/v1/merchant-inspectors:bulk", fieldEditors, "merchants",
		"Assign one person to the open shops of a community (community_id) or inside a GeoJSON polygon (within)", s.bulkInspectors)
	s.handle("GET", "/api/v1/merchants/{id}", SignedIn, "merchants", "Get a shop with its pledge and inspector state", s.getMerchant)
	s.handle("PATCH", "/api/v1/merchants/{id}", fieldEditors, "merchants", "Change some of a shop's fields (location [lon, lat], frontage, null to remove it)", s.patchMerchant)
	s.handle("POST", "/api/v1/merchants/{id}/status", fieldEditors, "merchants", "Close a shop, record that it moved away, or reopen it (status, since, note); shops are never deleted", s.merchantStatus)
	s.handle("GET", "/api/v1/merchants/{id}/pledges", SignedIn, "merchants", "A shop's pledges, newest first; current marks the one in force on (a date, default today)", s.listPledges)
	s.handle("POST", "/api/v1/merchants/{id}/pledges", fieldEditors, "merchants",
		"Record a signed pledge (signed_on, from, until, items, signer_name, witness_person_id, scan in base64); it renews the one it begins in", s.signPledge)
	s.handle("POST", "/api/v1/merchant-pledges/{id}:void", fieldEditors, "merchants", "Void a pledge entered by mistake ({\"reason\"}); it stays on record", s.voidPledge)
	s.handle("GET", "/api/v1/merchant-pledges/{id}/scan", SignedIn, "merchants", "The scan of a signed pledge", s.pledgeScan)
	s.handle("GET", "/api/v1/merchants/{id}/inspectors", SignedIn, "merchants", "A shop's inspector posts; at=<RFC 3339> answers who checked it then", s.listInspectors)
	s.handle("POST", "/api/v1/merchants/{id}/inspectors", fieldEditors, "merchants", "Put a person in charge of checking a shop (person_id, from, handover, note)", s.assignInspector)
	s.handle("PATCH", "/api/v1/merchant-inspectors/{id}", fieldEditors, "merchants", "End an inspector post ({\"until\"}, default now)", s.endInspector)
	s.handle("POST", "/api/v1/merchant-inspectors/{id}:void", fieldEditors, "merchants", "Void an inspector post entered by mistake ({\"reason\"})", s.voidInspector)
	// 门前三包: daily inspections of the shops (每日巡查), their coverage, and the repeat offenders
	// (屡教不改) they hand to joint enforcement.
	s.handle("POST", "/api/v1/inspections", inspectors, "merchants",
		"Record an inspection of a shop (JSON or multipart with up to 6 photos; Idempotency-Key makes a resend the same record); suspect check-ins (off site, vague fix, teleport, repeated position) are flagged with their reasons, never dropped", s.recordInspection)
	s.handle("GET", "/api/v1/inspections", inspectionReaders, "merchants", "Inspections in scope as visits (merchant, person, from, to: Beijing dates; limit)", s.listInspections)
	s.handle("GET", "/api/v1/inspections/coverage", inspectionReaders, "merchants",
		"门前三包 coverage in scope: by=community|subdistrict|inspector, period=day|week|month, at=YYYY-MM-DD, format=json|xlsx", s.inspectionCoverage)
	s.handle("GET", "/api/v1/inspections/calendar", inspectionReaders, "merchants", "Shops inspected per community per day (period=week|month, at=YYYY-MM-DD)", s.inspectionCalendar)
	s.handle("GET", "/api/v1/inspections/{id}", inspectionReaders, "merchants", "Get an inspection with its photos", s.getInspection)
	s.handle("GET", "/api/v1/inspections/{id}/photos/{n}", inspectionReaders, "merchants", "A photo of an inspection", servePhoto(s.Merchants.InspectionPhoto))
	s.handle("POST", "/api/v1/inspections/{id}:void", inspectors, "merchants", "Void an inspection entered by mistake ({\"reason\"}); it stays on record and counts no more", s.voidInspection)
	s.handle("GET", "/api/v1/repeat-offenders", inspectionReaders, "merchants", "Repeat offenders (屡教不改) in scope with their cases and inspections (subdistrict, format=json|xlsx)", s.repeatOffenders)
	s.handle("GET", "/api/v1/repeat-offender-rules", inspectionReaders, "merchants", "The repeat-offender rule per incident category (violations within window_days) and the default", s.repeatRules)
	s.handle("PUT", "/api/v1/repeat-offender-rules/{category}", Roles(access.Admin), "merchants", "Set a category's repeat-offender rule ({\"violations\", \"window_days\"})", s.setRepeatRule)
	// Notifications: each person's own inbox (no role reads another's) and where they want to hear.
	s.handle("GET", "/api/v1/inbox", SignedIn, "notifications", "The caller's notifications, newest first, with the unread count (before=<id>, limit ≤ 200, unread=true, lang=zh|en)", s.inbox)
	s.handle("POST", "/api/v1/inbox/{id}:read", SignedIn, "notifications", "Mark one of the caller's notifications read; the first opening's time is kept (已读)", s.readNotification)
	s.handle("PUT", "/api/v1/inbox/reach", SignedIn, "notifications", "Where the caller hears outside the app on one channel ({\"channel\": \"email|wecom|sms\", \"address\", \"enabled\", \"quiet_from\": \"22:00\", \"quiet_until\": \"07:00\", \"digest_only\": true})", s.setReach)
	// Mobile vendors (流动摊贩): the register, their zones' hours, and sightings from the field, which
	// outside a vendor's zone or hours become 占道经营 incidents.
	s.handle("GET", "/api/v1/vendors", vendorReaders, "vendors", "Registered vendors in scope with zone, status and 30-day record (zone, status, repeat_offenders)", s.listVendors)
	s.handle("POST", "/api/v1/vendors", fieldEditors, "vendors", "Register a vendor in a night-market zone (name, goods, contact, photo, zone_id, from); no ID numbers", s.registerVendor)
	s.handle("GET", "/api/v1/vendors/{id}", vendorReaders, "vendors", "A vendor with its registration history", s.getVendor)
	s.handle("GET", "/api/v1/vendors/{id}/photo", vendorReaders, "vendors", "A vendor's registered photo", s.vendorPhoto)
	s.handle("POST", "/api/v1/vendors/{id}/registrations", fieldEditors, "vendors", "Change a vendor's registration (status active|suspended|ended, zone_id, at, reason); history is kept", s.changeVendorRegistration)
	s.handle("GET", "/api/v1/vendor-zones", vendorReaders, "vendors", "Night-market and vendor zones in scope with their hours", s.listVendorZones)
	s.handle("PUT", "/api/v1/vendor-zones/{id}/hours", fieldEditors, "vendors", "Replace a zone's opening hours from a date (windows of weekdays, opens, closes; Beijing time)", s.setVendorZoneHours)
	s.handle("POST", "/api/v1/vendor-sightings", Roles(access.Admin, access.StreetChief, access.LaneChief, access.Inspector), "vendors",
		"Record a sighting (vendor_id or none, lon, lat, crs, accuracy_m, at, note, photos; Idempotency-Key): outside zone or hours it becomes a 占道经营 incident", s.recordSighting)
	s.handle("POST", "/api/v1/vendor-sightings/{id}:void", Roles(access.Admin, access.StreetChief), "vendors",
		"Void a sighting recorded by mistake ({\"reason\"}); it stays on record and no longer counts", s.voidSighting)
	s.handle("GET", "/api/v1/vendor-sightings", vendorReaders, "vendors", "Sightings in scope of a day (day, vendor, outside)", s.listSightings)
	s.handle("GET", "/api/v1/vendor-repeat-offenders", vendorReaders, "vendors", "Vendors seen outside 3 times in 30 days, with those sightings", s.listVendorRepeatOffenders)

	// Patrols (巡街): a device records a patrol offline under an id it made, sends its fixes in batches,
	// and ends it; the server judges the track (internal/fieldproof) and ties the person's records
	// made on the way to it.
	s.handle("PUT", "/api/v1/patrols/{id}", patrollers, "patrols",
		"Start a patrol under the device's UUID (started_at, area_ids (default: the person's areas where the track starts), note): 201, or 200 for the same start again; another start under the id is 409", s.startPatrol)
	s.handle("POST", "/api/v1/patrols/{id}/fixes", patrollers, "patrols",
		"Add up to 2,000 fixes ({\"fixes\": [{seq, lon, lat, accuracy_m, at}]}, seq increasing); stored seqs resent alike are skipped, otherwise 409; after the end 409", s.addPatrolFixes)
	s.handle("POST", "/api/v1/patrols/{id}:end", patrollers, "patrols",
		"End a patrol (ended_at, pauses [{from, until}]) and answer it with its verdict (suspect, reasons); the same end again answers the same", s.endPatrol)
	s.handle("POST", "/api/v1/patrols/{id}:void", patrollers, "patrols", "Void a patrol recorded by mistake ({\"reason\"}); it stays on record and counts in no report", s.voidPatrol)
	s.handle("GET", "/api/v1/patrols", patrolReaders, "patrols",
		"Patrols in scope, newest first (person, area, day=YYYY-MM-DD or from, to: Beijing dates; suspect=true|false; limit)", s.listPatrols)
	s.handle("GET", "/api/v1/patrols/report", patrolReaders, "patrols",
		"Patrols per person, area or community (by; day or from, to): patrols, credible, suspect, and the credible ones' km, minutes and mean coverage", s.patrolReport)
	s.handle("GET", "/api/v1/patrols/{id}", patrolReaders, "patrols",
		"A patrol as a GeoJSON Feature: its track, person, areas with coverage, stats, verdict and the events along the way", s.getPatrol)

	// 联合执法行动: joint operations of a subdistrict's street chief with the enforcement departments,
	// planned by the street chief (or an administrator); read as internal/operations' doc says.
	s.handle("GET", "/api/v1/operations", operationReaders, "joint-operations", "Joint operations in scope, soonest first (from, to: dates or RFC 3339; subdistrict, state=planned|under_way|outcome_overdue|done|cancelled, department)", s.listOperations)
	s.handle("POST", "/api/v1/operations", operationPlanners, "joint-operations",
		"Plan an operation (title, kind planned|short_notice, subdistrict_id, starts_at, ends_at, briefing, department_ids, people [{person_id, role commander|member}], target_area, area_ids, merchant_ids, incident_ids); one that took place comes with its outcome", s.createOperation)
	s.handle("GET", "/api/v1/operations/calendar", operationReaders, "joint-operations", "A month of operations by Beijing day (month=YYYY-MM; subdistrict, state, department)", s.operationCalendar)
	s.handle("GET", "/api/v1/operations/{id}", operationReaders, "joint-operations", "An operation with its departments, people (phones in scope), targets, cases and their states, outcomes and revisions", s.getOperation)
	s.handle("PATCH", "/api/v1/operations/{id}", operationPlanners, "joint-operations", "Change a planned operation's plan (in full, as to create it, with a reason); the plan as it was is kept as a revision", s.reviseOperation)
	s.handle("POST", "/api/v1/operations/{id}:cancel", operationPlanners, "joint-operations", "Cancel an operation without outcome ({\"reason\"}); it stays listed as cancelled", s.cancelOperation)
	s.handle("POST", "/api/v1/operations/{id}/outcomes", operationPlanners, "joint-operations",
		"Record what an operation achieved (notes, shops [{merchant_id, dealt rectified_on_spot|fined|order_issued|no_one_present}], photos in base64); a later one corrects it with a reason", s.recordOperationOutcome)
	s.handle("POST", "/api/v1/operations/{id}/cases", operationPlanners, "joint-operations", "Link a case opened on the spot while the operation ran ({\"incident_id\"})", s.linkOperationCase)
	s.handle("GET", "/api/v1/operations/{id}/report", operationReaders, "joint-operations", "The operation's printable report for A4 in Chinese (format=html|pdf)", s.operationReport)
	s.handle("GET", "/api/v1/operation-outcomes/{id}/photos/{n}", operationReaders, "joint-operations", "A photo of an operation's outcome", servePhoto(s.Operations.OutcomePhoto))

	// 督办: tasks from the city and the district to the subdistricts; read as internal/tasks' doc says.
	s.handle("GET", "/api/v1/tasks", taskReaders, "tasks", "Tasks in scope, newest first, with each subdistrict's progress (subdistrict, state=issued|broken_down|in_progress|claimed|done|cancelled); overdue=true lists what is overdue instead", s.listTasks)
	s.handle("POST", "/api/v1/tasks", taskIssuers, "tasks",
		"Issue a task (issuer_level city|district, issuing_office, title, body, done_when, deadline, subdistrict_ids or all_subdistricts, area_ids, points [{label, lon, lat}], target_area, photos in base64)", s.issueTask)
	s.handle("GET", "/api/v1/tasks/{id}", taskReaders, "tasks", "A task with its targets (GeoJSON), parts, items, their reports and the revisions", s.getTask)
	s.handle("POST", "/api/v1/tasks/{id}:cancel", taskIssuers, "tasks", "Cancel a task ({\"reason\"}); it stays listed as cancelled", s.cancelTask)
	s.handle("POST", "/api/v1/tasks/{id}/deadline", taskIssuers, "tasks", "Move a task's deadline ({\"deadline\", \"reason\"}), kept as a revision", s.changeTaskDeadline)
	s.handle("POST", "/api/v1/tasks/{id}/parts/{subdistrict}/items", taskBreakers, "tasks",
		"Break a subdistrict's part down into items ({\"items\": [{community_id or 0 for subdistrict level, text, deadline}]}); each community's lane chief is told", s.breakDownTask)
	s.handle("POST", "/api/v1/task-items/{id}/progress", taskReporters, "tasks",
		"Report progress on an item (text, percent, done, photos in base64, lon, lat, accuracy_m); a position away from the item is kept and flagged", s.reportTaskProgress)
	s.handle("POST", "/api/v1/task-items/{id}:accept", taskIssuers, "tasks", "Accept an item reported done ({\"note\"})", s.acceptTaskItem)
	s.handle("POST", "/api/v1/task-items/{id}:return", taskIssuers, "tasks", "Return an item reported done ({\"reason\"}); it is in progress again", s.returnTaskItem)
	s.handle("GET", "/api/v1/tasks/{id}/photos/{n}", taskReaders, "tasks", "A photo attached to a task", servePhoto(s.Tasks.TaskPhoto))
	s.handle("GET", "/api/v1/task-events/{id}/photos/{n}", taskReaders, "tasks", "A photo of a progress report", servePhoto(s.Tasks.EventPhoto))

	// 志愿服务: volunteer organisations, contracts and payments (booked in the funds ledger), volunteers,
	// activities and their totals; read as internal/volunteers' doc says.
	s.handle("GET", "/api/v1/volunteer-orgs", volunteerReaders, "volunteers", "Volunteer-service organisations (contacts for admins and district leaders)", s.listVolunteerOrgs)
	s.handle("POST", "/api/v1/volunteer-orgs", volunteerFinance, "volunteers", "Register an organisation (name, registration_no, contact_name, contact_phone)", s.createVolunteerOrg)
	s.handle("GET", "/api/v1/volunteer-contracts", volunteerReaders, "volunteers", "Contracts with their amount, paid, remaining, hours target and delivered (year)", s.listVolunteerContracts)
	s.handle("POST", "/api/v1/volunteer-contracts", volunteerFinance, "volunteers",
		"Sign a contract (org_id, year, period_from, period_to, yuan, hours_target, signed_on, scan in base64)", s.createVolunteerContract)
	s.handle("GET", "/api/v1/volunteer-contracts/{id}", volunteerReaders, "volunteers", "A contract with its revisions and (admins, district leaders) its payments", s.getVolunteerContract)
	s.handle("POST", "/api/v1/volunteer-contracts/{id}/revisions", volunteerFinance, "volunteers", "Amend a contract by a new revision (its terms in full, with a reason); never below what is paid", s.reviseVolunteerContract)
	s.handle("GET", "/api/v1/volunteer-contracts/{id}/scan", volunteerReaders, "volunteers", "The contract's latest scanned copy", s.volunteerContractScan)
	s.handle("POST", "/api/v1/volunteer-contracts/{id}/payments", volunteerFinance, "volunteers",
		"Pay under a contract (paid_on, yuan with at most two decimals, note), booked as volunteer-service spending split by the standing rule; beyond the remaining amount is 409", s.payVolunteerContract)
	s.handle("POST", "/api/v1/volunteer-payments/{id}:void", volunteerFinance, "volunteers", "Void a mistaken payment ({\"reason\"}): correcting ledger entries bring it to nothing; it stays on record", s.voidVolunteerPayment)
	s.handle("GET", "/api/v1/volunteers", volunteerReaders, "volunteers", "Volunteers in scope, with phones (org, community, active=true)", s.listVolunteers)
	s.handle("POST", "/api/v1/volunteers", volunteerRecorders, "volunteers", "Register a volunteer (org_id, community_id, name, phone, skills, joined_on)", s.addVolunteer)
	s.handle("GET", "/api/v1/volunteers/{id}", volunteerReaders, "volunteers", "A volunteer in scope with their joinings and leavings", s.getVolunteer)
	s.handle("POST", "/api/v1/volunteers/{id}/memberships", volunteerRecorders, "volunteers", "A volunteer leaves or joins again ({\"kind\": \"left\"|\"joined\", \"on\", \"reason\"})", s.changeVolunteerMembership)
	s.handle("GET", "/api/v1/volunteer-activities", volunteerReaders, "volunteers",
		"Activities in scope, newest first (from, to: dates; subdistrict, community, org, voided=true, limit; format=json|geojson: points)", s.listVolunteerActivities)
	s.handle("POST", "/api/v1/volunteer-activities", volunteerRecorders, "volunteers",
		"Record an activity that took place (org_id, starts_at, ends_at, place: GeoJSON Point or Polygon inside the district, kind, description, volunteer_ids, head_count, hours_each, photos in base64)", s.recordVolunteerActivity)
	s.handle("GET", "/api/v1/volunteer-activities/{id}", volunteerReaders, "volunteers", "An activity in scope", s.getVolunteerActivity)
	s.handle("POST", "/api/v1/volunteer-activities/{id}:void", volunteerRecorders, "volunteers", "Void an activity entered by mistake ({\"reason\"}); kept, no longer counted", s.voidVolunteerActivity)
	s.handle("GET", "/api/v1/volunteer-activities/{id}/photos/{n}", volunteerReaders, "volunteers", "A photo of an activity", s.volunteerActivityPhoto)
	s.handle("GET", "/api/v1/volunteer-totals", volunteerReaders, "volunteers",
		"A year's activities, participants and volunteer-hours per community and month, and each contract's hours delivered against its target, in scope (year; format=json|xlsx; lang=zh|en)", s.volunteerTotals)
	// 便民服务点: service points on the map; anyone sees the open ones without contacts, read and
	// changed in scope as internal/servicepoints' doc says. Kinds are an administrator's.
	s.handle("GET", "/api/v1/service-points", Public, "service-points",
		"Service points as GeoJSON or format=csv (type, status, subdistrict, community, bbox, limit): open ones for anyone, closed ones and contacts in scope", s.listServicePoints)
	s.handle("POST", "/api/v1/service-points", fieldEditors, "service-points",
		"Register a point: a Feature (Point; crs=wgs84|gcj02|bd09|cgcs2000) with type, name, address, hours [{weekdays, opens, closes}], operator_org, contact_name, contact_phone, capacity, opened_on, reason", s.createServicePoint)
	s.handle("GET", "/api/v1/service-points/{id}", Public, "service-points", "A point with its openings and closings (its revisions in scope)", s.getServicePoint)
	s.handle("PATCH", "/api/v1/service-points/{id}", fieldEditors, "service-points",
		"Revise a point (any of its fields, location [lon, lat] in crs=, and a reason); the old details stay as a revision", s.reviseServicePoint)
	s.handle("POST", "/api/v1/service-points/{id}:close", fieldEditors, "service-points", "Close a point from a date ({\"reason\", \"since\"}); it stays on the register", s.setServicePointStatus(servicepoints.Closed))
	s.handle("POST", "/api/v1/service-points/{id}:reopen", fieldEditors, "service-points", "Open a closed point again from a date ({\"reason\", \"since\"})", s.setServicePointStatus(servicepoints.Open))
	s.handle("GET", "/api/v1/service-point-types", Public, "service-points", "The kinds of service point with their names and gap distance, retired ones last", s.listServicePointTypes)
	s.handle("POST", "/api/v1/service-point-types", Roles(access.Admin), "service-points",
		"Add a kind of point (code, name_zh, name_en, gap_distance_m 50–20,000, colour #rrggbb, sort_order)", s.addServicePointType)
	s.handle("POST", "/api/v1/service-point-types/{code}:retire", Roles(access.Admin), "service-points", "Retire a kind ({\"reason\"}): no new points of it, out of the gap report", s.retireServicePointType)

	// Open311 GeoReport v2: the incident catalogue and reports for outside systems (the 12345
	// hotline). Errors are Open311's own lists, not problem documents (see open311.go).
	s.handle("GET", "/open311/v2/discovery.{format}", Public, "open311", "Open311 GeoReport v2 discovery (json or xml)", s.open311(s.o311Discovery))
	s.handle("GET", "/open311/v2/services.{format}", Public, "open311", "Open311 service list: the incident categories", s.open311(s.o311Services))
	s.handle("GET", "/open311/v2/services/{code}.{format}", Public, "open311", "Open311 service definition: a category's attributes", s.open311(s.o311Definition))
	s.handle("GET", "/open311/v2/requests.{format}", Public, "open311", "Open311 service requests (service_request_id, service_code, start_date, end_date, status)", s.open311(s.o311Requests))
	s.handle("POST", "/open311/v2/requests.{format}", Public, "open311", "Open311 report (form-encoded service_code, lat, long, address_string, attribute[crs], description, media_url, api_key)", s.open311(s.o311Create))
	s.handle("GET", "/open311/v2/requests/{id}.{format}", Public, "open311", "Open311 one service request", s.open311(s.o311Request))
	s.handle("GET", "/api/v1/open311-keys", Roles(access.Admin), "open311", "List Open311 api_keys (never their secrets)", s.listOpen311Keys)
	s.handle("POST", "/api/v1/open311-keys", Roles(access.Admin), "open311",
		"Issue an Open311 api_key (name, jurisdiction, per_minute, expires_at); the key is shown once", s.issueOpen311Key)
	s.handle("DELETE", "/api/v1/open311-keys/{id}", Roles(access.Admin), "open311", "Revoke an Open311 api_key (it stays listed)", s.revokeOpen311Key)

	// Data in and out: bulk import, and the OGC API – Features service that GIS clients such as QGIS
	// add as layers. (Exports are GET /api/v1/areas?format=geojson|csv|kml.)
	s.handle("POST", "/api/v1/areas:import", fieldEditors, "registry",
		"Import a GeoJSON FeatureCollection of areas (kind, name_prop, key_prop, strict, repair, dry_run); 200, or 207 with the skipped features", s.importAreas)
	s.handle("GET", "/ogc", Public, "ogc", "OGC API – Features landing page", s.ogcLanding)
	s.handle("GET", "/ogc/conformance", Public, "ogc", "OGC API – Features conformance classes", s.ogcConformance)
	s.handle("GET", "/ogc/collections", Public, "ogc", "Feature collections: admin_units, areas, incidents", s.ogcCollections)
	s.handle("GET", "/ogc/collections/{collection}", Public, "ogc", "One feature collection", s.ogcCollection)
	s.handle("GET", "/ogc/collections/{collection}/items", Public, "ogc",
		"Features (bbox, datetime, limit, offset; incidents need sign-in and follow scope)", s.ogcItems)
	s.handle("GET", "/ogc/collections/{collection}/items/{feature}", Public, "ogc", "One feature", s.ogcItem)

	// Vector tiles: every layer's tiles (.mvt, and .pbf for clients that ask so) and its TileJSON,
	// under the layer's own access rule. The layers are maptiles' list, so a layer added there is
	// served, and described here, without a row of its own.
	for _, l := range maptiles.Layers() {
		rule := Public
		if !l.Public {
			rule = SignedIn
		}
		for _, ext := range []string{"mvt", "pbf"} {
			s.handle("GET", "/tiles/"+l.Name+"/{z}/{x}/{y}."+ext, rule, "tiles",
				"Vector tile of the "+l.Name+" layer: "+l.Description, s.vectorTile(l))
		}
		s.handle("GET", "/tiles/"+l.Name+".json", rule, "tiles", "TileJSON 3.0.0 of the "+l.Name+" layer", s.tileJSON(l.Name))
	}
	s.handle("GET", "/tiles/index.json", Public, "tiles", "The tile layers, their access rules, filters and TileJSON", s.tileIndex)

	// Accounts: sign-in and sessions, users, API tokens, the audit trail.
	s.handle("POST", auth.SignInPath, Public, "auth", "Sign in with username and password: sets the session cookie, answers the CSRF token", s.signIn)
	s.handle("GET", "/api/v1/session", Public, "auth", "Who am I: the signed-in user and scope, or anonymous", s.whoAmI)
	s.handle("DELETE", "/api/v1/session", SignedIn, "auth", "Sign out: end this session", s.signOut)
	s.handle("GET", "/api/v1/users", Roles(access.Admin), "auth", "List accounts", s.listUsers)
	s.handle("POST", "/api/v1/users", Roles(access.Admin), "auth", "Create an account", s.createUser)
	s.handle("PATCH", "/api/v1/users/{id}", Roles(access.Admin), "auth", "Change an account's role, person, password or disabled flag", s.updateUser)
	s.handle("GET", "/api/v1/tokens", SignedIn, "auth", "List API tokens: your own, or user_id=N for an administrator", s.listTokens)
	s.handle("POST", "/api/v1/tokens", SignedIn, "auth", "Issue an API token (its secret is shown once)", s.issueToken)
	s.handle("DELETE", "/api/v1/tokens/{id}", SignedIn, "auth", "Revoke an API token", s.revokeToken)
	s.handle("GET", "/api/v1/audit", Roles(access.Admin, access.DistrictLeader), "auth", "Audit trail, newest first: target=type:id, before, limit", s.listAudit)

	// Linked department cadres (挂钩干部): the street chief's yearly opinions for the personnel review,
	// confidential to the personnel office (admin, district leader) and the subdistrict's street chief.
	s.handle("GET", "/api/v1/cadres/opinions", cadreReaders, "cadres", "Street chiefs' opinions (街长意见) on linked cadres, standing and corrected, in scope (year, subdistrict)", s.listCadreOpinions)
	s.handle("POST", "/api/v1/cadres/opinions", cadreWriters, "cadres",
		"Record the year's opinion on a cadre post of your subdistrict (year, person_id, subdistrict_id, role, department_id, level, rating excellent|competent|basically_competent|incompetent, text)", s.recordCadreOpinion)
	s.handle("POST", "/api/v1/cadres/opinions/{id}:supersede", cadreWriters, "cadres", "Correct a standing opinion with a new one ({\"rating\", \"text\", \"reason\"}); both stay on record", s.correctCadreOpinion)
	s.handle("GET", "/api/v1/cadres/bonus-basis", cadreReaders, "cadres",
		"The year's bonus-basis table (奖金挂钩表): each cadre post with months held, the opinion and the subdistrict's KPI figures (year, default last; subdistrict; format=json|xlsx; lang=zh|en)", s.cadreBonusBasis)

	// The assessment's rules (考评奖惩) tried on scores a policy maker or assessor gives; no database.
	s.handle("POST", "/api/v1/assessments:simulate", Roles(access.Admin, access.DistrictLeader, access.Assessor), "assessment",
		"Apply the assessment's rules to consecutive quarters' scores ({\"quarters\": [{\"period\", \"scores\"}], \"rules\"}): ranking, rewards, penalties, interviews, public explanations and the year's commendation, with reasons (docs/assessment.md)", s.simulateAssessment)
	// The assessment itself (每月一小考,每季一大考): score sheets, marks, publication, amendments.
	s.handle("GET", "/api/v1/assessments/sheets", assessmentReaders, "assessment", "Every version of the monthly and quarterly score sheets (考评细则), and the metrics a sheet may compute", s.assessmentSheets)
	s.handle("POST", "/api/v1/assessments/sheets", assessmentPublishers, "assessment",
		"A new version of a score sheet (kind month|quarter, name, effective_from the first day of a month/quarter after every period already assessed, quarter_share, items: code, name_zh, name_en, max_points adding up to 100, source computed|entered|sample, metric, full_at, zero_at)", s.createAssessmentSheet)
	s.handle("GET", "/api/v1/assessments/periods", assessmentReaders, "assessment", "Periods being assessed or published, newest first (kind=month|quarter)", s.assessmentPeriods)
	s.handle("GET", "/api/v1/assessments/trend", assessmentReaders, "assessment", "Published scores and ranks of every subdistrict from one period to another (kind=month|quarter, from, to: 2026-01 or 2026-Q1)", s.assessmentTrend)
	s.handle("GET", "/api/v1/assessments/years/{year}", assessmentReaders, "assessment",
		"A year's quarterly scores, annual average and rank, commendation, rewards, penalties, interviews and public explanations per subdistrict — the basis of civilised-unit selection, cadres' year-end performance and the comprehensive-governance assessment (format=json|xlsx, one sheet per use)", s.assessmentYear)
	s.handle("GET", "/api/v1/assessments/{kind}/{period}", assessmentReaders, "assessment",
		"A month (2026-03) or quarter (2026-Q1): a live draft with each item's points and figures until published, then the standing revision (revision=N for an older one) with its outcomes and their reasons", s.assessmentResult)
	s.handle("POST", "/api/v1/assessments/{kind}/{period}/marks", assessmentMarkers, "assessment",
		"An assessor's mark on an entered or spot-check item ({subdistrict_id, item_code, points, note, photos: base64, reason when it supersedes a mark})", s.recordAssessmentMark)
	s.handle("GET", "/api/v1/assessments/marks/{id}/photos/{n}", assessmentReaders, "assessment", "A photo of an assessor's mark (a street chief: of their own subdistricts)", servePhoto(s.Assessment.MarkPhoto))
	s.handle("POST", "/api/v1/assessments/marks/{id}:void", assessmentMarkers, "assessment", "Void a mark entered by mistake ({\"reason\"}); it stays on record", s.voidAssessmentMark)
	s.handle("POST", "/api/v1/assessments/{kind}/{period}/samples", assessmentMarkers, "assessment",
		"Draw the areas of a subdistrict an assessor spot-checks (随机抽查) for a sample item ({subdistrict_id, item_code, count ≤ 30}), once", s.drawAssessmentSample)
	s.handle("POST", "/api/v1/assessments/{kind}/{period}:publish", assessmentPublishers, "assessment",
		"Publish an ended period: scores frozen, ranks, a quarter's rewards, penalties, interviews and commendations by the rules, booked in the funds ledger", s.publishAssessment)
	s.handle("POST", "/api/v1/assessments/{kind}/{period}:amend", assessmentPublishers, "assessment",
		"Amend a published period ({changes: [{subdistrict_id, item_code, points}], reason}): a new revision, outcomes drawn again, the ledger corrected by entries, and what depends on it revised", s.amendAssessment)
	// The funds ledger (经费): allocations, the assessment's rewards and penalties, spending, corrections.
	s.handle("GET", "/api/v1/funds/balances", fundsReaders, "funds",
		"A year's balances per subdistrict, fund and payer with their allocation, rewards, penalties, spending and corrections, and the totals, in scope (year, default this one; subdistrict=ID|district; format=json|xlsx; lang=zh|en)", s.fundsBalances)
	s.handle("GET", "/api/v1/funds/entries", fundsReaders, "funds",
		"Ledger entries in scope, newest first, with the corrections' links (year, subdistrict=ID|district, fund, kind, source, source_id, limit; format=json|csv|xlsx; lang=zh|en)", s.fundsEntries)
	s.handle("POST", "/api/v1/funds/allocations", fundsBookers, "funds", "Book a year's standing allocations ({\"year\"}); again books nothing and says so", s.fundsAllocate)
	s.handle("POST", "/api/v1/funds/entries", fundsBookers, "funds",
		"Book an allocation or a spending by hand (year, subdistrict_id (0: district-wide), fund civilised_city|volunteer_service, payer city|district, kind allocation|spending, yuan, reason)", s.fundsBook)
	s.handle("POST", "/api/v1/funds/entries/{id}:correct", fundsBookers, "funds",
		"Correct an entry to what it should amount to ({\"yuan\", \"reason\"}): a new entry books the difference, both stay on record", s.fundsCorrect)

	// 物业: compounds' property managers, residents' teams and building representatives (internal/partners).
	s.handle("GET", "/api/v1/compounds", partnerReaders, "partners", "Residential compounds in scope with their property manager, residents' teams and building representatives at a moment (at=date or RFC 3339, subdistrict, community, area: one compound, none when out of scope)", s.listCompounds)
	s.handle("GET", "/api/v1/compounds/summary", partnerReaders, "partners", "Per community in scope: compounds, with a manager, with a team, with neither, building representatives (at)", s.compoundSummary)
	s.handle("GET", "/api/v1/compounds/{id}", partnerReaders, "partners", "A compound's partners at a moment and every record it had, ended and voided ones with their reasons (at)", s.getCompound)
	s.handle("POST", "/api/v1/compounds/{id}/contracts", partnerWriters, "partners", "Sign a company on for the compound (company_id, signed_on, from, until exclusive; handover with reason ends the running one)", s.signContract())
	s.handle("POST", "/api/v1/compounds/{id}/teams", partnerWriters, "partners", "Add a residents' team (team_type self_governance|owners_committee, name, leader_person_id, members, from, until)", s.addTeam())
	s.handle("POST", "/api/v1/compounds/{id}/building-reps", partnerWriters, "partners", "Add a building representative (person_id, building, from, until); one per building at a time", s.addBuildingRep())
	s.handle("POST", "/api/v1/compound-partners/{id}:end", partnerWriters, "partners", "End a contract, team or representative ({\"at\", \"reason\"}); the record stays", s.endPartner)
	s.handle("POST", "/api/v1/compound-partners/{id}:void", partnerWriters, "partners", "Void a record entered by mistake ({\"reason\"}); it stays in the history", s.voidPartner)
	s.handle("GET", "/api/v1/property-companies", partnerReaders, "partners", "Property-management companies (name); the duty phone only where one of its compounds is in scope", s.listPropertyCompanies)
	s.handle("POST", "/api/v1/property-companies", partnerWriters, "partners", "Register a company (name, licence_no 统一社会信用代码, contact_person_id, phone)", s.addPropertyCompany)
	// Duties (履职): deputies, committee members and party members, their pledges, duty records and
	// party members' evaluation; each narrowed to the caller's communities, a participant to their own.
	s.handle("GET", "/api/v1/duty-kinds", dutyReaders, "duties", "The configurable kinds of duty record (入户走访, 文明劝导, …), retired ones last", s.dutyKinds)
	s.handle("PUT", "/api/v1/duty-kinds/{code}", Roles(access.Admin), "duties", "Add, rename, move or retire a duty kind ({name_zh, name_en, position, retired})", s.putDutyKind)
	s.handle("GET", "/api/v1/duty-members", dutyReaders, "duties",
		"Deputies, committee members and party members in scope with their community or unit, period, pledge in force and last confirmed record (community, member_type, unit, current=true)", s.listDutyMembers)
	s.handle("POST", "/api/v1/duty-members", dutyRegistrars, "duties",
		"Register a registry person as a member (person_id, member_type party_congress_deputy|peoples_congress_deputy|cppcc_member|party_member, level province|city|district|subdistrict, community_id or, for a party member, unit_name, from, until)", s.addDutyMember)
	s.handle("GET", "/api/v1/duty-members/{id}", dutyReaders, "duties", "One member", s.getDutyMember)
	s.handle("POST", "/api/v1/duty-members/{id}:end", dutyRegistrars, "duties", "End a membership ({ended_on, reason}); it is kept", s.endDutyMember)
	s.handle("GET", "/api/v1/duty-members/{id}/pledges", dutyReaders, "duties", "A member's pledges (承诺书), newest first, the one in force marked current", s.dutyPledges)
	s.handle("POST", "/api/v1/duty-members/{id}/pledges", dutyRegistrars, "duties",
		"Record a signed pledge or its renewal (signed_on, from, until, items, body, scan: base64 image or PDF)", s.signDutyPledge)
	s.handle("GET", "/api/v1/duty-pledges/{id}/scan", dutyReaders, "duties", "The scan of a signed pledge", s.dutyPledgeScan)
	s.handle("GET", "/api/v1/duty-records", dutyReaders, "duties",
		"Duty records in scope, newest first (member, community, year, status, limit; format=json|geojson — the map layer, voided ones left out)", s.listDutyRecords)
	s.handle("POST", "/api/v1/duty-records", dutyEnterers, "duties",
		"Enter a duty record (member_id, day YYYY-MM-DD in Beijing, not ahead, kind, lon/lat or area_id inside the district, description, hours > 0 and ≤ 24, photos: up to 6 base64)", s.enterDutyRecord)
	s.handle("GET", "/api/v1/duty-records/{id}", dutyReaders, "duties", "One duty record with its status", s.getDutyRecord)
	s.handle("GET", "/api/v1/duty-records/{id}/photos/{n}", dutyReaders, "duties", "Photo n of a duty record", servePhoto(s.Duties.RecordPhoto))
	s.handle("POST", "/api/v1/duty-records/{id}:confirm", dutyConfirmers, "duties", "Confirm a pending record (the community's lane chief, not whoever entered it)", s.decideDutyRecord("confirm"))
	s.handle("POST", "/api/v1/duty-records/{id}:return", dutyConfirmers, "duties", "Return a pending record ({\"reason\"})", s.decideDutyRecord("return"))
	s.handle("POST", "/api/v1/duty-records/{id}:void", dutyEnterers, "duties", "Void a record ({\"reason\"}; a member only their own pending ones); it is kept", s.decideDutyRecord("void"))
	s.handle("GET", "/api/v1/duties/summary", dutyReaders, "duties", "A year's records, confirmed records, hours and kinds per member or community in scope (year, by=person|community)", s.dutySummary)
	s.handle("GET", "/api/v1/duty-templates", dutyReaders, "duties", "The party members' evaluation template in force in a year (year)", s.dutyTemplate)
	s.handle("POST", "/api/v1/duty-templates", Roles(access.Admin, access.DistrictLeader), "duties",
		"A new version of the evaluation template from a year after every evaluated one (name, effective_year, items: code, name_zh, name_en, max_points adding up to 100, excellent_min, qualified_min, basic_min)", s.createDutyTemplate)
	s.handle("GET", "/api/v1/duty-evaluations", dutyReaders, "duties",
		"The standing evaluations of a year in scope, best first (year, community, unit; format=json|xlsx — the civilised-unit selection; lang=zh|en)", s.dutyEvaluations)
	s.handle("POST", "/api/v1/duty-evaluations", dutyEvaluators, "duties",
		"Evaluate a party member's year (member_id, year, scores per item, evaluator, notes; again is a revision with its reason); total and grade are computed", s.evaluateDutyMember)
	s.handle("GET", "/api/v1/duty-members/{id}/evaluations/{year}", dutyReaders, "duties",
		"A member's evaluation of a year, every revision newest first (format=json|xlsx — the member's appraisal; lang=zh|en)", s.dutyMemberEvaluation)

	// The embedded dashboard: the page at / and its content-hashed files under /assets/, which never
	// change under a name and so are cached for a year. chi matches a static path before a wildcard
	// whatever the order of registration, so /assets/* shadows nothing above.
	assets := web.Assets()
	s.handle("GET", "/", Public, "dashboard", "The map dashboard (HTML page)", s.dashboardPage(assets))
	s.handle("GET", "/assets/*", Public, "dashboard", "The dashboard's scripts, styles and workers (content-hashed names)", s.dashboardAsset(assets))
	// The field app (外勤): an installable offline-first page for phones, its service worker and manifest.
	s.handle("GET", "/field", Public, "field", "The field app's address without its slash (redirects to /field/)", s.fieldRedirect)
	s.handle("GET", "/field/", Public, "field", "The field app for phones (HTML page; installable, works offline)", s.fieldPage(assets))
	s.handle("GET", "/field/{file}", Public, "field", "The field app's service worker, manifest and icons", s.fieldFile(assets))
}

// inspectors record and void inspections, each within their shops; inspectionReaders read them.
var (
	inspectors        = Roles(access.Admin, access.StreetChief, access.LaneChief, access.Inspector)
	inspectionReaders = Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief, access.Inspector, access.Assessor)
)

// patrollers walk patrols (each their own, with a linked person); patrolReaders read them in scope.
var (
	patrollers    = Roles(access.Admin, access.StreetChief, access.LaneChief, access.Inspector)
	patrolReaders = Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief, access.Inspector, access.Assessor)
)

// fieldEditors are the roles that change field data; each is confined to its scope by the domain.
var fieldEditors = Roles(access.Admin, access.StreetChief, access.LaneChief)

// vendorReaders see the vendor register in their scope.
var vendorReaders = Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief, access.Inspector)

// cadreReaders read the linked cadres' opinions and bonus table; cadreWriters record opinions.
var (
	cadreReaders = Roles(access.Admin, access.DistrictLeader, access.StreetChief)
	cadreWriters = Roles(access.Admin, access.StreetChief)
	// assessmentReaders read results (street chiefs their drafts' own rows); markers enter marks;
	// publishers publish, amend and keep the sheets.
	assessmentReaders    = Roles(access.Admin, access.DistrictLeader, access.Assessor, access.StreetChief)
	assessmentMarkers    = Roles(access.Admin, access.DistrictLeader, access.Assessor)
	assessmentPublishers = Roles(access.Admin, access.DistrictLeader)
)

// fundsReaders read the ledger (a street chief their subdistricts'); fundsBookers book entries.
var (
	fundsReaders = Roles(access.Admin, access.DistrictLeader, access.Assessor, access.StreetChief)
	fundsBookers = Roles(access.Admin, access.DistrictLeader)
)

// taskIssuers issue, change, accept and return tasks; taskBreakers break parts down; taskReporters
// report progress; taskReaders read them, narrowed by internal/tasks.
var (
	taskIssuers   = Roles(access.Admin, access.DistrictLeader)
	taskBreakers  = Roles(access.Admin, access.StreetChief)
	taskReporters = Roles(access.Admin, access.StreetChief, access.LaneChief)
	taskReaders   = Roles(access.Admin, access.DistrictLeader, access.Assessor, access.StreetChief, access.LaneChief)
)

// volunteerReaders read volunteer services (chiefs in their scope); volunteerRecorders record
// volunteers and activities in their scope; volunteerFinance keeps organisations, contracts and payments.
var (
	volunteerReaders   = Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief)
	volunteerRecorders = Roles(access.Admin, access.StreetChief, access.LaneChief)
	volunteerFinance   = Roles(access.Admin, access.DistrictLeader)
)

// operationPlanners plan and change joint operations, each in their subdistricts; operationReaders
// read them, narrowed by internal/operations.
var (
	operationPlanners = Roles(access.Admin, access.StreetChief)
	operationReaders  = Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief, access.DepartmentLiaison)
)

// partnerReaders read compounds' partners in scope; partnerWriters record and close them.
var (
	partnerReaders = Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief)
	partnerWriters = Roles(access.Admin, access.StreetChief, access.LaneChief)
)

// dutyReaders read duty members and records, narrowed by internal/duties (a participant to their
// own); dutyRegistrars register members and pledges; dutyEnterers enter and void records;
// dutyConfirmers confirm and return them; dutyEvaluators evaluate party members.
var (
	dutyReaders    = Roles(access.Admin, access.DistrictLeader, access.Assessor, access.StreetChief, access.LaneChief, access.Participant)
	dutyRegistrars = Roles(access.Admin, access.StreetChief, access.LaneChief)
	dutyEnterers   = Roles(access.Admin, access.LaneChief, access.Participant)
	dutyConfirmers = Roles(access.Admin, access.LaneChief)
	dutyEvaluators = Roles(access.Admin, access.StreetChief, access.LaneChief)
)
