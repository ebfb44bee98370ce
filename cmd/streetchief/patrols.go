package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/access"
	"streetchief/internal/fieldproof"
	"streetchief/internal/incidents"
	"streetchief/internal/merchants"
	"streetchief/internal/patrols"
)

// fieldProofRules reads --field-proof-rules: fieldproof's defaults with the file's members over them.
func fieldProofRules(path string) (fieldproof.Rules, error) {
	if path == "" {
		return fieldproof.DefaultRules(), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fieldproof.Rules{}, fmt.Errorf("--field-proof-rules: %w", err)
	}
	r, err := fieldproof.DecodeRules(b)
	if err != nil {
		return r, fmt.Errorf("--field-proof-rules %s: %w", path, err)
	}
	return r, nil
}

// patrolStore is the patrols store with a patrol's events read from the merchants' register, which
// lies on the patrols' own layer and so is wired here.
func patrolStore(pool *pgxpool.Pool, rules fieldproof.PatrolRules, shops *merchants.Store, vendors *merchants.Vendors,
	inc *incidents.Service) *patrols.Store {
	return patrols.NewStore(pool, rules, patrols.Options{Incidents: inc,
		Inspections: inspectionsOf(shops), Sightings: sightingsOf(vendors)})
}

// inspectionsOf lists a person's inspections (not voided) in a period, as a patrol's events.
func inspectionsOf(shops *merchants.Store) patrols.RecordsOf {
	return func(ctx context.Context, person int64, from, until time.Time) ([]patrols.Event, error) {
		visits, err := shops.Visits(ctx, access.System("patrols"), merchants.VisitFilter{PersonID: person,
			From: beijingDay(from), To: beijingDay(until), Limit: 5000})
		if err != nil {
			return nil, err
		}
		var out []patrols.Event
		for _, v := range visits {
			for _, r := range v.Records {
				if r.VoidedAt == nil && !r.At.Before(from) && !r.At.After(until) {
					out = append(out, patrols.Event{Kind: patrols.KindInspection, ID: r.ID, At: r.At, Lon: r.Lon, Lat: r.Lat})
				}
			}
		}
		return out, nil
	}
}

// sightingsOf lists a person's vendor sightings (not voided) in a period, a Beijing day at a time.
func sightingsOf(vendors *merchants.Vendors) patrols.RecordsOf {
	return func(ctx context.Context, person int64, from, until time.Time) ([]patrols.Event, error) {
		var out []patrols.Event
		for d := from.In(incidents.Beijing); beijingDay(d) <= beijingDay(until); d = d.AddDate(0, 0, 1) {
			list, err := vendors.ListSightings(ctx, access.System("patrols"), merchants.SightingFilter{Day: beijingDay(d)})
			if err != nil {
				return nil, err
			}
			for _, x := range list {
				if x.PersonID == person && !x.At.Before(from) && !x.At.After(until) {
					out = append(out, patrols.Event{Kind: patrols.KindSighting, ID: x.ID, At: x.At, Lon: x.Lon, Lat: x.Lat})
				}
			}
		}
		return out, nil
	}
}

func beijingDay(t time.Time) string { return t.In(incidents.Beijing).Format(time.DateOnly) }

// seedDemoPatrols writes the demo's weeks of patrols over the streets the demo city holds.
func seedDemoPatrols(ctx context.Context, pool *pgxpool.Pool, seed int64, out io.Writer) error {
	start := time.Now()
	sum, err := patrols.SeedDemoPatrols(ctx, pool, seed, time.Now())
	if err != nil {
		return fmt.Errorf("demo patrols: %w", err)
	}
	fmt.Fprintf(out, "demo patrols (巡街): %s, in %s\n", sum, time.Since(start).Round(time.Millisecond))
	return nil
}
