package incidents_test

import (
	"context"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/incidents"
)

// The categories' counts are the league's cases of the period, in the caller's territory: the
// fixture files every case under one category.
func TestKPICategoriesCountThePeriodsCasesInScope(t *testing.T) {
	w := newWorld(t)
	w.kpiFixture()
	ctx := context.Background()
	for name, who := range map[string]access.Principal{"street chief": w.asStreet, "lane chief": w.asLane} {
		t.Run(name, func(t *testing.T) {
			rep, err := w.svc.KPIs(ctx, who, incidents.ByCommunity, november(t), incidents.KPIFilter{})
			if err != nil {
				t.Fatal(err)
			}
			cats, err := w.svc.KPICategories(ctx, who, november(t), 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(cats) != 1 || cats[0].Code != "random_piling" || cats[0].Cases != rep.Total.Cases || cats[0].NameZh == "" {
				t.Fatalf("categories %+v; the league counts %d cases", cats, rep.Total.Cases)
			}
		})
	}
	if _, err := w.svc.KPICategories(ctx, w.asManager, november(t), 10); !apperr.Is(err, apperr.Forbidden) {
		t.Fatalf("an area manager: %v, want forbidden", err)
	}
}
