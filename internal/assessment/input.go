package assessment

import (
	"bytes"
	"encoding/json"

	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/policy"
)

// markFields is a mark as a client sends it: photos in base64 (a data: URL prefix is allowed).
type markFields struct {
	SubdistrictID int64        `json:"subdistrict_id"`
	ItemCode      string       `json:"item_code"`
	Points        policy.Score `json:"points"`
	Note          string       `json:"note"`
	Photos        []string     `json:"photos"`
	Reason        string       `json:"reason"`
}

// DecodeMark reads a mark from JSON, refusing unknown fields and checking its photos.
func DecodeMark(body []byte) (MarkInput, error) {
	var f markFields
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return MarkInput{}, apperr.New(apperr.Malformed, "the mark is not the JSON expected: %v", err)
	}
	if f.SubdistrictID <= 0 {
		return MarkInput{}, invalid("subdistrict_id", "subdistrict_id is required")
	}
	if len(f.Photos) > incidents.MaxPhotos {
		return MarkInput{}, apperr.New(apperr.TooLarge, "%d photos; at most %d", len(f.Photos), incidents.MaxPhotos).With("field", "photos")
	}
	in := MarkInput{SubdistrictID: f.SubdistrictID, ItemCode: f.ItemCode, Points: f.Points, Note: f.Note, Reason: f.Reason}
	raw, err := incidents.DecodePhotos(f.Photos)
	if err != nil {
		return in, err
	}
	in.Photos, err = incidents.CheckPhotos(raw)
	return in, err
}
