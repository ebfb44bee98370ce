package merchants_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/xuri/excelize/v2"

	"streetchief/internal/dbtest"
	"streetchief/internal/fieldproof"
	"streetchief/internal/incidents"
	"streetchief/internal/merchants"
)

func codes(ins merchants.Inspection) []string {
	out := []string{}
	for _, r := range ins.Reasons {
		out = append(out, r.Code)
	}
	return out
}

// stored reads the verdict as the table keeps it, so a test sees what every later read sees.
func (w *iworld) stored(id int64) merchants.Inspection {
	w.t.Helper()
	ins, err := w.store.Inspection(context.Background(), w.asAdmin, id)
	if err != nil {
		w.t.Fatal(err)
	}
	return ins
}

func wantVerdict(t *testing.T, what string, ins merchants.Inspection, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if got := codes(ins); !slices.Equal(got, want) || ins.Suspect != (len(want) > 0) {
		t.Fatalf("%s: suspect %v, reasons %v (%+v), want %v", what, ins.Suspect, got, ins.Reasons, want)
	}
}

// A desk check-in: the inspector "visits" a second shop without leaving the first, sending the very
// same coordinates. Both shops are near enough that neither check-in is off-site.
func TestDeskCheckInIsFlaggedRepeatedPosition(t *testing.T) {
	w := newIWorld(t)
	a := w.shop("东街一号", w.inA(0), w.insp.ID)
	b := w.shop("东街三号", east(w.inA(0), 30), w.insp.ID)
	at := time.Now().Add(-time.Hour)
	desk := east(w.inA(0), 15)
	first := w.mustInspect(w.asInsp, visit{shop: a, at: at, p: desk, accuracy: 8})
	wantVerdict(t, "the first", first)
	second := w.mustInspect(w.asInsp, visit{shop: b, at: at.Add(4 * time.Minute), p: desk, accuracy: 8})
	wantVerdict(t, "the same coordinates at another shop", second, fieldproof.RepeatedPosition)
	wantVerdict(t, "as stored", w.stored(second.ID), fieldproof.RepeatedPosition)
	// The same shop checked again from the same spot is a second round, not a desk check-in.
	again := w.mustInspect(w.asInsp, visit{shop: b, at: at.Add(40 * time.Minute), p: desk, accuracy: 8})
	wantVerdict(t, "the same shop again", again)
	// Another person's check-in is no one's previous but their own.
	other := w.mustInspect(w.asStreet, visit{shop: a, at: at.Add(41 * time.Minute), p: desk, accuracy: 8})
	wantVerdict(t, "another person", other)
}

// 2 km in 45 seconds is no walk: the second check-in is flagged with the speed and the limit. (2 km
// in a whole minute is 120 km/h less what the two fixes' accuracies explain, just under the default
// limit of 120 km/h.)
func TestTeleportBetweenCheckInsIsFlagged(t *testing.T) {
	w := newIWorld(t)
	a := w.shop("城西店", w.inA(0), w.insp.ID)
	far := east(w.inA(0), 2000)
	b := w.shop("城东店", far, w.insp.ID)
	at := time.Now().Add(-2 * time.Hour)
	w.mustInspect(w.asInsp, visit{shop: a, at: at, p: w.inA(0), accuracy: 10})
	jump := w.mustInspect(w.asInsp, visit{shop: b, at: at.Add(45 * time.Second), p: far, accuracy: 10})
	wantVerdict(t, "2 km in 45 s", jump, fieldproof.Teleport)
	if r := jump.Reasons[0]; r.Figure < 150 || r.Figure > 160 || r.Limit != fieldproof.DefaultRules().CheckIn.TeleportKmh {
		t.Fatalf("reason %+v: want the speed (about 158 km/h) over the limit", r)
	}
	if jump.OffSite || jump.DistanceM > 1 {
		t.Fatalf("the check-in was at the shop: %+v", jump)
	}
}

// A fix vaguer than the rule's (50 m by default) but accepted by the intake is kept and flagged.
func TestPoorAccuracyIsFlagged(t *testing.T) {
	w := newIWorld(t)
	a := w.shop("茶叶店", w.inA(0), w.insp.ID)
	ins := w.mustInspect(w.asInsp, visit{shop: a, at: time.Now().Add(-time.Hour), p: w.inA(0), accuracy: 120})
	wantVerdict(t, "a 120 m fix", ins, fieldproof.PoorAccuracy)
	if r := ins.Reasons[0]; r.Figure != 120 || r.Limit != 50 {
		t.Fatalf("reason %+v", r)
	}
	// Off-site is one of the reasons, beside the existing flag.
	b := w.shop("花店", w.inA(0.001), w.insp.ID)
	off := w.mustInspect(w.asInsp, visit{shop: b, at: time.Now().Add(-30 * time.Minute), p: east(w.inA(0.001), 300), accuracy: 10})
	wantVerdict(t, "300 m from the shop", off, fieldproof.OffSite)
	if !off.OffSite {
		t.Fatal("the off_site flag is gone")
	}
}

// An honest round: five shops 80 m apart along a street, each checked on the pavement outside it a
// few minutes after the last, with a phone's everyday fix. Nothing is flagged.
func TestHonestRoundOfFiveShopsIsNotFlagged(t *testing.T) {
	w := newIWorld(t)
	at := time.Now().Add(-3 * time.Hour)
	for k := range 5 {
		p := east(w.inA(0), 80*float64(k))
		shop := w.shop("店", p, w.insp.ID)
		ins := w.mustInspect(w.asInsp, visit{shop: shop, at: at.Add(time.Duration(k) * 4 * time.Minute),
			p: orb.Point{p[0] + 0.00002*float64(k%2), p[1] + 0.00003}, accuracy: 6 + float64(k)})
		wantVerdict(t, "shop "+string(rune('1'+k)), ins)
	}
	if n := count(t, `SELECT count(*) FROM merchant_check_standing WHERE inspector_person_id = $1 AND suspect`, w.insp.ID); n != 0 {
		t.Fatalf("%d suspect in the published view", n)
	}
}

// A phone that was offline sends its queue late and out of order: each check-in is judged against
// the same person's check-ins by their own times, not by when they arrived.
func TestOutOfOrderArrivalIsJudgedByTheCheckInsOwnTime(t *testing.T) {
	w := newIWorld(t)
	p := w.inA(0)
	one := w.shop("一号店", p, w.insp.ID)
	two := w.shop("二号店", east(p, 30), w.insp.ID)
	three := w.shop("三号店", east(p, 400), w.insp.ID)
	at := time.Now().Add(-5 * time.Hour)
	desk := east(p, 15)
	w.mustInspect(w.asInsp, visit{shop: one, at: at, p: desk, accuracy: 8})
	w.mustInspect(w.asInsp, visit{shop: three, at: at.Add(20 * time.Minute), p: east(p, 400), accuracy: 8})
	// Arrives last, but was made between the two: its previous is shop one's, from the same desk.
	late := w.mustInspect(w.asInsp, visit{shop: two, at: at.Add(5 * time.Minute), p: desk, accuracy: 8})
	wantVerdict(t, "arrived after a later check-in", late, fieldproof.RepeatedPosition)

	// The same pair sent the other way round: the later one arrives first, unjudged against a
	// check-in it has not seen; the earlier, arriving after it, is judged against it.
	four := w.shop("四号店", w.inB(0), w.insp2.ID)
	five := w.shop("五号店", east(w.inB(0), 30), w.insp2.ID)
	at2 := at.Add(time.Hour)
	spot := east(w.inB(0), 15)
	first := w.mustInspect(w.asInsp2, visit{shop: five, at: at2.Add(10 * time.Minute), p: spot, accuracy: 8})
	wantVerdict(t, "the later check-in, first to arrive", first)
	second := w.mustInspect(w.asInsp2, visit{shop: four, at: at2, p: spot, accuracy: 8})
	wantVerdict(t, "the earlier check-in, arriving second", second, fieldproof.RepeatedPosition)
}

// The rules are the deployment's: a store given a looser accuracy limit flags less.
func TestCheckInRulesComeFromTheStoresRules(t *testing.T) {
	w := newIWorld(t)
	rules := fieldproof.DefaultRules().CheckIn
	rules.MaxAccuracyM = 200
	store := merchants.NewStore(dbtest.Pool(t), nil, w.inc, nil, merchants.Rules{Proof: rules})
	a := w.shop("书店", w.inA(0), w.insp.ID)
	in, err := visit{shop: a, at: time.Now().Add(-time.Hour), p: w.inA(0), accuracy: 120}.fields().Input(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ins, _, err := store.Inspect(context.Background(), w.asInsp, in, "")
	if err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, "120 m under a 200 m rule", ins)
	b := w.shop("书店二", w.inA(0.001), w.insp2.ID)
	in, err = visit{shop: b, at: time.Now().Add(-time.Hour), p: w.inA(0.001), accuracy: 120}.fields().Input(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if ins, _, err = w.store.Inspect(context.Background(), w.asInsp2, in, ""); err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, "120 m under the default rules", ins, fieldproof.PoorAccuracy)
}

// Coverage counts a shop inspected credibly only with a check-in that day that no rule flagged;
// suspect check-ins are inspected, and counted apart.
func TestCoverageCountsSuspectCheckInsApart(t *testing.T) {
	w := newIWorld(t)
	ctx := context.Background()
	now := time.Now().In(incidents.Beijing)
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, incidents.Beijing).AddDate(0, 0, -1)
	at := func(hour int) time.Time { return d.Add(time.Duration(hour) * time.Hour) }
	s1, s2, s3 := w.shop("s1", w.inA(0), w.insp.ID), w.shop("s2", w.inA(0.001), w.insp.ID), w.shop("s3", w.inA(0.002), w.insp.ID)
	w.mustInspect(w.asInsp, visit{shop: s1, at: at(9), p: w.inA(0), accuracy: 5})
	wantVerdict(t, "s2's only check-in", w.mustInspect(w.asInsp, visit{shop: s2, at: at(10), p: w.inA(0.001), accuracy: 120}), fieldproof.PoorAccuracy)
	w.mustInspect(w.asInsp, visit{shop: s3, at: at(11), p: w.inA(0.002), accuracy: 120})
	w.mustInspect(w.asInsp, visit{shop: s3, at: at(15), p: w.inA(0.002), accuracy: 5})
	p, err := merchants.ParseCoveragePeriod("day", d.Format(time.DateOnly), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cov, err := w.store.Coverage(ctx, w.asStreet, merchants.ByCommunity, p)
	if err != nil {
		t.Fatal(err)
	}
	r := cov.Total
	got := [...]float64{float64(r.InspectedDay), float64(r.CredibleDay), r.CredibleDayPct, float64(r.CredibleWeek), float64(r.CrediblePeriod),
		r.CrediblePeriodPct, float64(r.Inspections), float64(r.Suspect), r.SuspectShare, float64(r.OffSite)}
	if want := [...]float64{3, 2, 66.7, 2, 2, 66.7, 4, 2, 50, 0}; got != want {
		t.Fatalf("inspected, credible, %%, week, period, %%, inspections, suspect, share, off-site:\n got  %v\n want %v", got, want)
	}
	var buf bytes.Buffer
	if err := cov.WriteXLSX(&buf); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	header, _ := x.GetRows("门前三包覆盖")
	if len(header) < 2 || !slices.Contains(header[0], "当日有效巡查") || !slices.Contains(header[0], "可疑打卡") {
		t.Fatalf("XLSX header %v", header)
	}
	// The published view says which check-ins are suspect, for other packages' counts.
	if n := count(t, `SELECT count(*) FROM merchant_check_standing WHERE merchant_id = ANY($1) AND suspect`, []int64{s1, s2, s3}); n != 2 {
		t.Fatalf("%d suspect in merchant_check_standing, want 2", n)
	}
}

// Rules given in part take the defaults for the rest: a teleport limit alone does not leave the
// accuracy limit at zero, which would flag every fix.
func TestPartialCheckInRulesKeepTheOtherDefaults(t *testing.T) {
	w := newIWorld(t)
	store := merchants.NewStore(dbtest.Pool(t), nil, w.inc, nil, merchants.Rules{Proof: fieldproof.CheckInRules{TeleportKmh: 300}})
	a := w.shop("米店", w.inA(0), w.insp.ID)
	in, err := visit{shop: a, at: time.Now().Add(-time.Hour), p: w.inA(0), accuracy: 5}.fields().Input(nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ins, _, err := store.Inspect(context.Background(), w.asInsp, in, "")
	if err != nil {
		t.Fatal(err)
	}
	wantVerdict(t, "a 5 m fix under rules naming only the teleport limit", ins)
}
