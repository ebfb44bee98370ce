package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"streetchief/internal/apperr"
	"streetchief/internal/merchants"
	"streetchief/internal/registry"
)

type pledgeOut struct {
	ID              int64      `json:"id"`
	MerchantID      int64      `json:"merchant_id"`
	SignedOn        string     `json:"signed_on"`
	From            string     `json:"from"`
	Until           string     `json:"until,omitempty"`
	Items           []string   `json:"items"`
	SignerName      string     `json:"signer_name,omitempty"`
	WitnessPersonID int64      `json:"witness_person_id,omitempty"`
	Witness         string     `json:"witness,omitempty"`
	Scan            string     `json:"scan,omitempty"` // where the scan is served
	Note            string     `json:"note,omitempty"`
	Current         bool       `json:"current"`
	VoidedAt        *time.Time `json:"voided_at,omitempty"`
	VoidReason      string     `json:"void_reason,omitempty"`
}

func pledgeJSON(p merchants.Pledge) pledgeOut {
	o := pledgeOut{ID: p.ID, MerchantID: p.MerchantID, SignedOn: p.SignedOn.Format(time.DateOnly), From: p.From.Format(time.DateOnly),
		Items: p.Items, SignerName: p.SignerName, WitnessPersonID: p.WitnessPersonID, Witness: p.WitnessName, Note: p.Note,
		Current: p.Current, VoidedAt: p.VoidedAt, VoidReason: p.VoidReason}
	if p.Until != nil {
		o.Until = p.Until.Format(time.DateOnly)
	}
	if p.HasScan {
		o.Scan = "/api/v1/merchant-pledges/" + itoa(p.ID) + "/scan"
	}
	return o
}

func (s *Server) listPledges(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	on, err := merchantDate("on", r.URL.Query().Get("on"))
	if err != nil {
		return err
	}
	list, err := s.Merchants.Pledges(r.Context(), principal(r), id, on)
	if err != nil {
		return err
	}
	out := make([]pledgeOut, len(list))
	for i, p := range list {
		out[i] = pledgeJSON(p)
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"pledges": out})
}

func (s *Server) signPledge(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		SignedOn        string   `json:"signed_on"`
		From            string   `json:"from"`
		Until           string   `json:"until"`
		Items           []string `json:"items"`
		SignerName      string   `json:"signer_name"`
		WitnessPersonID int64    `json:"witness_person_id"`
		Scan            []byte   `json:"scan"` // base64
		Note            string   `json:"note"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	pi := merchants.PledgeInput{Items: in.Items, SignerName: in.SignerName, WitnessPersonID: in.WitnessPersonID, Scan: in.Scan, Note: in.Note}
	if pi.SignedOn, err = merchantDate("signed_on", in.SignedOn); err != nil {
		return err
	}
	if pi.From, err = merchantDate("from", in.From); err != nil {
		return err
	}
	if in.Until != "" {
		u, err := merchantDate("until", in.Until)
		if err != nil {
			return err
		}
		pi.Until = &u
	}
	if in.WitnessPersonID < 0 {
		return apperr.New(apperr.Invalid, "witness_person_id must be a person's id")
	}
	p, err := s.Merchants.SignPledge(r.Context(), principal(r), id, pi)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", pledgeJSON(p))
}

func (s *Server) voidPledge(w http.ResponseWriter, r *http.Request) error {
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
	p, err := s.Merchants.VoidPledge(r.Context(), principal(r), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", pledgeJSON(p))
}

func (s *Server) pledgeScan(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	sc, err := s.Merchants.PledgeScan(r.Context(), principal(r), id)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", sc.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(sc.Bytes)))
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(sc.Bytes)
	return err
}

type inspectorOut struct {
	ID         int64      `json:"id"`
	MerchantID int64      `json:"merchant_id"`
	PersonID   int64      `json:"person_id"`
	Person     string     `json:"person"`
	Primary    bool       `json:"primary"`
	From       time.Time  `json:"from"`
	Until      *time.Time `json:"until,omitempty"`
	Note       string     `json:"note,omitempty"`
	VoidedAt   *time.Time `json:"voided_at,omitempty"`
	VoidReason string     `json:"void_reason,omitempty"`
}

func inspectorJSON(p merchants.InspectorPost) inspectorOut {
	return inspectorOut{ID: p.ID, MerchantID: p.MerchantID, PersonID: p.PersonID, Person: p.PersonName, Primary: p.Primary,
		From: p.From, Until: p.Until, Note: p.Note, VoidedAt: p.VoidedAt, VoidReason: p.VoidReason}
}

// listInspectors answers a shop's inspector posts; at=<RFC 3339> asks who was in charge then.
func (s *Server) listInspectors(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	q := &query{r: r}
	at := q.time("at")
	if q.err != nil {
		return q.err
	}
	list, err := s.Merchants.Inspectors(r.Context(), principal(r), id, at)
	if err != nil {
		return err
	}
	out := make([]inspectorOut, len(list))
	for i, p := range list {
		out[i] = inspectorJSON(p)
	}
	return writeJSON(w, http.StatusOK, "", map[string]any{"inspectors": out})
}

type inspectorIn struct {
	PersonID int64      `json:"person_id"`
	From     *time.Time `json:"from"`
	Handover bool       `json:"handover"`
	Note     string     `json:"note"`
}

func (in inspectorIn) input() merchants.InspectorInput {
	out := merchants.InspectorInput{PersonID: in.PersonID, Handover: in.Handover, Note: in.Note}
	if in.From != nil {
		out.From = *in.From
	}
	return out
}

func (s *Server) assignInspector(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in inspectorIn
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	p, err := s.Merchants.AssignInspector(r.Context(), principal(r), id, in.input())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, "", inspectorJSON(p))
}

func (s *Server) endInspector(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Until *time.Time `json:"until"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	var until time.Time
	if in.Until != nil {
		until = *in.Until
	}
	p, err := s.Merchants.EndInspector(r.Context(), principal(r), id, until)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", inspectorJSON(p))
}

func (s *Server) voidInspector(w http.ResponseWriter, r *http.Request) error {
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
	p, err := s.Merchants.VoidInspector(r.Context(), principal(r), id, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", inspectorJSON(p))
}

// bulkInspectors assigns one person to the shops of a community, or inside a drawn polygon.
func (s *Server) bulkInspectors(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		inspectorIn
		CommunityID    int64           `json:"community_id"`
		Within         json.RawMessage `json:"within"`
		OnlyUnassigned bool            `json:"only_unassigned"`
	}
	if err := s.decodeJSON(w, r, &in); err != nil {
		return err
	}
	b := merchants.BulkInspector{InspectorInput: in.input(), CommunityID: in.CommunityID, OnlyUnassigned: in.OnlyUnassigned}
	if len(in.Within) > 0 && string(in.Within) != "null" {
		mp, err := registry.DecodePolygonal(in.Within)
		if err != nil {
			return apperr.New(apperr.CodeOf(err), "within: %s", apperr.Message(err))
		}
		b.Within = mp
	}
	res, err := s.Merchants.AssignInspectors(r.Context(), principal(r), b)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, "", res)
}
