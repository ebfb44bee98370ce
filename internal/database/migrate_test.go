package database_test

import (
	"context"
	"testing"

	"streetchief/internal/database"
	"streetchief/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestMigrateIsIdempotentAndLeavesNothingPending(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	applied, err := database.Migrate(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Fatalf("template database was already migrated, yet Migrate applied %v", applied)
	}
	pending, err := database.PendingMigrations(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 0 {
		t.Fatalf("pending after migrate: %v", pending)
	}
}

func TestSchemaRejectsInvalidGeometry(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	// A bow-tie ring crosses itself: the CHECK on ST_IsValid must refuse it.
	_, err := pool.Exec(ctx, `INSERT INTO area (kind, name, geom) VALUES ('park', 'bow tie',
		ST_Multi(ST_GeomFromText('POLYGON((0 0, 1 1, 1 0, 0 1, 0 0))', 4326)))`)
	if err == nil {
		t.Fatal("self-intersecting polygon was accepted")
	}
	_, err = pool.Exec(ctx, `INSERT INTO area (kind, name, geom) VALUES ('park', 'wrong srid',
		ST_Multi(ST_GeomFromText('POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))', 3857)))`)
	if err == nil {
		t.Fatal("polygon in SRID 3857 was accepted")
	}
}
