package httpapi

import (
	"context"
	"encoding/base64"
	"net/http"
	"strconv"

	"streetchief/internal/apperr"
	"streetchief/internal/jsonlist"
	"streetchief/internal/merchants"
)

// vendorJSON is a registration as it arrives: the photo base64.
type vendorJSON struct {
	merchants.VendorInput
	Photo string `json:"photo"`
}

func (s *Server) registerVendor(w http.ResponseWriter, r *http.Request) error {
	var in vendorJSON
	body, err := readAll(http.MaxBytesReader(w, r.Body, maxIntakeJSONBytes))
	if err != nil {
		return err
	}
	if err := jsonlist.DecodeStrict(body, &in); err != nil {
		return err
	}
	if in.Photo != "" {
		b, err := base64.StdEncoding.DecodeString(in.Photo)
		if err != nil {
			return apperr.New(apperr.Malformed, "photo is not base64").With("field", "photo")
		}
		in.VendorInput.Photo = b
	}
	v, err := s.Vendors.RegisterVendor(r.Context(), principal(r), in.VendorInput)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", v)
}

func (s *Server) listVendors(w http.ResponseWriter, r *http.Request) error {
	q := query{r: r}
	f := merchants.VendorFilter{ZoneID: q.int64("zone"), Status: q.text("status", 20), RepeatOffenders: q.bool("repeat_offenders")}
	if q.err != nil {
		return q.err
	}
	list, err := s.Vendors.ListVendors(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"vendors": list})
}

func (s *Server) getVendor(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	v, err := s.Vendors.Vendor(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", v)
}

func (s *Server) changeVendorRegistration(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in merchants.StatusInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	v, err := s.Vendors.SetVendorStatus(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", v)
}

func (s *Server) listVendorZones(w http.ResponseWriter, r *http.Request) error {
	zones, err := s.Vendors.Zones(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"zones": zones})
}

func (s *Server) setVendorZoneHours(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in merchants.HoursInput
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Windows == nil {
		return apperr.New(apperr.Invalid, "windows is required ([] closes the zone)").With("field", "windows")
	}
	z, err := s.Vendors.SetZoneHours(r.Context(), principal(r), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", z)
}

func (s *Server) recordSighting(w http.ResponseWriter, r *http.Request) error {
	key := r.Header.Get("Idempotency-Key")
	if key != "" && !idempotencyKey(key) {
		return apperr.New(apperr.Malformed, "Idempotency-Key must be 1 to 200 printable ASCII characters")
	}
	body, err := readAll(http.MaxBytesReader(w, r.Body, maxIntakeJSONBytes))
	if err != nil {
		return err
	}
	in, err := merchants.DecodeSightingJSON(body, key)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), writeTimeout)
	defer cancel()
	sg, replayed, err := s.Vendors.RecordSighting(ctx, principal(r), in)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	return writeJSON(w, status, "", sg)
}

func (s *Server) listSightings(w http.ResponseWriter, r *http.Request) error {
	q := query{r: r}
	f := merchants.SightingFilter{Day: q.text("day", 10), VendorID: q.int64("vendor"), OutsideOnly: q.bool("outside")}
	if q.err != nil {
		return q.err
	}
	list, err := s.Vendors.ListSightings(r.Context(), principal(r), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"sightings": list})
}

func (s *Server) listVendorRepeatOffenders(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Vendors.RepeatOffenders(r.Context(), principal(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"repeat_offenders": list})
}

// voidSighting takes {"reason": "..."}: why the sighting was recorded by mistake.
func (s *Server) voidSighting(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	sg, err := s.Vendors.VoidSighting(r.Context(), principal(r), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", sg)
}

func (s *Server) vendorPhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	ct, b, err := s.Vendors.VendorPhoto(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "private, max-age=3600")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}
