package operations

import (
	"slices"

	"streetchief/internal/incidents"
	"streetchief/internal/jsonlist"
)

// ShopDealt is how one target shop was dealt with.
type ShopDealt struct {
	MerchantID int64 `json:"merchant_id"`
	Dealt      Dealt `json:"dealt"`
}

// OutcomeFields is an outcome as a client sends it: photos in base64.
type OutcomeFields struct {
	Notes  string                     `json:"notes"`
	Shops  jsonlist.Capped[ShopDealt] `json:"shops"`
	Photos jsonlist.Capped[string]    `json:"photos"`
	// Reason is required when the operation already has an outcome: this one corrects it.
	Reason string `json:"reason"`
}

// UnmarshalJSON caps the lists and refuses unknown fields, also when the outcome comes inside an
// operation to create.
func (o *OutcomeFields) UnmarshalJSON(b []byte) error {
	type plain OutcomeFields
	p := plain{Shops: jsonlist.Capped[ShopDealt]{Max: MaxMerchants, Field: "shops"},
		Photos: jsonlist.Capped[string]{Max: incidents.MaxPhotos, Field: "photos"}}
	if err := jsonlist.DecodeStrict(b, &p); err != nil {
		return err
	}
	*o = OutcomeFields(p)
	return nil
}

// OutcomeInput is a checked outcome.
type OutcomeInput struct {
	Notes  string
	Shops  []ShopDealt
	Photos []incidents.Photo
	Reason string
}

// DecodeOutcome reads an outcome from JSON and checks it.
func DecodeOutcome(body []byte) (OutcomeInput, error) {
	var f OutcomeFields
	if err := f.UnmarshalJSON(body); err != nil {
		return OutcomeInput{}, err
	}
	return f.check()
}

func (f OutcomeFields) check() (OutcomeInput, error) {
	out := OutcomeInput{Notes: f.Notes, Reason: f.Reason}
	if err := checkText("notes", f.Notes, MaxNotesChars); err != nil {
		return out, err
	}
	if err := checkText("reason", f.Reason, MaxReasonChars); err != nil {
		return out, err
	}
	seen := map[int64]bool{}
	for _, sh := range f.Shops.Items {
		if sh.MerchantID <= 0 {
			return out, invalid("shops", "shops: merchant_id %d is not an id", sh.MerchantID)
		}
		if !slices.Contains(Dealings, sh.Dealt) {
			return out, invalid("shops", "shops: dealt %q is not rectified_on_spot, fined, order_issued or no_one_present", sh.Dealt)
		}
		if seen[sh.MerchantID] {
			return out, invalid("shops", "shops: shop %d is named twice", sh.MerchantID)
		}
		seen[sh.MerchantID] = true
		out.Shops = append(out.Shops, sh)
	}
	var err error
	out.Photos, err = decodePhotos(f.Photos.Items)
	return out, err
}
