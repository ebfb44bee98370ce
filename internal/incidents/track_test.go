package incidents_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
	"streetchief/internal/registry"
)

var trackingShape = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$`)

func TestTheReceiptsTrackingNumberFollowsTheCaseInPublicTerms(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rc := w.report("sanitation", w.inA())
	other := w.report("sanitation", w.inA()) // a likely duplicate of rc: the link names rc's id
	if !trackingShape.MatchString(rc.TrackingNumber) || rc.TrackingNumber == other.TrackingNumber {
		t.Fatalf("tracking numbers %q, %q", rc.TrackingNumber, other.TrackingNumber)
	}
	if _, err := w.svc.AddNote(ctx, w.asStreet, other.ID, "called 巷长 on 13800000000", nil); err != nil {
		t.Fatal(err)
	}
	// As typed from a phone: lower case, no hyphens, O for 0 and L for 1.
	typed := strings.ToLower(strings.ReplaceAll(other.TrackingNumber, "-", " "))
	typed = strings.NewReplacer("0", "o", "1", "l").Replace(typed)
	tr, err := w.svc.Track(ctx, typed, "")
	if err != nil {
		t.Fatal(err)
	}
	if tr.ID != other.ID || tr.Number != other.TrackingNumber || tr.Status != incidents.Assigned || tr.Reporter {
		t.Fatalf("tracked %+v", tr)
	}
	if tr.With.Name != w.lane.Name || tr.With.Post != registry.LaneChief || tr.Place.Community == nil || tr.Place.Community.Name != "甲社区" {
		t.Fatalf("with %+v, place %+v", tr.With, tr.Place)
	}
	if len(tr.Events) != 1 || tr.Events[0].Kind != "reported" || tr.Events[0].To != incidents.Assigned {
		t.Fatalf("public history %+v", tr.Events)
	}
	raw, _ := json.Marshal(tr)
	for _, private := range []string{"13800000000", "duplicate", `"actor"`, `"note"`, "phone"} {
		if strings.Contains(string(raw), private) {
			t.Fatalf("the public answer says %q: %s", private, raw)
		}
	}
}

func TestTrackingRefusesUnknownAndMalformedNumbersAndAWrongToken(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rc := w.report("sanitation", w.inB())
	unknown := "0000-0000-0000"
	if rc.TrackingNumber == unknown {
		unknown = "0000-0000-0001"
	}
	if _, err := w.svc.Track(ctx, unknown, ""); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("an unknown number: %v", err)
	}
	for _, bad := range []string{"", "ABC", rc.TrackingNumber + "0", "UUUU-UUUU-UUUU", "'; DROP TABLE incident; --",
		"７ＫＱ３-Ｍ９ＸＤ-２ＨＴＷ", strings.Repeat("0", 100), "0000\x000000\x000000", "%30%30%30%30%30%30%30%30%30%30%30%30"} {
		if _, err := w.svc.Track(ctx, bad, ""); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("number %q: %v", bad, err)
		}
	}
	for _, tok := range []string{"wrong", rc.VerificationToken + "x", strings.ToUpper(rc.VerificationToken)} {
		if _, err := w.svc.Track(ctx, rc.TrackingNumber, tok); !apperr.Is(err, apperr.Forbidden) {
			t.Fatalf("token %q: %v", tok, err)
		}
	}
	tr, err := w.svc.Track(ctx, rc.TrackingNumber, rc.VerificationToken)
	if err != nil || !tr.Reporter {
		t.Fatalf("the receipt's token: %+v %v", tr, err)
	}
}

// The reporter follows the case to resolved, confirms it with the receipt's token, and sees their
// check in the history; a vacant post shows the queue it waits in.
func TestTheReporterSeesTheResolutionAndTheirCheck(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	rc := w.resolved("sanitation")
	tr, err := w.svc.Track(ctx, rc.TrackingNumber, rc.VerificationToken)
	if err != nil || tr.Status != incidents.Resolved || !tr.Reporter {
		t.Fatalf("resolved: %+v %v", tr, err)
	}
	if _, err := w.svc.Verify(ctx, access.Anonymous("t"), rc.ID, incidents.VerificationInput{Outcome: incidents.Confirmed, Token: rc.VerificationToken}); err != nil {
		t.Fatal(err)
	}
	tr, err = w.svc.Track(ctx, rc.TrackingNumber, "")
	if err != nil || tr.Status != incidents.Closed {
		t.Fatalf("closed: %+v %v", tr, err)
	}
	var check *incidents.TrackEvent
	for i, e := range tr.Events {
		if e.Kind == "verification" {
			check = &tr.Events[i]
		}
	}
	if check == nil || check.Outcome != incidents.Confirmed || check.By != "reporter" {
		t.Fatalf("history %+v", tr.Events)
	}
	out := w.report("sanitation", w.outside())
	tr, err = w.svc.Track(ctx, out.TrackingNumber, "")
	if err != nil || tr.With.Name != "" || tr.With.Queue != incidents.QueueDistrictDesk || tr.AgencyResponsible != "district duty desk" {
		t.Fatalf("outside: %+v %v", tr, err)
	}
}

func TestParseTrackingNumberReadsWhatPeopleType(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"7KQ3-M9XD-2HTW", "7KQ3M9XD2HTW"},
		{" 7kq3 m9xd 2htw ", "7KQ3M9XD2HTW"},
		{"OOOO-IIII-LLLL", "000011111111"},
		{"7KQ3M9XD2HTW", "7KQ3M9XD2HTW"},
	} {
		got, err := incidents.ParseTrackingNumber(c.in)
		if err != nil || got != c.want {
			t.Errorf("%q: %q %v, want %q", c.in, got, err, c.want)
		}
	}
}

func FuzzParseTrackingNumber(f *testing.F) {
	for _, s := range []string{"7KQ3-M9XD-2HTW", "oooo iiii llll", "", "é", "UUUU-UUUU-UUUU"} {
		f.Add(s)
	}
	stored := regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{12}$`)
	f.Fuzz(func(t *testing.T, s string) {
		n, err := incidents.ParseTrackingNumber(s)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if !stored.MatchString(n) {
			t.Fatalf("%q parsed to %q", s, n)
		}
		if again, err := incidents.ParseTrackingNumber(incidents.FormatTrackingNumber(n)); err != nil || again != n {
			t.Fatalf("%q: formatted %q parsed to %q %v", s, incidents.FormatTrackingNumber(n), again, err)
		}
	})
}
