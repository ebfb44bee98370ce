package httpapi

import "streetchief/internal/access"

// routes is the one flat route table. Each row names its access rule; the domain then narrows
// what the caller sees and may change to their scope.
func (s *Server) routes() {
	// Operations.
	s.handle("GET", "/healthz", Public, "operations", "Liveness: the process answers", s.healthz)
	s.handle("GET", "/readyz", Public, "operations", "Readiness: database reachable, schema current", s.readyz)
	s.handle("GET", "/metrics", Public, "operations", "Prometheus metrics", s.metricsHandler)
	s.handle("GET", "/api/openapi.json", Public, "operations", "This API's OpenAPI 3 description", s.openAPI)

	// Responsibility lookup: who answers for this spot, now or then.
	s.handle("GET", "/api/v1/lookup", Public, "lookup", "Who is responsible at lon/lat (crs, at, tolerance_m)", s.lookupPoint)
	s.handle("POST", "/api/v1/lookup", Public, "lookup", "Batch lookup of up to 100,000 points, answered in order", s.lookupBatch)

	// Reports: where full coverage is broken.
	s.handle("GET", "/api/v1/reports/gaps", Roles(access.Admin, access.DistrictLeader, access.StreetChief, access.LaneChief, access.Assessor),
		"reports", "Coverage gaps (scope, at, kinds, format=json|geojson|csv|xlsx|html)", s.gapReport)

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

	s.incidentRoutes()
	s.dataRoutes()
	s.tileRoutes()
	s.authRoutes()
	s.webRoutes()
}

// fieldEditors are the roles that change field data; each is confined to its scope by the domain.
var fieldEditors = Roles(access.Admin, access.StreetChief, access.LaneChief)
