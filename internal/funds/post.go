package funds

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/database"
)

// Entry is one line of the ledger as booked. Fen is the amount in fen: positive is money to the
// subdistrict (or the district's budget), negative deducted. A correction's Fen is the difference
// to what the entry it Corrects should have been.
type Entry struct {
	Year          int    `json:"year"`
	SubdistrictID int64  `json:"subdistrict_id"` // 0: district-wide (the volunteer-service budget)
	Fund          Fund   `json:"fund"`
	Payer         Payer  `json:"payer"`
	Kind          Kind   `json:"kind"`
	Fen           int64  `json:"fen"`
	SourceType    string `json:"source_type"` // what booked it (SourceTypes)
	SourceID      int64  `json:"source_id"`   // e.g. the assessment outcome's id
	Reason        string `json:"reason"`
	Corrects      int64  `json:"corrects"` // the entry a correction corrects
}

// check is what can be said of e without the database, naming the field at fault.
func (e Entry) check() error {
	bad := func(field, format string, args ...any) error {
		return apperr.New(apperr.Invalid, format, args...).With("field", field)
	}
	if err := CheckYear(e.Year); err != nil {
		return err
	}
	if e.SubdistrictID < 0 {
		return bad("subdistrict_id", "subdistrict_id is a positive id, or 0 for district-wide")
	}
	if _, err := ParseFund(string(e.Fund)); err != nil {
		return err
	}
	if _, err := ParsePayer(string(e.Payer)); err != nil {
		return err
	}
	if _, err := ParseKind(string(e.Kind)); err != nil {
		return err
	}
	switch {
	case e.Fund == VolunteerService && e.SubdistrictID != 0:
		return bad("subdistrict_id", "the volunteer-service budget is district-wide: subdistrict_id must be 0")
	case e.Fund == CivilisedCity && e.SubdistrictID == 0:
		return bad("subdistrict_id", "civilised-city work funds belong to a subdistrict: subdistrict_id is required")
	}
	if e.Fen == 0 || e.Fen > MaxFen || e.Fen < -MaxFen {
		return bad("yuan", "amount %s is not a non-zero amount of at most %d yuan", Amount(e.Fen), MaxFen/100)
	}
	switch {
	case (e.Kind == Allocation || e.Kind == Reward) && e.Fen < 0:
		return bad("yuan", "a %s is a positive amount", e.Kind)
	case (e.Kind == Penalty || e.Kind == Spending) && e.Fen > 0:
		return bad("yuan", "a %s is a negative amount (money deducted)", e.Kind)
	}
	if err := CheckSourceType(e.SourceType); err != nil {
		return err
	}
	if e.SourceID < 0 {
		return bad("source_id", "source_id is a positive id")
	}
	if (e.Kind == Reward || e.Kind == Penalty) && (e.SourceType == "" || e.SourceID == 0) {
		return bad("source_type", "a %s names its source (the published result and rule that decided it)", e.Kind)
	}
	if utf8.RuneCountInString(e.Reason) > MaxReasonRunes || !utf8.ValidString(e.Reason) {
		return bad("reason", "reason is at most %d characters of text", MaxReasonRunes)
	}
	if (e.Kind == Correction) != (e.Corrects != 0) || e.Corrects < 0 {
		return bad("corrects", "a correction, and only a correction, names the entry it corrects")
	}
	if e.Kind == Correction && strings.TrimSpace(e.Reason) == "" {
		return bad("reason", "a correction needs a reason")
	}
	return nil
}

// checkPlace checks the entry against the ledger and the registry: the subdistrict is one, and a
// correction's entry exists, is not a correction itself and lies in the same year, subdistrict,
// fund and payer.
func (e Entry) checkPlace(ctx context.Context, tx database.Querier) error {
	if e.SubdistrictID != 0 {
		var ok bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM unit_directory WHERE id = $1 AND level = 'subdistrict')`, e.SubdistrictID).Scan(&ok)
		if err != nil {
			return translate(err, "check subdistrict")
		}
		if !ok {
			return apperr.New(apperr.Invalid, "admin unit %d is not a subdistrict", e.SubdistrictID).With("field", "subdistrict_id")
		}
	}
	if e.Corrects == 0 {
		return nil
	}
	var t Entry
	err := tx.QueryRow(ctx, `SELECT year, COALESCE(subdistrict_id, 0), fund, payer, kind FROM funds_entry WHERE id = $1`, e.Corrects).
		Scan(&t.Year, &t.SubdistrictID, &t.Fund, &t.Payer, &t.Kind)
	if err != nil {
		return translate(err, fmt.Sprintf("entry %d", e.Corrects))
	}
	switch {
	case t.Kind == Correction:
		return apperr.New(apperr.Invalid, "entry %d is itself a correction; correct the entry it corrects", e.Corrects).With("field", "corrects")
	case t.Year != e.Year || t.SubdistrictID != e.SubdistrictID || t.Fund != e.Fund || t.Payer != e.Payer:
		return apperr.New(apperr.Invalid, "a correction of entry %d must be of its year %d, subdistrict %d, fund %s and payer %s",
			e.Corrects, t.Year, t.SubdistrictID, t.Fund, t.Payer).With("field", "corrects")
	}
	return nil
}

// Post books entries in the caller's transaction tx, each with its audit row, and returns their ids
// in order. Every entry is checked before any is written, so one bad entry books none of them; the
// caller's failure later rolls them all back with the rest of its change.
func Post(ctx context.Context, tx database.Querier, who access.Principal, entries ...Entry) ([]int64, error) {
	if err := mayBook(who); err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, apperr.New(apperr.Invalid, "no entries to book")
	}
	for i, e := range entries {
		if err := e.check(); err != nil {
			return nil, entryError(len(entries), i, err)
		}
	}
	for i, e := range entries {
		if err := e.checkPlace(ctx, tx); err != nil {
			return nil, entryError(len(entries), i, err)
		}
	}
	ids := make([]int64, 0, len(entries))
	for _, e := range entries {
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO funds_entry (year, subdistrict_id, fund, payer, kind, fen, source_type, source_id,
				reason, corrects, created_by, created_by_user, created_by_person)
			VALUES ($1, NULLIF($2, 0), $3, $4, $5, $6, $7, $8, $9, NULLIF($10, 0), $11, NULLIF($12, 0), NULLIF($13, 0)) RETURNING id`,
			e.Year, e.SubdistrictID, string(e.Fund), string(e.Payer), string(e.Kind), e.Fen, e.SourceType, e.SourceID,
			e.Reason, e.Corrects, who.Label(), who.UserID, who.PersonID).Scan(&id)
		if err != nil {
			return nil, translate(err, "book entry")
		}
		if err := audit.Record(ctx, tx, who, audit.Create, "funds_entry", id, nil, e); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// entryError says which entry of several is at fault.
func entryError(n, i int, err error) error {
	if n == 1 {
		return err
	}
	if ae, ok := err.(*apperr.Error); ok {
		return &apperr.Error{Code: ae.Code, Message: fmt.Sprintf("entry %d: %s", i+1, ae.Message), Fields: ae.Fields, Err: ae.Err}
	}
	return fmt.Errorf("entry %d: %w", i+1, err)
}

// BySource lists, in the caller's transaction tx, the entries a source booked (e.g. one assessment
// outcome's reward), oldest first, each with what it amounts to after its corrections: what an
// amendment reads before it books the corrections that bring them to the new figures.
func BySource(ctx context.Context, tx database.Querier, who access.Principal, sourceType string, sourceID int64) ([]Record, error) {
	subs, err := readScope(who)
	if err != nil {
		return nil, err
	}
	if sourceType == "" || sourceID <= 0 {
		return nil, apperr.New(apperr.Invalid, "a source is a type and a positive id").With("field", "source_type")
	}
	rows, err := tx.Query(ctx, recordSelect+` WHERE e.source_type = $1 AND e.source_id = $2
		AND ($3::bigint[] IS NULL OR e.subdistrict_id = ANY($3)) ORDER BY e.id`, sourceType, sourceID, subs)
	if err != nil {
		return nil, translate(err, "entries of source")
	}
	out := []Record{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			rows.Close()
			return nil, translate(err, "entries of source")
		}
		out = append(out, r)
	}
	return out, translate(rows.Err(), "entries of source")
}
