package httpapi

import (
	"net/http"
	"regexp"
	"strings"
)

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// openAPIDocument describes the routes of the route table, so the document and the router cannot
// drift apart: a route exists in both or in neither.
func (s *Server) openAPIDocument() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range s.table {
		item, ok := paths[rt.Pattern]
		if !ok {
			item = map[string]any{}
			paths[rt.Pattern] = item
		}
		op := map[string]any{
			"summary":     rt.Summary,
			"tags":        []string{rt.Tag},
			"operationId": operationID(rt),
			"x-access":    rt.Rule.String(),
			"responses": map[string]any{
				"default": map[string]any{"description": "An RFC 9457 problem document",
					"content": map[string]any{"application/problem+json": map[string]any{}}},
				"2XX": map[string]any{"description": "Success"},
			},
		}
		if rt.Tag == "open311" && strings.HasPrefix(rt.Pattern, "/open311/") {
			op["responses"].(map[string]any)["default"] = map[string]any{
				"description": "Open311's error list ([{code, description}] in JSON, <errors> in XML)"}
		}
		var params []map[string]any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Pattern, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
				"schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if !rt.Rule.public {
			op["security"] = []map[string][]string{{"bearer": {}}, {"session": {}}}
		}
		item[strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "streetchief API", "version": s.Version,
			"description": "Street chief / lane chief responsibility system: territory, people, responsibility, incidents."},
		"paths": paths,
		"components": map[string]any{"securitySchemes": map[string]any{
			"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
			"session": map[string]any{"type": "apiKey", "in": "cookie", "name": "sc_session"},
		}},
	}
}

func operationID(rt route) string {
	id := strings.ToLower(rt.Method)
	for _, part := range strings.Split(rt.Pattern, "/") {
		part = strings.Trim(part, "{}")
		part = strings.NewReplacer("-", "_", ".", "_", ":", "_").Replace(part)
		if part != "" && part != "api" && part != "v1" {
			id += "_" + part
		}
	}
	return id
}

const openAPIType = "application/vnd.oai.openapi+json;version=3.0"

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	// The version parameter is what OGC API clients (GDAL's OAPIF driver) check for, and what the
	// landing page's service-desc link promises.
	return writeJSON(w, http.StatusOK, openAPIType, s.openAPIDocument())
}
