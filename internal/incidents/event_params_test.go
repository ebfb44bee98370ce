package incidents_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"streetchief/internal/incidents"
)

func TestEventsCarryKindAndParamsNotEnglishSentences(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	id := w.report("sanitation", w.inMarket()).ID
	if _, err := w.svc.Transition(ctx, w.asStreet, id, incidents.TransitionInput{To: incidents.Escalated}); err != nil {
		t.Fatal(err)
	}
	ev := w.get(id).Events
	rep, esc := ev[0], ev[len(ev)-1]
	if rep.Kind != "reported" || rep.Note != "" || rep.Params["route"] != "person" || rep.Params["person_name"] != w.manager.Name ||
		rep.Params["role"] != "area_manager" || rep.Params["unit"] != "菜市场" || rep.Params["actor_role"] != "public" {
		t.Fatalf("reported event %+v", rep)
	}
	if esc.Note != "" || esc.Params["person_name"] != w.street.Name || esc.Params["role"] != "street_chief" || esc.Params["actor_role"] != "street_chief" {
		t.Fatalf("escalation event %+v", esc)
	}
}

// TestTheDashboardPhrasesEveryEventText checks that both languages have a text for every event
// parameter the service writes, so the Chinese dashboard shows no English for them.
func TestTheDashboardPhrasesEveryEventText(t *testing.T) {
	for _, lang := range []string{"zh", "en"} {
		b, err := os.ReadFile("../../web/src/i18n/" + lang + ".js")
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range append(incidents.EventTexts, "event.verification") {
			key := k
			if !strings.HasPrefix(k, "event.") {
				key = "eventText." + k
			}
			if !strings.Contains(string(b), "'"+key+"':") {
				t.Errorf("%s.js has no %q", lang, key)
			}
		}
	}
}
