package funds

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

func find(t *testing.T, b Balances, sub int64, f Fund, p Payer) Balance {
	t.Helper()
	for _, r := range b.Rows {
		if r.SubdistrictID == sub && r.Fund == f && r.Payer == p {
			return r
		}
	}
	t.Fatalf("no balance row for %d %s %s in %+v", sub, f, p, b.Rows)
	return Balance{}
}

func TestBalancesAddUpPerPayerAndInTotal(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const y = 2041
	ids := w.mustPost(t,
		Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: yuan(250000), SourceType: SourceManual, Reason: "拨付"},
		Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: District, Kind: Allocation, Fen: yuan(250000), SourceType: SourceManual, Reason: "拨付"},
		Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Reward, Fen: yuan(500000), SourceType: SourceAssessment, SourceID: 7},
		Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: District, Kind: Penalty, Fen: -yuan(100000), SourceType: SourceAssessment, SourceID: 8},
		Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Spending, Fen: -123456, SourceType: SourceManual, Reason: "宣传"},
		Entry{Year: y, SubdistrictID: w.b, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: yuan(250000), SourceType: SourceManual, Reason: "拨付"},
		Entry{Year: y, Fund: VolunteerService, Payer: City, Kind: Allocation, Fen: yuan(500000), SourceType: SourceManual, Reason: "预算"},
		Entry{Year: y, Fund: VolunteerService, Payer: City, Kind: Spending, Fen: -yuan(80000), SourceType: SourceManual, Reason: "购买服务"},
		// Another year counts nowhere in this one.
		Entry{Year: y + 1, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: yuan(1), SourceType: SourceManual, Reason: "x"},
	)
	// The reward should have been 400,000: a correction of −100,000.
	c, err := w.svc.Correct(ctx, w.leader, ids[2], yuan(400000), "名次更正")
	if err != nil {
		t.Fatal(err)
	}
	if c.Yuan != Amount(-yuan(100000)) || c.Kind != Correction || c.Corrects == nil || *c.Corrects != ids[2] {
		t.Fatalf("correction = %+v", c)
	}
	b, err := w.svc.Balances(ctx, w.leader, y, 0)
	if err != nil {
		t.Fatal(err)
	}
	// By hand: a/city 250,000 + 500,000 − 1,234.56 − 100,000 = 648,765.44; a/district 250,000 − 100,000.
	aCity := find(t, b, w.a, CivilisedCity, City)
	want := Balance{SubdistrictID: w.a, SubdistrictName: "东街道", Fund: CivilisedCity, Payer: City, Allocation: 25000000,
		Rewards: 50000000, Spending: -123456, Corrections: -10000000, Balance: 64876544, Entries: 4}
	if aCity != want {
		t.Errorf("a/city = %+v\nwant    %+v", aCity, want)
	}
	if aDist := find(t, b, w.a, CivilisedCity, District); aDist.Balance != 15000000 || aDist.Penalties != -10000000 {
		t.Errorf("a/district = %+v, want balance 150,000.00 with penalties −100,000.00", aDist)
	}
	if v := find(t, b, 0, VolunteerService, City); v.Balance != 42000000 || v.Spending != -8000000 {
		t.Errorf("volunteer/city = %+v, want 420,000.00", v)
	}
	var sum Amount
	for _, r := range b.Rows {
		if r.Allocation+r.Rewards+r.Penalties+r.Spending+r.Corrections != r.Balance {
			t.Errorf("row does not add up: %+v", r)
		}
		sum += r.Balance
	}
	total := b.Totals[len(b.Totals)-1]
	if total.Balance != sum || total.Balance != 64876544+15000000+25000000+42000000 {
		t.Errorf("grand total %s, rows sum to %s", total.Balance, sum)
	}
	for _, tot := range b.Totals[:len(b.Totals)-1] {
		if tot.Fund == CivilisedCity && tot.Payer == City && tot.Balance != 64876544+25000000 {
			t.Errorf("civilised/city total = %s", tot.Balance)
		}
	}
	// The corrected entry shows its correction and what it now amounts to.
	r, err := w.svc.Entry(ctx, w.assess, ids[2])
	if err != nil {
		t.Fatal(err)
	}
	if len(r.CorrectedBy) != 1 || r.CorrectedBy[0] != c.ID || r.Effective != Amount(yuan(400000)) || r.Yuan != Amount(yuan(500000)) {
		t.Errorf("corrected entry = %+v", r)
	}
}

func TestLedgerRefusesUpdateDeleteAndTruncate(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	id := w.mustPost(t, Entry{Year: 2042, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: 100, SourceType: SourceManual, Reason: "x"})[0]
	for _, sql := range []string{
		`UPDATE funds_entry SET fen = 999 WHERE id = $1`,
		`DELETE FROM funds_entry WHERE id = $1`,
		`TRUNCATE funds_entry CASCADE`,
		`UPDATE funds_standing SET city_share_pct = 10 WHERE $1 > 0`,
		`DELETE FROM funds_standing WHERE $1 > 0`,
	} {
		args := []any{id}
		if strings.HasPrefix(sql, "TRUNCATE") {
			args = nil
		}
		_, err := w.svc.db.Exec(ctx, sql, args...)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "23514" {
			t.Errorf("%s: err = %v, want a check_violation", sql, err)
		}
	}
	if n := w.count(t, `SELECT count(*) FROM funds_entry WHERE id = $1 AND fen = 100`, id); n != 1 {
		t.Errorf("the entry changed")
	}
}

func TestPostWritesNothingWhenOneEntryIsBad(t *testing.T) {
	w := newWorld(t)
	const y = 2043
	good := Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: 100, SourceType: SourceManual, Reason: "x"}
	earlier := w.mustPost(t, good)[0]
	bad := map[string]struct {
		e     Entry
		field string
	}{
		"unknown fund":                      {Entry{Year: y, SubdistrictID: w.a, Fund: "party_fees", Payer: City, Kind: Allocation, Fen: 1}, "fund"},
		"unknown payer":                     {Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: "province", Kind: Allocation, Fen: 1}, "payer"},
		"unknown kind":                      {Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: "gift", Fen: 1}, "kind"},
		"year 1800":                         {Entry{Year: 1800, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: 1}, "year"},
		"zero amount":                       {Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Allocation}, "yuan"},
		"over 100 million yuan":             {Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: MaxFen + 1}, "yuan"},
		"positive penalty":                  {Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Penalty, Fen: 1, SourceType: SourceAssessment, SourceID: 1}, "yuan"},
		"negative allocation":               {Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: -1}, "yuan"},
		"reward without its source":         {Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Reward, Fen: 1}, "source_type"},
		"unit that is no subdistrict":       {Entry{Year: y, SubdistrictID: w.city, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: 1}, "subdistrict_id"},
		"no such unit":                      {Entry{Year: y, SubdistrictID: 1 << 40, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: 1}, "subdistrict_id"},
		"volunteer fund of a subdistrict":   {Entry{Year: y, SubdistrictID: w.a, Fund: VolunteerService, Payer: City, Kind: Allocation, Fen: 1}, "subdistrict_id"},
		"civilised fund district-wide":      {Entry{Year: y, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: 1}, "subdistrict_id"},
		"correction without reason":         {Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Correction, Fen: 1, Corrects: earlier}, "reason"},
		"correction without its entry":      {Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Correction, Fen: 1, Reason: "r"}, "corrects"},
		"correction of another year":        {Entry{Year: y + 1, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Correction, Fen: 1, Reason: "r", Corrects: earlier}, "corrects"},
		"correction of another subdistrict": {Entry{Year: y, SubdistrictID: w.b, Fund: CivilisedCity, Payer: City, Kind: Correction, Fen: 1, Reason: "r", Corrects: earlier}, "corrects"},
		"correction of another payer":       {Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: District, Kind: Correction, Fen: 1, Reason: "r", Corrects: earlier}, "corrects"},
		"source type not an identifier":     {Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: 1, SourceType: "Manual; DROP"}, "source_type"},
		"reason over 500 characters":        {Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: 1, Reason: strings.Repeat("因", 501)}, "reason"},
	}
	entries := w.count(t, `SELECT count(*) FROM funds_entry`)
	audits := w.count(t, `SELECT count(*) FROM audit_log WHERE target_type = 'funds_entry'`)
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := w.post(t, w.leader, good, good, c.e, good)
			var ae *apperr.Error
			if !errors.As(err, &ae) || (ae.Code != apperr.Invalid && ae.Code != apperr.NotFound) || ae.Fields["field"] != c.field {
				t.Fatalf("err = %#v, want invalid naming %s", err, c.field)
			}
			if !strings.HasPrefix(ae.Message, "entry 3: ") {
				t.Errorf("message %q does not say which entry", ae.Message)
			}
		})
	}
	if n := w.count(t, `SELECT count(*) FROM funds_entry`); n != entries {
		t.Errorf("%d entries written", n-entries)
	}
	if n := w.count(t, `SELECT count(*) FROM audit_log WHERE target_type = 'funds_entry'`); n != audits {
		t.Errorf("%d audit rows written", n-audits)
	}
}

func TestPostIsForTheDistrictFinanceOnly(t *testing.T) {
	w := newWorld(t)
	e := Entry{Year: 2044, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: 1, SourceType: SourceManual, Reason: "x"}
	for _, who := range []access.Principal{w.chiefOfA, w.assess, {Role: access.Inspector}, access.Anonymous("")} {
		if _, err := w.post(t, who, e); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("%s: err = %v, want forbidden", who.Role, err)
		}
	}
	if _, err := w.post(t, w.leader, e); err != nil {
		t.Errorf("district leader: %v", err)
	}
}

func TestParseYuanIsExact(t *testing.T) {
	for in, want := range map[string]int64{"0.1": 10, "250000": 25000000, "1234.56": 123456, "-5.5": -550, "100000000": MaxFen, "007.00": 700} {
		got, err := ParseYuan(in)
		if err != nil || int64(got) != want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", ".", "1.", ".5", "1.234", "1e300", "1E2", "100000000.01", "99999999999", "+1", "--1", "1,5", "0x10", "NaN", "Infinity", " 1", "１"} {
		if _, err := ParseYuan(in); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("ParseYuan(%q): err = %v, want invalid", in, err)
		}
	}
	if s := Amount(-123456).String(); s != "-1234.56" {
		t.Errorf("String = %s", s)
	}
}
