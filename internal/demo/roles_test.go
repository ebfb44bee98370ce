package demo

import (
	"context"
	"testing"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/auth"
	"streetchief/internal/dbtest"
	"streetchief/internal/incidents"
	"streetchief/internal/lookup"
	"streetchief/internal/registry"
)

// Every demo account that works a territory finds cases of its own in the demo city: the inspector
// in the subdistrict of their inspector post, the liaison the joint enforcement of their department
// there; and the inspector may check those cases. The participant works none and sees none.
func TestEveryDemoRoleSeesCasesInItsScope(t *testing.T) {
	// A database of its own, so the demo cases it seeds never meet the package's other tests and
	// nothing has to be deleted afterwards.
	ctx := context.Background()
	pool := dbtest.Own(t)
	city, err := Generate(Options{Seed: testSeed, Scale: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(ctx, pool, city); err != nil {
		t.Fatal(err)
	}
	engine := lookup.New(registry.NewStore(pool))
	if err := engine.Load(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := incidents.SeedDemoHistory(ctx, pool, engine, 1); err != nil {
		t.Fatal(err)
	}
	users, err := auth.SeedDemoUsers(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	a := auth.NewService(pool, auth.Options{})
	cases := incidents.NewService(pool, engine, incidents.Options{})
	for i, d := range users {
		sess, err := a.SignIn(ctx, auth.SignInRequest{Username: d.Username, Password: d.Password, Address: "10.9.0." + string(rune('1'+i))})
		if err != nil {
			t.Fatalf("sign in %s: %v", d.Username, err)
		}
		p := sess.Principal
		all, _, err := cases.List(ctx, p, incidents.Filter{Limit: 10_000})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s (%s, %s): %d cases", d.Username, d.PersonName, d.Where, len(all))
		if d.Role == access.Participant {
			// A deputy's own account works no territory: it enters duty records and sees no case.
			if len(all) != 0 {
				t.Errorf("%s sees %d demo cases, want none", d.Username, len(all))
			}
			continue
		}
		if len(all) < 20 {
			t.Errorf("%s (%s) sees %d demo cases, want at least 20: scope %+v", d.Username, d.Where, len(all), p.Scope)
		}
		if d.Role == access.Inspector {
			resolved, _, err := cases.List(ctx, p, incidents.Filter{Statuses: []incidents.Status{incidents.Resolved}, Limit: 10_000})
			if err != nil {
				t.Fatal(err)
			}
			if len(resolved) == 0 {
				t.Fatalf("no resolved case for the inspector to check")
			}
			// Some categories ask for a photo from the spot with the check; the first case without suffices.
			checked := false
			for _, in := range resolved {
				_, err := cases.Verify(ctx, p, in.ID, incidents.VerificationInput{Outcome: incidents.Confirmed, Note: "现场核查，已整改"})
				if apperr.Is(err, apperr.Invalid) {
					continue
				}
				if err != nil {
					t.Fatalf("the inspector may not check case %d in their subdistrict: %v", in.ID, err)
				}
				checked = true
				break
			}
			if !checked {
				t.Errorf("the inspector checked none of %d resolved cases", len(resolved))
			}
		}
	}
}
