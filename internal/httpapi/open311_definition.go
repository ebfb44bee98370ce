package httpapi

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// Service definitions (GET services/{code}): every category takes the same attribute, the coordinate
// system of lat/long, because Chinese map apps report in GCJ-02 or BD-09 rather than WGS-84; and
// shows, for information, how long each stage may take.

type o311Value struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

type o311Attribute struct {
	XMLName             xml.Name    `json:"-" xml:"attribute"`
	Variable            bool        `json:"variable" xml:"variable"`
	Code                string      `json:"code" xml:"code"`
	Datatype            string      `json:"datatype" xml:"datatype"`
	Required            bool        `json:"required" xml:"required"`
	DatatypeDescription string      `json:"datatype_description" xml:"datatype_description"`
	Order               int         `json:"order" xml:"order"`
	Description         string      `json:"description" xml:"description"`
	Values              []o311Value `json:"values,omitempty" xml:"values>value,omitempty"`
}

type o311Definition struct {
	ServiceCode string          `json:"service_code" xml:"service_code"`
	Attributes  []o311Attribute `json:"attributes" xml:"attributes>attribute"`
}

// o311CRS are the values of the crs attribute, as incidents.IntakeFields.CRS takes them.
var o311CRS = []o311Value{
	{Key: "wgs84", Name: "WGS-84 (GPS), the default"},
	{Key: "cgcs2000", Name: "CGCS2000"},
	{Key: "gcj02", Name: "GCJ-02 (火星坐标: AMap, Tencent Maps)"},
	{Key: "bd09", Name: "BD-09 (Baidu Maps)"},
}

func o311Attributes(cat incidents.Category) []o311Attribute {
	return []o311Attribute{
		{Variable: true, Code: "crs", Datatype: "singlevaluelist", Order: 1,
			DatatypeDescription: "one of the keys below", Description: "坐标系 The coordinate system of lat and long", Values: o311CRS},
		{Variable: false, Code: "handling", Datatype: "string", Order: 2, Description: fmt.Sprintf(
			"受理 acknowledged within %d h, 处置 started within %d h, 办结 resolved within %d h", cat.AckHours, cat.StartHours, cat.ResolveHours)},
	}
}

func (s *Server) o311Definition(w http.ResponseWriter, r *http.Request, c o311Call) error {
	cats, err := s.Incidents.Categories(r.Context())
	if err != nil {
		return err
	}
	code := chi.URLParam(r, "code")
	for _, cat := range cats {
		if cat.Code == code {
			return writeOpen311(w, c.format, http.StatusOK, "service_definition",
				o311Definition{ServiceCode: cat.Code, Attributes: o311Attributes(cat)})
		}
	}
	return apperr.New(apperr.NotFound, "service_code %q not found", code)
}

// o311ReadAttributes takes the attribute[code] fields of a report; an unknown code is refused
// rather than dropped, so a client learns its attribute was not understood.
func o311ReadAttributes(r *http.Request, f *incidents.IntakeFields) error {
	for name, v := range r.PostForm {
		code, ok := strings.CutPrefix(name, "attribute[")
		if !ok {
			continue
		}
		code, ok = strings.CutSuffix(code, "]")
		if !ok || code != "crs" {
			return apperr.New(apperr.Malformed, "unknown attribute %q (this service takes attribute[crs])", name)
		}
		f.CRS = strings.Join(v, "")
	}
	return nil
}
