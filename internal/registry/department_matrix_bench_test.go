package registry_test

import (
	"context"
	"io"
	"testing"
	"time"

	"streetchief/internal/access"
	"streetchief/internal/dbtest"
	"streetchief/internal/demo"
	"streetchief/internal/registry"
)

// BenchmarkDepartmentMatrix reads the demo city's fixed-posts matrix and writes its workbook, as
// GET /api/v1/department-posts does, for the district leader (every column) and for a street chief
// (one). Run it alone (-run '^$'): the demo city loads only into the package's empty database.
func BenchmarkDepartmentMatrix(b *testing.B) {
	ctx := context.Background()
	pool := dbtest.Pool(b)
	if empty, err := demo.Empty(ctx, pool); err != nil {
		b.Fatal(err)
	} else if empty {
		city, err := demo.Generate(demo.Options{Seed: 1, Scale: 1})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := demo.Load(ctx, pool, city); err != nil {
			b.Fatal(err)
		}
	}
	store := registry.NewStore(pool)
	var firstSub int64
	if err := pool.QueryRow(ctx, `SELECT min(id) FROM admin_unit WHERE level = 'subdistrict'`).Scan(&firstSub); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		who  access.Principal
	}{
		{"district", access.Principal{Role: access.DistrictLeader, Username: "leader", Scope: access.Scope{All: true}}},
		{"subdistrict", access.Principal{Role: access.StreetChief, Username: "chief", Scope: access.Scope{Subdistricts: []int64{firstSub}}}},
	} {
		for _, xlsx := range []bool{false, true} {
			name := tc.name + "/json"
			if xlsx {
				name = tc.name + "/xlsx"
			}
			b.Run(name, func(b *testing.B) {
				for b.Loop() {
					m, err := store.DepartmentMatrix(ctx, tc.who, time.Time{})
					if err != nil {
						b.Fatal(err)
					}
					if xlsx {
						if err := m.WriteXLSX(io.Discard); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(len(m.Subdistricts)*len(m.Departments)), "cells")
				}
			})
		}
	}
}
