package funds

import (
	"context"
	"strings"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

func TestAllocateBooksTheYearOnceAndSaysSoTheSecondTime(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const y = 2051
	subs := w.count(t, `SELECT count(*) FROM unit_directory WHERE level = 'subdistrict'`)
	first, err := w.svc.Allocate(ctx, w.leader, y)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Booked) != 2*subs+2 || first.Already != 0 {
		t.Fatalf("first allocation booked %d (already %d), want %d", len(first.Booked), first.Already, 2*subs+2)
	}
	again, err := w.svc.Allocate(ctx, w.leader, y)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Booked) != 0 || again.Already != 2*subs+2 || !strings.Contains(again.Message, "nothing booked") {
		t.Fatalf("second allocation = %+v, want nothing booked", again)
	}
	b, err := w.svc.Balances(ctx, w.assess, y, w.a)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Rows) != 2 || find(t, b, w.a, CivilisedCity, City).Allocation != 25000000 || find(t, b, w.a, CivilisedCity, District).Allocation != 25000000 {
		t.Errorf("a's balances = %+v, want 250,000.00 from each payer", b.Rows)
	}
	d, err := w.svc.Balances(ctx, w.assess, y, -1)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Rows) != 2 || find(t, d, 0, VolunteerService, City).Balance != 50000000 || find(t, d, 0, VolunteerService, District).Balance != 50000000 {
		t.Errorf("volunteer budget = %+v, want 500,000.00 from each payer", d.Rows)
	}
	if _, err := w.svc.Allocate(ctx, w.chiefOfA, y+1); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("a street chief allocating: %v, want forbidden", err)
	}
	if _, err := w.svc.Allocate(ctx, w.leader, 1800); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("year 1800: %v, want invalid", err)
	}
}

func TestAllocateFollowsTheStandingInForceThatYear(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if err := w.svc.SetStanding(ctx, system, Standing{FromYear: 2061, CivilisedCity: 60000000, VolunteerService: 120000000, CitySharePct: 60, Reason: "新标准"}); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.SetStanding(ctx, system, Standing{FromYear: 2062, CivilisedCity: 1, VolunteerService: 99999999, CitySharePct: 50}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("a volunteer budget under 1,000,000 yuan: %v, want invalid", err)
	}
	if err := w.svc.SetStanding(ctx, w.leader, Standing{FromYear: 2063, CivilisedCity: 1, VolunteerService: 100000000, CitySharePct: 50}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("a leader setting the standing allocation: %v, want forbidden", err)
	}
	for y, want := range map[int][2]Amount{2060: {25000000, 25000000}, 2064: {36000000, 24000000}} {
		if _, err := w.svc.Allocate(ctx, w.leader, y); err != nil {
			t.Fatal(err)
		}
		b, err := w.svc.Balances(ctx, w.leader, y, w.b)
		if err != nil {
			t.Fatal(err)
		}
		if c, d := find(t, b, w.b, CivilisedCity, City).Allocation, find(t, b, w.b, CivilisedCity, District).Allocation; c != want[0] || d != want[1] {
			t.Errorf("%d: city %s district %s, want %s %s", y, c, d, want[0], want[1])
		}
	}
}

func TestCorrectionRules(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const y = 2071
	ids := w.mustPost(t,
		Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: District, Kind: Penalty, Fen: -yuan(200000), SourceType: SourceAssessment, SourceID: 3},
	)
	if _, err := w.svc.Correct(ctx, w.leader, ids[0], -yuan(100000), "  "); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("no reason: %v, want invalid", err)
	}
	if _, err := w.svc.Correct(ctx, w.leader, ids[0], -yuan(200000), "同额"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("the same amount: %v, want invalid", err)
	}
	if _, err := w.svc.Correct(ctx, w.leader, ids[0], yuan(5), "变奖励"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("a penalty turned positive: %v, want invalid", err)
	}
	if _, err := w.svc.Correct(ctx, w.chiefOfA, ids[0], 0, "取消"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("a street chief correcting: %v, want forbidden", err)
	}
	if _, err := w.svc.Correct(ctx, w.leader, 1<<40, 0, "x"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("no such entry: %v, want not found", err)
	}
	c1, err := w.svc.Correct(ctx, w.leader, ids[0], -yuan(100000), "名次复核")
	if err != nil {
		t.Fatal(err)
	}
	c2, err := w.svc.Correct(ctx, w.leader, ids[0], 0, "处罚撤销")
	if err != nil {
		t.Fatal(err)
	}
	if c1.Yuan != Amount(yuan(100000)) || c2.Yuan != Amount(yuan(100000)) {
		t.Errorf("corrections of %s and %s, want 100,000.00 each", c1.Yuan, c2.Yuan)
	}
	if _, err := w.svc.Correct(ctx, w.leader, c1.ID, 1, "更正的更正"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("correcting a correction: %v, want invalid", err)
	}
	b, err := w.svc.Balances(ctx, w.leader, y, w.a)
	if err != nil {
		t.Fatal(err)
	}
	if r := find(t, b, w.a, CivilisedCity, District); r.Balance != 0 || r.Penalties != Amount(-yuan(200000)) || r.Corrections != Amount(yuan(200000)) {
		t.Errorf("after the penalty was cancelled: %+v", r)
	}
	// The database holds the same rule without the Go checks.
	_, err = w.svc.db.Exec(ctx, `INSERT INTO funds_entry (year, subdistrict_id, fund, payer, kind, fen, reason, corrects, created_by)
		VALUES ($1, $2, 'civilised_city', 'district', 'correction', 1, 'r', $3, 'sql')`, y, w.b, ids[0])
	if err == nil {
		t.Error("the database took a correction of another subdistrict's entry")
	}
}

func TestAStreetChiefReadsOnlyTheirSubdistrict(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const y = 2081
	w.mustPost(t,
		Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: 100, SourceType: SourceManual, Reason: "a"},
		Entry{Year: y, SubdistrictID: w.b, Fund: CivilisedCity, Payer: City, Kind: Allocation, Fen: 200, SourceType: SourceManual, Reason: "b"},
		Entry{Year: y, Fund: VolunteerService, Payer: City, Kind: Allocation, Fen: 300, SourceType: SourceManual, Reason: "d"},
	)
	list, err := w.svc.Entries(ctx, w.chiefOfA, Filter{Year: y})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].SubdistrictID != w.a {
		t.Errorf("the street chief of a sees %+v", list)
	}
	b, err := w.svc.Balances(ctx, w.chiefOfA, y, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Rows) != 1 || b.Rows[0].SubdistrictID != w.a || b.Totals[len(b.Totals)-1].Balance != 100 {
		t.Errorf("the street chief of a sees balances %+v totals %+v", b.Rows, b.Totals)
	}
	if b, err := w.svc.Balances(ctx, w.chiefOfA, y, w.b); err != nil || len(b.Rows) != 0 {
		t.Errorf("asking for b: %+v, %v; want nothing", b.Rows, err)
	}
	all, err := w.svc.Entries(ctx, w.assess, Filter{Year: y})
	if err != nil || len(all) != 3 || all[0].Fund != VolunteerService {
		t.Errorf("the assessor sees %d entries (%v), want 3, newest first", len(all), err)
	}
	for _, role := range []access.Role{access.LaneChief, access.Inspector, access.DepartmentLiaison, access.Public} {
		if _, err := w.svc.Entries(ctx, access.Principal{Role: role}, Filter{}); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("%s reading entries: %v, want forbidden", role, err)
		}
		if _, err := w.svc.Balances(ctx, access.Principal{Role: role}, y, 0); !apperr.Is(err, apperr.Forbidden) {
			t.Errorf("%s reading balances: %v, want forbidden", role, err)
		}
	}
}

func TestBySourceReadsInTheCallersTransactionWithCorrections(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	const y = 2091
	ids := w.mustPost(t,
		Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Reward, Fen: yuan(250000), SourceType: SourceAssessment, SourceID: 41},
		Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: District, Kind: Reward, Fen: yuan(250000), SourceType: SourceAssessment, SourceID: 41},
		Entry{Year: y, SubdistrictID: w.b, Fund: CivilisedCity, Payer: City, Kind: Reward, Fen: yuan(1), SourceType: SourceAssessment, SourceID: 42},
	)
	tx, err := w.svc.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	// An amendment: the reward becomes 150,000 from each payer, read and corrected in one transaction.
	if _, err := Post(ctx, tx, w.leader, Entry{Year: y, SubdistrictID: w.a, Fund: CivilisedCity, Payer: City, Kind: Correction,
		Fen: -yuan(100000), SourceType: SourceAssessment, SourceID: 41, Reason: "名次更正", Corrects: ids[0]}); err != nil {
		t.Fatal(err)
	}
	got, err := BySource(ctx, tx, w.leader, SourceAssessment, 41)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID != ids[0] || got[0].Effective != Amount(yuan(150000)) || got[1].Effective != Amount(yuan(250000)) || got[2].Kind != Correction {
		t.Errorf("entries of outcome 41 = %+v", got)
	}
	if got, err := BySource(ctx, tx, w.chiefOfA, SourceAssessment, 42); err != nil || len(got) != 0 {
		t.Errorf("the chief of a reading b's entries: %+v, %v", got, err)
	}
}
