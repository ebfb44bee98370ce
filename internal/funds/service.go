package funds

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Service reads the ledger and books what is booked outside another module's transaction.
type Service struct {
	db *pgxpool.Pool
}

// NewService returns a Service on db.
func NewService(db *pgxpool.Pool) *Service { return &Service{db: db} }

// Record is a booked entry as the ledger shows it, with the links between a correction and the
// entry it corrects.
type Record struct {
	ID              int64     `json:"id"`
	Year            int       `json:"year"`
	SubdistrictID   int64     `json:"subdistrict_id"` // 0: district-wide
	SubdistrictName string    `json:"subdistrict_name"`
	Fund            Fund      `json:"fund"`
	Payer           Payer     `json:"payer"`
	Kind            Kind      `json:"kind"`
	Yuan            Amount    `json:"yuan"`
	SourceType      string    `json:"source_type"`
	SourceID        int64     `json:"source_id"`
	Reason          string    `json:"reason"`
	Corrects        *int64    `json:"corrects"`
	CorrectedBy     []int64   `json:"corrected_by"`
	Effective       Amount    `json:"effective_yuan"` // the amount with its corrections (a correction's own amount for a correction)
	CreatedAt       time.Time `json:"created_at"`
	CreatedBy       string    `json:"created_by"`
}

const recordSelect = `SELECT e.id, e.year, COALESCE(e.subdistrict_id, 0), COALESCE(u.name, ''), e.fund, e.payer, e.kind, e.fen,
		e.source_type, e.source_id, e.reason, e.corrects,
		COALESCE((SELECT array_agg(c.id ORDER BY c.id) FROM funds_entry c WHERE c.corrects = e.id), '{}'),
		e.fen + COALESCE((SELECT sum(c.fen) FROM funds_entry c WHERE c.corrects = e.id), 0),
		e.created_at, e.created_by
	  FROM funds_entry e
	  LEFT JOIN unit_directory u ON u.id = e.subdistrict_id`

func scanRecord(row pgx.Row) (Record, error) {
	var r Record
	var fen, eff int64
	err := row.Scan(&r.ID, &r.Year, &r.SubdistrictID, &r.SubdistrictName, &r.Fund, &r.Payer, &r.Kind, &fen,
		&r.SourceType, &r.SourceID, &r.Reason, &r.Corrects, &r.CorrectedBy, &eff, &r.CreatedAt, &r.CreatedBy)
	r.Yuan, r.Effective = Amount(fen), Amount(eff)
	return r, err
}

// Filter narrows Entries; zero values mean any.
type Filter struct {
	Year          int
	SubdistrictID int64 // -1: district-wide entries only
	Fund          Fund
	Kind          Kind
	SourceType    string
	SourceID      int64
	Limit         int // default and at most 5000
}

// Entries lists the entries in the caller's reach, newest first.
func (s *Service) Entries(ctx context.Context, who access.Principal, f Filter) ([]Record, error) {
	subs, err := readScope(who)
	if err != nil {
		return nil, err
	}
	if f.Year != 0 {
		if err := CheckYear(f.Year); err != nil {
			return nil, err
		}
	}
	if f.Fund != "" {
		if _, err := ParseFund(string(f.Fund)); err != nil {
			return nil, err
		}
	}
	if f.Kind != "" {
		if _, err := ParseKind(string(f.Kind)); err != nil {
			return nil, err
		}
	}
	if f.SubdistrictID < -1 || f.SourceID < 0 || f.Limit < 0 {
		return nil, apperr.New(apperr.Invalid, "subdistrict, source_id and limit are positive")
	}
	if f.Limit == 0 || f.Limit > 5000 {
		f.Limit = 5000
	}
	rows, err := s.db.Query(ctx, recordSelect+`
		WHERE ($1 = 0 OR e.year = $1)
		  AND ($2 = 0 OR ($2 = -1 AND e.subdistrict_id IS NULL) OR e.subdistrict_id = $2)
		  AND ($3 = '' OR e.fund = $3) AND ($4 = '' OR e.kind = $4)
		  AND ($5 = '' OR e.source_type = $5) AND ($6 = 0 OR e.source_id = $6)
		  AND ($7::bigint[] IS NULL OR e.subdistrict_id = ANY($7))
		ORDER BY e.id DESC LIMIT $8`,
		f.Year, f.SubdistrictID, string(f.Fund), string(f.Kind), f.SourceType, f.SourceID, subs, f.Limit)
	if err != nil {
		return nil, translate(err, "entries")
	}
	out := []Record{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			rows.Close()
			return nil, translate(err, "entries")
		}
		out = append(out, r)
	}
	return out, translate(rows.Err(), "entries")
}

// Entry returns one entry in the caller's reach; another subdistrict's is not found.
func (s *Service) Entry(ctx context.Context, who access.Principal, id int64) (Record, error) {
	subs, err := readScope(who)
	if err != nil {
		return Record{}, err
	}
	r, err := scanRecord(s.db.QueryRow(ctx, recordSelect+` WHERE e.id = $1 AND ($2::bigint[] IS NULL OR e.subdistrict_id = ANY($2))`, id, subs))
	if err == pgx.ErrNoRows {
		return r, apperr.New(apperr.NotFound, "no entry %d", id)
	}
	return r, translate(err, "entry")
}

// Manual is an entry booked by hand: an allocation or a spending, with its reason.
type Manual struct {
	Year          int    `json:"year"`
	SubdistrictID int64  `json:"subdistrict_id"`
	Fund          Fund   `json:"fund"`
	Payer         Payer  `json:"payer"`
	Kind          Kind   `json:"kind"`
	Yuan          Amount `json:"yuan"` // a spending may be given positive: it is deducted
	Reason        string `json:"reason"`
}

// Book books a manual allocation or spending.
func (s *Service) Book(ctx context.Context, who access.Principal, m Manual) (Record, error) {
	if err := mayBook(who); err != nil {
		return Record{}, err
	}
	if m.Kind != Allocation && m.Kind != Spending {
		return Record{}, apperr.New(apperr.Invalid, "kind %q: by hand only an allocation or a spending is booked (rewards and penalties come from published results, corrections through :correct)", m.Kind).With("field", "kind")
	}
	if strings.TrimSpace(m.Reason) == "" {
		return Record{}, apperr.New(apperr.Invalid, "an entry booked by hand needs a reason").With("field", "reason")
	}
	fen := int64(m.Yuan)
	if m.Kind == Spending && fen > 0 {
		fen = -fen
	}
	e := Entry{Year: m.Year, SubdistrictID: m.SubdistrictID, Fund: m.Fund, Payer: m.Payer, Kind: m.Kind, Fen: fen,
		SourceType: SourceManual, Reason: m.Reason}
	return s.postOne(ctx, who, e)
}

func (s *Service) postOne(ctx context.Context, who access.Principal, e Entry) (Record, error) {
	var out Record
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		ids, err := Post(ctx, tx, who, e)
		if err != nil {
			return err
		}
		out, err = scanRecord(tx.QueryRow(ctx, recordSelect+` WHERE e.id = $1`, ids[0]))
		return err
	})
	return out, translate(err, "entry")
}

// Correct books the correction that makes entry id amount to fen (signed as the ledger shows it):
// the new entry holds the difference and the reason, the old one stays as it was. Only a
// subdistrict's or the district's entry itself, not a correction, is corrected; corrections add up.
func (s *Service) Correct(ctx context.Context, who access.Principal, id int64, fen int64, reason string) (Record, error) {
	if err := mayBook(who); err != nil {
		return Record{}, err
	}
	if id <= 0 {
		return Record{}, apperr.New(apperr.NotFound, "no entry %d", id)
	}
	if strings.TrimSpace(reason) == "" {
		return Record{}, apperr.New(apperr.Invalid, "a correction needs a reason").With("field", "reason")
	}
	if fen > MaxFen || fen < -MaxFen {
		return Record{}, apperr.New(apperr.Invalid, "amount %s is over %d yuan", Amount(fen), MaxFen/100).With("field", "yuan")
	}
	var out Record
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		var t Entry
		// The row lock makes two corrections of one entry take turns, so each sees the other's difference.
		err := tx.QueryRow(ctx, `SELECT year, COALESCE(subdistrict_id, 0), fund, payer, kind, fen FROM funds_entry WHERE id = $1 FOR UPDATE`, id).
			Scan(&t.Year, &t.SubdistrictID, &t.Fund, &t.Payer, &t.Kind, &t.Fen)
		if err == pgx.ErrNoRows {
			return apperr.New(apperr.NotFound, "no entry %d", id)
		}
		if err != nil {
			return err
		}
		var eff int64
		if err := tx.QueryRow(ctx, `SELECT $2 + COALESCE(sum(fen), 0) FROM funds_entry WHERE corrects = $1`, id, t.Fen).Scan(&eff); err != nil {
			return err
		}
		if (t.Kind == Allocation || t.Kind == Reward) && fen < 0 || (t.Kind == Penalty || t.Kind == Spending) && fen > 0 {
			return apperr.New(apperr.Invalid, "a %s amounts to %s yuan or nothing, not %s", t.Kind, map[bool]string{true: "positive", false: "negative"}[t.Kind == Allocation || t.Kind == Reward], Amount(fen)).With("field", "yuan")
		}
		if fen == eff {
			return apperr.New(apperr.Invalid, "entry %d already amounts to %s yuan: nothing to correct", id, Amount(fen)).With("field", "yuan")
		}
		ids, err := Post(ctx, tx, who, Entry{Year: t.Year, SubdistrictID: t.SubdistrictID, Fund: t.Fund, Payer: t.Payer,
			Kind: Correction, Fen: fen - eff, SourceType: SourceCorrection, SourceID: id, Reason: reason, Corrects: id})
		if err != nil {
			return err
		}
		out, err = scanRecord(tx.QueryRow(ctx, recordSelect+` WHERE e.id = $1`, ids[0]))
		return err
	})
	return out, translate(err, "correction")
}
