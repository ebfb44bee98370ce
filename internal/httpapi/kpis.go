package httpapi

import (
	"bytes"
	"net/http"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// kpiParams reads a KPI request's period (period with at, or from and to, Beijing dates) and format.
func kpiParams(r *http.Request, formats ...string) (incidents.Period, string, error) {
	v := r.URL.Query()
	format := v.Get("format")
	if format == "" {
		format = formats[0]
	}
	ok := false
	for _, f := range formats {
		ok = ok || f == format
	}
	if !ok {
		return incidents.Period{}, "", apperr.New(apperr.Malformed, "format %q is not one of %v", format, formats).With("field", "format")
	}
	p, err := incidents.ParsePeriod(v.Get("period"), v.Get("at"), v.Get("from"), v.Get("to"), time.Now())
	return p, format, err
}

// kpiFilter reads the drill-down to one subdistrict or community.
func kpiFilter(r *http.Request) (incidents.KPIFilter, error) {
	q := query{r: r}
	f := incidents.KPIFilter{SubdistrictID: q.int64("subdistrict"), CommunityID: q.int64("community")}
	return f, q.err
}

var kpiContentTypes = map[string]string{
	"json": "application/json",
	"csv":  "text/csv; charset=utf-8",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

func (s *Server) kpis(w http.ResponseWriter, r *http.Request) error {
	by, err := incidents.ParseKPIBy(r.URL.Query().Get("by"))
	if err != nil {
		return err
	}
	p, format, err := kpiParams(r, "json", "csv", "xlsx")
	if err != nil {
		return err
	}
	f, err := kpiFilter(r)
	if err != nil {
		return err
	}
	rep, err := s.Incidents.KPIs(r.Context(), principal(r), by, p, f)
	if err != nil {
		return err
	}
	if format == "json" {
		return writeJSON(w, http.StatusOK, kpiContentTypes[format], rep)
	}
	var buf bytes.Buffer
	if format == "csv" {
		err = rep.WriteCSV(&buf)
	} else {
		err = rep.WriteXLSX(&buf)
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="kpis-`+string(by)+`-`+p.Label+`.`+format+`"`)
	w.Header().Set("Content-Type", kpiContentTypes[format])
	_, err = buf.WriteTo(w)
	return err
}

// kpiTrend answers the trend series of the dashboard's charts.
func (s *Server) kpiTrend(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	tr, err := incidents.ParseTrend(v.Get("interval"), v.Get("from"), v.Get("to"), v.Get("by"), time.Now())
	if err != nil {
		return err
	}
	f, err := kpiFilter(r)
	if err != nil {
		return err
	}
	out, err := s.Incidents.Trend(r.Context(), principal(r), tr, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "application/json", out)
}

// exportCases answers every case of the period with its lifecycle timestamps. The XLSX is built in
// full before the first byte, so a failure is still a clean problem document; the CSV streams, and a
// failure part way ends the body early.
func (s *Server) exportCases(w http.ResponseWriter, r *http.Request) error {
	p, format, err := kpiParams(r, "csv", "xlsx")
	if err != nil {
		return err
	}
	f, err := kpiFilter(r)
	if err != nil {
		return err
	}
	name := `attachment; filename="cases-` + p.Label + `.` + format + `"`
	if format == "xlsx" {
		var buf bytes.Buffer
		if err := s.Incidents.WriteCasesXLSX(r.Context(), principal(r), p, f, &buf); err != nil {
			return err
		}
		w.Header().Set("Content-Disposition", name)
		w.Header().Set("Content-Type", kpiContentTypes[format])
		_, err = buf.WriteTo(w)
		return err
	}
	return s.Incidents.WriteCasesCSV(r.Context(), principal(r), p, f, w, func() {
		w.Header().Set("Content-Disposition", name)
		w.Header().Set("Content-Type", kpiContentTypes[format])
	})
}
