package funds

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Balance is what one subdistrict (or the district) holds in one fund from one payer in a year, and
// how it came to be: allocation + rewards + penalties + spending + corrections = balance (penalties
// and spending are negative).
type Balance struct {
	SubdistrictID   int64  `json:"subdistrict_id"` // 0: district-wide
	SubdistrictName string `json:"subdistrict_name"`
	Fund            Fund   `json:"fund"`
	Payer           Payer  `json:"payer"`
	Allocation      Amount `json:"allocation"`
	Rewards         Amount `json:"rewards"`
	Penalties       Amount `json:"penalties"`
	Spending        Amount `json:"spending"`
	Corrections     Amount `json:"corrections"`
	Balance         Amount `json:"balance"`
	Entries         int    `json:"entries"`
}

func (b *Balance) add(kind Kind, fen int64) {
	switch kind {
	case Allocation:
		b.Allocation += Amount(fen)
	case Reward:
		b.Rewards += Amount(fen)
	case Penalty:
		b.Penalties += Amount(fen)
	case Spending:
		b.Spending += Amount(fen)
	case Correction:
		b.Corrections += Amount(fen)
	}
	b.Balance += Amount(fen)
}

func (b *Balance) plus(o Balance) {
	b.Allocation += o.Allocation
	b.Rewards += o.Rewards
	b.Penalties += o.Penalties
	b.Spending += o.Spending
	b.Corrections += o.Corrections
	b.Balance += o.Balance
	b.Entries += o.Entries
}

// Balances is a year's balances in the caller's reach: a row per subdistrict, fund and payer, then
// totals per fund and payer and one grand total, each over the rows shown.
type Balances struct {
	Year   int       `json:"year"`
	Rows   []Balance `json:"rows"`
	Totals []Balance `json:"totals"` // SubdistrictID 0, fund and payer set; the last has neither: everything
}

// Balances sums the year's entries in the caller's reach; subdistrict 0 means all they may read,
// -1 only the district-wide budget.
func (s *Service) Balances(ctx context.Context, who access.Principal, year int, subdistrict int64) (Balances, error) {
	subs, err := readScope(who)
	if err != nil {
		return Balances{}, err
	}
	if err := CheckYear(year); err != nil {
		return Balances{}, err
	}
	if subdistrict < -1 {
		return Balances{}, apperr.New(apperr.Invalid, "subdistrict is a positive id, or -1 for district-wide").With("field", "subdistrict")
	}
	rows, err := s.db.Query(ctx, `SELECT COALESCE(e.subdistrict_id, 0), COALESCE(u.name, ''), e.fund, e.payer, e.kind, sum(e.fen)::bigint, count(*)
		FROM funds_entry e LEFT JOIN unit_directory u ON u.id = e.subdistrict_id
		WHERE e.year = $1
		  AND ($2 = 0 OR ($2 = -1 AND e.subdistrict_id IS NULL) OR e.subdistrict_id = $2)
		  AND ($3::bigint[] IS NULL OR e.subdistrict_id = ANY($3))
		GROUP BY 1, 2, 3, 4, 5
		ORDER BY (COALESCE(e.subdistrict_id, 0) = 0), 2, 1, 3, 4`, year, subdistrict, subs)
	if err != nil {
		return Balances{}, translate(err, "balances")
	}
	out := Balances{Year: year, Rows: []Balance{}, Totals: []Balance{}}
	type key struct {
		sub   int64
		fund  Fund
		payer Payer
	}
	at := map[key]int{}
	for rows.Next() {
		var b Balance
		var kind Kind
		var fen int64
		var n int
		if err := rows.Scan(&b.SubdistrictID, &b.SubdistrictName, &b.Fund, &b.Payer, &kind, &fen, &n); err != nil {
			rows.Close()
			return Balances{}, translate(err, "balances")
		}
		k := key{b.SubdistrictID, b.Fund, b.Payer}
		i, ok := at[k]
		if !ok {
			i = len(out.Rows)
			at[k] = i
			out.Rows = append(out.Rows, b)
		}
		out.Rows[i].add(kind, fen)
		out.Rows[i].Entries += n
	}
	if err := rows.Err(); err != nil {
		return Balances{}, translate(err, "balances")
	}
	var all Balance
	for _, f := range Funds {
		for _, p := range Payers {
			t := Balance{Fund: f, Payer: p}
			for _, r := range out.Rows {
				if r.Fund == f && r.Payer == p {
					t.plus(r)
				}
			}
			if t.Entries > 0 {
				out.Totals = append(out.Totals, t)
				all.plus(t)
			}
		}
	}
	out.Totals = append(out.Totals, all)
	return out, nil
}

// Standing is the yearly allocation in force from a year on.
type Standing struct {
	FromYear         int    `json:"from_year"`
	CivilisedCity    Amount `json:"civilised_city"`     // per subdistrict
	VolunteerService Amount `json:"volunteer_service"`  // district-wide
	CitySharePct     int    `json:"city_share_percent"` // the district bears the rest
	Reason           string `json:"reason"`
}

// split is the city's and the district's part of fen; a fen that does not divide goes to the district.
func (st Standing) split(fen int64) (city, district int64) {
	city = fen * int64(st.CitySharePct) / 100
	return city, fen - city
}

// SplitByStanding is the city's and the district's part of fen by the standing allocation in force in
// year: how a module that books against a fund borne by both (a volunteer-service payment) divides it.
func SplitByStanding(ctx context.Context, tx pgx.Tx, year int, fen int64) (city, district int64, err error) {
	st, err := standingFor(ctx, tx, year)
	if err != nil {
		return 0, 0, translate(err, "standing allocation")
	}
	city, district = st.split(fen)
	return city, district, nil
}

func standingFor(ctx context.Context, tx pgx.Tx, year int) (Standing, error) {
	var st Standing
	var cc, vs int64
	err := tx.QueryRow(ctx, `SELECT from_year, civilised_city_fen, volunteer_service_fen, city_share_pct, reason
		FROM funds_standing WHERE from_year <= $1 ORDER BY from_year DESC LIMIT 1`, year).
		Scan(&st.FromYear, &cc, &vs, &st.CitySharePct, &st.Reason)
	if err == pgx.ErrNoRows {
		return st, apperr.New(apperr.Invalid, "no standing allocation is set for %d", year).With("field", "year")
	}
	st.CivilisedCity, st.VolunteerService = Amount(cc), Amount(vs)
	return st, err
}

// SetStanding sets the standing allocation from a year on (admin only); earlier years keep theirs,
// and what was booked stays booked. A year already set is a conflict: set a later one.
func (s *Service) SetStanding(ctx context.Context, who access.Principal, st Standing) error {
	if who.Role != access.Admin {
		return apperr.New(apperr.Forbidden, "the standing allocation is set by an admin")
	}
	if err := CheckYear(st.FromYear); err != nil {
		return err
	}
	_, err := s.db.Exec(ctx, `INSERT INTO funds_standing (from_year, civilised_city_fen, volunteer_service_fen, city_share_pct, reason, created_by)
		VALUES ($1, $2, $3, $4, $5, $6)`, st.FromYear, int64(st.CivilisedCity), int64(st.VolunteerService), st.CitySharePct, st.Reason, who.Label())
	return translate(err, "standing allocation")
}

// Allocated is what Allocate did.
type Allocated struct {
	Year     int      `json:"year"`
	Standing Standing `json:"standing"`
	Booked   []int64  `json:"booked"`         // the new entries' ids
	Already  int      `json:"already_booked"` // entries found booked before
	Message  string   `json:"message"`
}

// Allocate books the year's standing allocations that are not booked yet: the civilised-city work
// funds of every subdistrict and the district's volunteer-service budget, each split between city and
// district as the standing allocation says. Calling it again books nothing and says so; a subdistrict
// created since is booked then.
func (s *Service) Allocate(ctx context.Context, who access.Principal, year int) (Allocated, error) {
	if err := mayBook(who); err != nil {
		return Allocated{}, err
	}
	if err := CheckYear(year); err != nil {
		return Allocated{}, err
	}
	out := Allocated{Year: year, Booked: []int64{}}
	err := pgx.BeginFunc(ctx, s.db, func(tx pgx.Tx) error {
		// One allocation at a time per year: two at once would both find nothing booked.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('funds_allocate'), $1)`, year); err != nil {
			return err
		}
		st, err := standingFor(ctx, tx, year)
		if err != nil {
			return err
		}
		out.Standing = st
		rows, err := tx.Query(ctx, `SELECT id FROM unit_directory WHERE level = 'subdistrict' ORDER BY id`)
		if err != nil {
			return err
		}
		subs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		want := []Entry{}
		reason := fmt.Sprintf("standing allocation of %d (in force from %d)", year, st.FromYear)
		for _, sub := range append([]int64{0}, subs...) {
			fund, fen := CivilisedCity, int64(st.CivilisedCity)
			if sub == 0 {
				fund, fen = VolunteerService, int64(st.VolunteerService)
			}
			city, district := st.split(fen)
			for _, part := range []struct {
				p   Payer
				fen int64
			}{{City, city}, {District, district}} {
				if part.fen != 0 {
					want = append(want, Entry{Year: year, SubdistrictID: sub, Fund: fund, Payer: part.p, Kind: Allocation,
						Fen: part.fen, SourceType: SourceStanding, SourceID: int64(st.FromYear), Reason: reason})
				}
			}
		}
		var todo []Entry
		for _, e := range want {
			var booked bool
			err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM funds_entry WHERE year = $1 AND COALESCE(subdistrict_id, 0) = $2
				AND fund = $3 AND payer = $4 AND source_type = $5)`, year, e.SubdistrictID, string(e.Fund), string(e.Payer), SourceStanding).Scan(&booked)
			if err != nil {
				return err
			}
			if booked {
				out.Already++
			} else {
				todo = append(todo, e)
			}
		}
		if len(todo) == 0 {
			return nil
		}
		out.Booked, err = Post(ctx, tx, who, todo...)
		return err
	})
	if err != nil {
		return Allocated{}, translate(err, "allocation")
	}
	if len(out.Booked) == 0 {
		out.Message = fmt.Sprintf("the standing allocations of %d were booked already (%d entries); nothing booked", year, out.Already)
	} else {
		out.Message = fmt.Sprintf("booked %d standing allocation entries for %d (%d were booked already)", len(out.Booked), year, out.Already)
	}
	return out, nil
}
