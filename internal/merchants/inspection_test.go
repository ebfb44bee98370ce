package merchants_test

import (
	"context"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
)

// distance is what the store measures: metres on the spheroid from p to the shop's point or
// frontage, whichever is nearer, as the real column keeps it.
func (w *iworld) distance(shop int64, lon, lat float64) float32 {
	w.t.Helper()
	var d float64
	if err := dbtest.Pool(w.t).QueryRow(context.Background(), `SELECT LEAST(ST_Distance(location::geography, p::geography),
			COALESCE(ST_Distance(frontage::geography, p::geography), 'Infinity'))
		FROM merchant, ST_SetSRID(ST_MakePoint($2, $3), 4326) p WHERE id = $1`, shop, lon, lat).Scan(&d); err != nil {
		w.t.Fatal(err)
	}
	return float32(d)
}

// The limit is 50 m plus the fix's accuracy up to 50 m: a check-in is off-site only beyond it, and
// is stored either way. The accuracy is tuned so the limit falls just above, exactly on and just
// below the measured distance.
func TestOffSiteIsFlaggedExactlyAcrossTheThreshold(t *testing.T) {
	w := newIWorld(t)
	shop := w.shop("老王面馆", w.inA(0), w.insp.ID)
	p := east(w.inA(0), 80)
	d := w.distance(shop, p[0], p[1])
	if d < 79 || d > 81 {
		t.Fatalf("fixture: the check-in is %g m away, want about 80", d)
	}
	now := time.Now().Add(-time.Hour)
	for _, tc := range []struct {
		name     string
		accuracy float64
		off      bool
	}{
		{"just inside", float64(d) - 50 + 0.01, false},
		{"exactly at the limit", float64(d) - 50, false},
		{"just outside", float64(d) - 50 - 0.01, true},
		{"accuracy beyond the cap widens the limit by the cap only", 400, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ins := w.mustInspect(w.asInsp, visit{shop: shop, at: now, p: p, accuracy: tc.accuracy})
			if ins.OffSite != tc.off {
				t.Fatalf("distance %g m, limit %g m: off_site %v, want %v", ins.DistanceM, ins.OffSiteLimitM, ins.OffSite, tc.off)
			}
			if tc.name == "exactly at the limit" && float32(ins.DistanceM) != float32(ins.OffSiteLimitM) {
				t.Fatalf("not at the limit: distance %g, limit %g", ins.DistanceM, ins.OffSiteLimitM)
			}
			if tc.accuracy == 400 && ins.OffSiteLimitM != 100 {
				t.Fatalf("limit %g, want 100 (50 + the capped 50)", ins.OffSiteLimitM)
			}
		})
	}
	if n := count(t, `SELECT count(*) FROM merchant_inspection WHERE merchant_id = $1`, shop); n != 4 {
		t.Fatalf("%d inspections stored, want all 4: off-site ones are flagged, never dropped", n)
	}
}

// The frontage counts as the shop: a check-in on the far end of a long frontage is on site.
func TestOffSiteMeasuresToTheFrontageWhenNearer(t *testing.T) {
	w := newIWorld(t)
	shop := w.shop("长街商店", w.inA(0), w.insp.ID)
	far := east(w.inA(0), 120)
	if _, err := dbtest.Pool(t).Exec(context.Background(), `UPDATE merchant SET frontage = ST_MakeLine(location, ST_SetSRID(ST_MakePoint($2, $3), 4326))
		WHERE id = $1`, shop, far[0], far[1]); err != nil {
		t.Fatal(err)
	}
	ins := w.mustInspect(w.asInsp, visit{shop: shop, at: time.Now(), p: east(far, 5), accuracy: 5})
	if ins.OffSite || ins.DistanceM > 6 {
		t.Fatalf("5 m past the frontage's end: distance %g, off_site %v", ins.DistanceM, ins.OffSite)
	}
}

func TestBadInspectionsAreRefusedAndWriteNothing(t *testing.T) {
	w := newIWorld(t)
	ctx := context.Background()
	shop := w.shop("好味餐厅", w.inA(0), w.insp.ID)
	closed := w.shop("已关门店", w.inA(0.001), w.insp.ID)
	if _, err := dbtest.Pool(t).Exec(ctx, `UPDATE merchant SET status = 'closed', status_since = '2026-03-01' WHERE id = $1`, closed); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	good := visit{shop: shop, at: now, p: w.inA(0), accuracy: 10}
	for _, tc := range []struct {
		name   string
		v      func() visit
		photos [][]byte
		want   apperr.Code
	}{
		{"unknown merchant", func() visit { v := good; v.shop = 999_999_999; return v }, nil, apperr.NotFound},
		{"closed shop", func() visit { v := good; v.shop = closed; return v }, nil, apperr.Invalid},
		{"future time", func() visit { v := good; v.at = now.Add(time.Hour); return v }, nil, apperr.Invalid},
		{"months ago", func() visit { v := good; v.at = now.AddDate(0, -3, 0); return v }, nil, apperr.Invalid},
		{"accuracy of 5 km", func() visit { v := good; v.accuracy = 5000; return v }, nil, apperr.Invalid},
		{"photo that is not an image", func() visit { return good }, [][]byte{[]byte("%PDF-1.7 not a photo")}, apperr.Invalid},
		{"unknown category", func() visit { v := good; v.violation = "no_such"; return v }, nil, apperr.Invalid},
		{"a group, not a subcategory", func() visit { v := good; v.violation = "05"; return v }, nil, apperr.Invalid},
		{"refusal without a violation", func() visit { v := good; v.refused = true; return v }, nil, apperr.Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := count(t, `SELECT (SELECT count(*) FROM merchant_inspection) + (SELECT count(*) FROM merchant_photo)`)
			in, err := tc.v().fields().Input(tc.photos, now)
			if err == nil {
				_, _, err = w.store.Inspect(ctx, w.asInsp, in, "")
			}
			if !apperr.Is(err, tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
			if after := count(t, `SELECT (SELECT count(*) FROM merchant_inspection) + (SELECT count(*) FROM merchant_photo)`); after != before {
				t.Fatalf("refused, but rows changed %d → %d", before, after)
			}
		})
	}
}

// An inspector inspects their own shops only; a lane chief those of their community; a street chief
// those of the subdistrict.
func TestInspectionScope(t *testing.T) {
	w := newIWorld(t)
	mine := w.shop("甲店", w.inA(0), w.insp.ID)
	other := w.shop("乙店", w.inA(0.0005), w.insp2.ID)
	inB := w.shop("丙店", w.inB(0), w.insp.ID)
	at := time.Now()
	for _, tc := range []struct {
		name string
		who  access.Principal
		shop int64
		p    orb.Point
		ok   bool
	}{
		{"inspector, own shop", w.asInsp, mine, w.inA(0), true},
		{"inspector, another's shop", w.asInsp, other, w.inA(0), false},
		{"lane chief of A, shop in A", w.asLane, other, w.inA(0), true},
		{"lane chief of A, shop in B", w.asLane, inB, w.inB(0), false},
		{"street chief, shop in B", w.asStreet, inB, w.inB(0), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := w.inspect(tc.who, visit{shop: tc.shop, at: at, p: tc.p, accuracy: 5}, "")
			if tc.ok && err != nil {
				t.Fatal(err)
			}
			if !tc.ok && !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("out of scope: %v, want not found", err)
			}
		})
	}
	if _, err := w.store.Inspection(context.Background(), w.asInsp2, w.mustInspect(w.asInsp, visit{shop: mine, at: at, p: w.inA(0), accuracy: 5}).ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another inspector read my inspection: %v", err)
	}
}

// A resend with the same key is the same record; the same key with another inspection is refused.
func TestIdempotencyKeyMakesAResendTheSameRecord(t *testing.T) {
	w := newIWorld(t)
	shop := w.shop("豆浆店", w.inA(0), w.insp.ID)
	who := w.asInsp
	who.UserID = w.userFor(who)
	v := visit{shop: shop, at: time.Now().Add(-2 * time.Hour), p: w.inA(0), accuracy: 8, note: "门前整洁"}
	first, err := w.inspect(who, v, "phone-1:42")
	if err != nil {
		t.Fatal(err)
	}
	again, err := w.inspect(who, v, "phone-1:42")
	if err != nil || again.ID != first.ID {
		t.Fatalf("resend: %v, id %d want %d", err, again.ID, first.ID)
	}
	v.note = "另一次"
	if _, err := w.inspect(who, v, "phone-1:42"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("same key, other body: %v, want conflict", err)
	}
	if n := count(t, `SELECT count(*) FROM merchant_inspection WHERE merchant_id = $1`, shop); n != 1 {
		t.Fatalf("%d rows, want 1", n)
	}
}

// userFor makes an account for who, for the inspections' user_id.
func (w *iworld) userFor(who access.Principal) int64 {
	w.t.Helper()
	u, err := auth.NewService(dbtest.Pool(w.t), auth.Options{}).AddUser(context.Background(), system,
		auth.UserInput{Username: who.Username + time.Now().Format("150405.000000"), Password: "correct horse battery", Role: who.Role, PersonID: who.PersonID})
	if err != nil {
		w.t.Fatal(err)
	}
	return u.ID
}

func TestVoidKeepsTheInspectionOnRecord(t *testing.T) {
	w := newIWorld(t)
	ctx := context.Background()
	shop := w.shop("水果店", w.inA(0), w.insp.ID)
	ins := w.mustInspect(w.asInsp, visit{shop: shop, at: time.Now(), p: w.inA(0), accuracy: 5})
	if _, err := w.store.VoidInspection(ctx, w.asInsp2, ins.ID, "错录"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another inspector voided it: %v", err)
	}
	if _, err := w.store.VoidInspection(ctx, w.asInsp, ins.ID, " "); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("void without a reason: %v", err)
	}
	got, err := w.store.VoidInspection(ctx, w.asInsp, ins.ID, "选错了商户")
	if err != nil || got.VoidedAt == nil || got.VoidReason != "选错了商户" {
		t.Fatalf("void: %v %+v", err, got)
	}
	if _, err := w.store.VoidInspection(ctx, w.asStreet, ins.ID, "再作废"); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("void twice: %v", err)
	}
	if n := count(t, `SELECT count(*) FROM merchant_inspection WHERE id = $1`, ins.ID); n != 1 {
		t.Fatal("a voided inspection was deleted")
	}
}
