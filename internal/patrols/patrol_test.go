package patrols_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/dbtest"
	"streetchief/internal/patrols"
)

// rowCounts counts the patrol tables' rows, to prove a refusal wrote nothing.
func rowCounts(t *testing.T) string {
	t.Helper()
	var p, f, a int
	var fixes int64
	err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT (SELECT count(*) FROM patrol), (SELECT count(*) FROM patrol_fix),
		(SELECT count(*) FROM patrol_area), (SELECT COALESCE(sum(fixes), 0) FROM patrol)`).Scan(&p, &f, &a, &fixes)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("patrols=%d fixes=%d areas=%d counted=%d", p, f, a, fixes)
}

func mustCode(t *testing.T, what string, err error, want apperr.Code) {
	t.Helper()
	if !apperr.Is(err, want) {
		t.Fatalf("%s: got %v, want %s", what, err, want)
	}
}

func startBody(at time.Time, extra string) []byte {
	return []byte(`{"started_at": "` + at.Format(time.RFC3339Nano) + `"` + extra + `}`)
}

// A phone that lost the answer sends the start, a batch of fixes or the end again: each resend
// is answered as the first was and stores nothing twice.
func TestResendsAreAnsweredAsTheFirst(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	now := time.Now()
	id := newID()
	fixes := w.along(11, now.Add(-3*time.Hour), 1.2, 10, 20*time.Minute, 3, 8)
	in, err := patrols.DecodeStart(id, startBody(fixes[0].At, `, "note": "早班"`), now)
	if err != nil {
		t.Fatal(err)
	}
	first, created, err := w.store.Start(ctx, w.laneA, in)
	if err != nil || !created || first.State != patrols.Recording {
		t.Fatalf("start: %+v created %v, %v", first, created, err)
	}
	again, created, err := w.store.Start(ctx, w.laneA, in)
	if err != nil || created || again.ID != first.ID || !again.StartedAt.Equal(first.StartedAt) {
		t.Fatalf("the start again: %+v created %v, %v", again, created, err)
	}
	batch1, _ := patrols.DecodeFixes(fixesBody(t, fixes[:60]), now)
	batch2, _ := patrols.DecodeFixes(fixesBody(t, fixes[50:]), now) // ten resent, the rest new
	for _, c := range []struct {
		name        string
		batch       []patrols.Fix
		stored, all int
	}{{"first batch", batch1, 60, 60}, {"the same again", batch1, 0, 60}, {"overlapping", batch2, len(fixes) - 60, len(fixes)}} {
		got, err := w.store.AddFixes(ctx, w.laneA, id, c.batch)
		if err != nil || got.Stored != c.stored || got.Fixes != c.all {
			t.Fatalf("%s: %+v, %v; want %d stored, %d in all", c.name, got, err, c.stored, c.all)
		}
	}
	end, err := patrols.DecodeEnd([]byte(`{"ended_at": "`+now.Add(-2*time.Hour).Format(time.RFC3339)+`"}`), now)
	if err != nil {
		t.Fatal(err)
	}
	ended, err := w.store.End(ctx, w.laneA, id, end)
	if err != nil || ended.State != patrols.Ended || ended.Verdict == nil {
		t.Fatalf("end: %+v, %v", ended, err)
	}
	before := rowCounts(t)
	twice, err := w.store.End(ctx, w.laneA, id, end)
	if err != nil || twice.Suspect != ended.Suspect || twice.DistanceM != ended.DistanceM || len(twice.Reasons) != len(ended.Reasons) {
		t.Fatalf("the end again answers %+v, %v; first %+v", twice, err, ended)
	}
	if after := rowCounts(t); after != before {
		t.Errorf("the end again wrote: %s, then %s", before, after)
	}
}

// A different body under a stored id, fixes after the end, a resent seq with other content and a
// fix out of order are conflicts, refused writing nothing.
func TestConflictsAreRefusedWritingNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	now := time.Now()
	id := newID()
	fixes := w.along(12, now.Add(-5*time.Hour), 1.2, 10, 15*time.Minute, 3, 8)
	in, _ := patrols.DecodeStart(id, startBody(fixes[0].At, ""), now)
	if _, _, err := w.store.Start(ctx, w.laneA, in); err != nil {
		t.Fatal(err)
	}
	batch, _ := patrols.DecodeFixes(fixesBody(t, fixes[:40]), now)
	if _, err := w.store.AddFixes(ctx, w.laneA, id, batch); err != nil {
		t.Fatal(err)
	}
	before := rowCounts(t)

	other, _ := patrols.DecodeStart(id, startBody(fixes[0].At.Add(time.Minute), ""), now)
	_, _, err := w.store.Start(ctx, w.laneA, other)
	mustCode(t, "another start under the id", err, apperr.Conflict)
	_, _, err = w.store.Start(ctx, w.laneB, in)
	mustCode(t, "the same start by another person", err, apperr.Conflict)

	changed := append([]patrols.Fix{}, fixes[30:45]...)
	changed[0].Lon += 0.0001
	_, err = w.store.AddFixes(ctx, w.laneA, id, decode(t, changed, now))
	mustCode(t, "a resent seq with other content", err, apperr.Conflict)
	if after := rowCounts(t); after != before {
		t.Fatalf("refused starts and batches wrote: %s, then %s", before, after)
	}

	gap := []patrols.Fix{fixes[50], fixes[51]}
	if _, err := w.store.AddFixes(ctx, w.laneA, id, decode(t, gap, now)); err != nil {
		t.Fatal(err)
	}
	before = rowCounts(t)
	_, err = w.store.AddFixes(ctx, w.laneA, id, decode(t, fixes[45:48], now))
	mustCode(t, "fixes numbered before the last stored", err, apperr.Conflict)
	_, err = w.store.AddFixes(ctx, w.laneB, id, decode(t, fixes[52:55], now))
	mustCode(t, "fixes to another person's patrol", err, apperr.NotFound)
	if after := rowCounts(t); after != before {
		t.Fatalf("refused batches wrote: %s, then %s", before, after)
	}

	end, _ := patrols.DecodeEnd([]byte(`{"ended_at": "`+fixes[51].At.Add(time.Minute).Format(time.RFC3339)+`"}`), now)
	if _, err := w.store.End(ctx, w.laneA, id, end); err != nil {
		t.Fatal(err)
	}
	before = rowCounts(t)
	_, err = w.store.AddFixes(ctx, w.laneA, id, decode(t, fixes[52:55], now))
	mustCode(t, "fixes after the end", err, apperr.Conflict)
	otherEnd, _ := patrols.DecodeEnd([]byte(`{"ended_at": "`+fixes[51].At.Add(2*time.Minute).Format(time.RFC3339)+`"}`), now)
	_, err = w.store.End(ctx, w.laneA, id, otherEnd)
	mustCode(t, "another end", err, apperr.Conflict)
	if after := rowCounts(t); after != before {
		t.Fatalf("refused requests wrote: %s, then %s", before, after)
	}
}

func decode(t *testing.T, fixes []patrols.Fix, now time.Time) []patrols.Fix {
	t.Helper()
	out, err := patrols.DecodeFixes(fixesBody(t, fixes), now)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Hostile and careless bodies are refused before anything is written.
func TestHostileBodiesAreRefused(t *testing.T) {
	now := time.Now()
	at := now.Add(-time.Hour).UTC().Format(time.RFC3339)
	fix := func(seq, lon, lat, acc string, when string) string {
		return `{"seq": ` + seq + `, "lon": ` + lon + `, "lat": ` + lat + `, "accuracy_m": ` + acc + `, "at": "` + when + `"}`
	}
	good := fix("0", "117.02", "25.07", "8", at)
	many := `{"fixes": [` + good
	for i := 1; i <= patrols.MaxFixesPerCall; i++ {
		many += "," + fix(fmt.Sprint(i), "117.02", "25.07", "8", at)
	}
	many += "]}"
	for _, c := range []struct {
		name, body string
		want       apperr.Code
	}{
		{"not JSON", `{"fixes": [`, apperr.Malformed},
		{"an unknown member", `{"fixes": [` + good + `], "speed": 3}`, apperr.Malformed},
		{"no fixes", `{"fixes": []}`, apperr.Invalid},
		{"too many fixes", many, apperr.TooLarge},
		{"a longitude off the globe", `{"fixes": [` + fix("0", "190", "25", "8", at) + `]}`, apperr.Invalid},
		{"a latitude off the globe", `{"fixes": [` + fix("0", "117", "-91", "8", at) + `]}`, apperr.Invalid},
		{"a negative accuracy", `{"fixes": [` + fix("0", "117", "25", "-1", at) + `]}`, apperr.Invalid},
		{"a negative seq", `{"fixes": [` + fix("-1", "117", "25", "8", at) + `]}`, apperr.Invalid},
		{"seq not increasing", `{"fixes": [` + good + `,` + fix("0", "117", "25", "8", at) + `]}`, apperr.Invalid},
		{"time going back", `{"fixes": [` + good + `,` + fix("1", "117", "25", "8", now.Add(-2*time.Hour).UTC().Format(time.RFC3339)) + `]}`, apperr.Invalid},
		{"a fix in the future", `{"fixes": [` + fix("0", "117", "25", "8", now.Add(time.Hour).UTC().Format(time.RFC3339)) + `]}`, apperr.Invalid},
		{"a fix a month old", `{"fixes": [` + fix("0", "117", "25", "8", now.AddDate(0, -1, 0).UTC().Format(time.RFC3339)) + `]}`, apperr.Invalid},
		{"a time that is no time", `{"fixes": [` + fix("0", "117", "25", "8", "yesterday") + `]}`, apperr.Invalid},
		{"a missing member", `{"fixes": [{"seq": 0, "lon": 117, "lat": 25, "at": "` + at + `"}]}`, apperr.Invalid},
	} {
		t.Run("fixes: "+c.name, func(t *testing.T) {
			_, err := patrols.DecodeFixes([]byte(c.body), now)
			mustCode(t, c.name, err, c.want)
		})
	}
	for _, c := range []struct {
		name, id, body string
		want           apperr.Code
	}{
		{"an id that is no UUID", "42", `{"started_at": "` + at + `"}`, apperr.Malformed},
		{"an id with SQL in it", "00000000-0000-0000-0000-00000000000'", `{"started_at": "` + at + `"}`, apperr.Malformed},
		{"no start", newID(), `{}`, apperr.Invalid},
		{"a start in the future", newID(), `{"started_at": "` + now.Add(time.Hour).UTC().Format(time.RFC3339) + `"}`, apperr.Invalid},
		{"an area twice", newID(), `{"started_at": "` + at + `", "area_ids": [3, 3]}`, apperr.Invalid},
		{"an area that is no id", newID(), `{"started_at": "` + at + `", "area_ids": [0]}`, apperr.Invalid},
		{"a note with a control character", newID(), `{"started_at": "` + at + `", "note": "a\u0007b"}`, apperr.Invalid},
	} {
		t.Run("start: "+c.name, func(t *testing.T) {
			_, err := patrols.DecodeStart(c.id, []byte(c.body), now)
			mustCode(t, c.name, err, c.want)
		})
	}
	for _, c := range []struct {
		name, body string
		want       apperr.Code
	}{
		{"no end", `{}`, apperr.Invalid},
		{"a pause backwards", `{"ended_at": "` + at + `", "pauses": [{"from": "` + at + `", "until": "` + now.Add(-2*time.Hour).UTC().Format(time.RFC3339) + `"}]}`, apperr.Invalid},
		{"a pause after the end", `{"ended_at": "` + now.Add(-2*time.Hour).UTC().Format(time.RFC3339) + `", "pauses": [{"from": "` + now.Add(-90*time.Minute).UTC().Format(time.RFC3339) + `", "until": "` + at + `"}]}`, apperr.Invalid},
	} {
		t.Run("end: "+c.name, func(t *testing.T) {
			_, err := patrols.DecodeEnd([]byte(c.body), now)
			mustCode(t, c.name, err, c.want)
		})
	}
}

// What only the database can tell is refused too, writing nothing: an area out of the caller's
// scope, fixes before the start, an end before the last fix, an account with no person.
func TestRefusalsAgainstTheStoredPatrolWriteNothing(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	now := time.Now()
	fixes := w.along(13, now.Add(-6*time.Hour), 1.2, 10, 15*time.Minute, 3, 8)
	before := rowCounts(t)
	in, _ := patrols.DecodeStart(newID(), startBody(fixes[0].At, fmt.Sprintf(`, "area_ids": [%d]`, w.street.ID)), now)
	_, _, err := w.store.Start(ctx, w.laneB, in)
	mustCode(t, "an area of another community", err, apperr.Invalid)
	_, _, err = w.store.Start(ctx, w.chief, in)
	mustCode(t, "an account with no person", err, apperr.Forbidden)
	_, _, err = w.store.Start(ctx, access.Principal{Role: access.Assessor, PersonID: w.laneA.PersonID}, in)
	mustCode(t, "a role that does not patrol", err, apperr.Forbidden)
	if after := rowCounts(t); after != before {
		t.Fatalf("refused starts wrote: %s, then %s", before, after)
	}
	if _, _, err := w.store.Start(ctx, w.laneA, in); err != nil {
		t.Fatal(err)
	}
	before = rowCounts(t)
	early := fixes[:5]
	for i := range early {
		early[i].At = early[i].At.Add(-time.Hour)
	}
	_, err = w.store.AddFixes(ctx, w.laneA, in.ID, decode(t, early, now))
	mustCode(t, "fixes before the start", err, apperr.Invalid)
	if after := rowCounts(t); after != before {
		t.Fatalf("the refused batch wrote: %s, then %s", before, after)
	}
	if _, err := w.store.AddFixes(ctx, w.laneA, in.ID, decode(t, fixes[5:], now)); err != nil {
		t.Fatal(err)
	}
	before = rowCounts(t)
	end, _ := patrols.DecodeEnd([]byte(`{"ended_at": "`+fixes[20].At.Format(time.RFC3339Nano)+`"}`), now)
	_, err = w.store.End(ctx, w.laneA, in.ID, end)
	mustCode(t, "an end before the last fix", err, apperr.Invalid)
	if after := rowCounts(t); after != before {
		t.Fatalf("the refused end wrote: %s, then %s", before, after)
	}
	p, err := w.store.Get(ctx, w.laneA, in.ID)
	if err != nil || p.State != patrols.Recording {
		t.Fatalf("after the refused end the patrol is %+v, %v", p, err)
	}
}

// A lane chief reads their communities' patrols and their own, an inspector only their own, a
// street chief the subdistrict's; out of scope a patrol is not found.
func TestReadersSeeTheirScope(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	day := time.Now().Add(-30 * time.Hour).Truncate(time.Minute)
	a := w.walk(t, w.laneA, newID(), w.along(21, day, 1.2, 10, 20*time.Minute, 3, 8), "")
	insp := w.walk(t, w.inspector, newID(), w.along(22, day.Add(time.Hour), 1.2, 10, 20*time.Minute, 3, 8), "")
	for _, c := range []struct {
		who  access.Principal
		id   string
		sees bool
	}{
		{w.laneA, a.ID, true}, {w.laneB, a.ID, false}, {w.chief, a.ID, true}, {w.inspector, a.ID, false},
		{w.inspector, insp.ID, true}, {w.laneA, insp.ID, true}, {w.laneB, insp.ID, false},
	} {
		_, err := w.store.Get(ctx, c.who, c.id)
		if c.sees && err != nil || !c.sees && !apperr.Is(err, apperr.NotFound) {
			t.Errorf("%s reading %s: %v, want seen %v", c.who.Username, c.id, err, c.sees)
		}
		list, err := w.store.List(ctx, c.who, patrols.Filter{Day: day.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)})
		if err != nil {
			t.Fatal(err)
		}
		listed := false
		for _, p := range list {
			listed = listed || p.ID == c.id
		}
		if listed != c.sees {
			t.Errorf("%s's list holds %s: %v, want %v", c.who.Username, c.id, listed, c.sees)
		}
	}
	_, err := w.store.Void(ctx, w.laneB, a.ID, "不是我的")
	mustCode(t, "voiding a patrol out of scope", err, apperr.NotFound)
}

// A void keeps the patrol on record, marked, out of the reports; it is voided once.
func TestVoidKeepsThePatrol(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	day := time.Now().Add(-100 * time.Hour).Truncate(time.Minute)
	dayText := day.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	p := w.walk(t, w.laneA, newID(), w.along(31, day, 1.2, 10, 20*time.Minute, 3, 8), "")
	report := func() patrols.ReportRow {
		t.Helper()
		r, err := w.store.Report(ctx, w.laneA, patrols.ByPerson, dayText, "", "")
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range r.Rows {
			if row.ID == w.laneA.PersonID {
				return row
			}
		}
		return patrols.ReportRow{}
	}
	if r := report(); r.Patrols != 1 || r.Credible != 1 || r.Km < 1 || r.MeanCoverage == nil {
		t.Fatalf("the report before the void: %+v", r)
	}
	_, err := w.store.Void(ctx, w.laneA, p.ID, "  ")
	mustCode(t, "a void without a reason", err, apperr.Invalid)
	v, err := w.store.Void(ctx, w.laneA, p.ID, "手机忘关")
	if err != nil || v.State != patrols.Voided || v.VoidReason != "手机忘关" || v.VoidedAt == nil || v.DistanceM != p.DistanceM {
		t.Fatalf("void: %+v, %v", v, err)
	}
	_, err = w.store.Void(ctx, w.chief, p.ID, "again")
	mustCode(t, "a second void", err, apperr.Conflict)
	got, err := w.store.Get(ctx, w.chief, p.ID)
	if err != nil || got.State != patrols.Voided || len(got.Track) != len(p.Track) {
		t.Fatalf("the voided patrol reads %+v, %v", got, err)
	}
	if r := report(); r.Patrols != 0 {
		t.Errorf("a voided patrol counts in the report: %+v", r)
	}
}
