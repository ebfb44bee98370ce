package merchants_test

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"streetchief/internal/dbtest"
	"streetchief/internal/merchants"
)

// The statuses the code knows are exactly those the table accepts.
func TestVendorStatusesMatchTheTablesCheck(t *testing.T) {
	var def string
	if err := dbtest.Pool(t).QueryRow(context.Background(), `SELECT pg_get_constraintdef(oid) FROM pg_constraint
		WHERE conrelid = 'vendor_registration'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%status%'`).Scan(&def); err != nil {
		t.Fatal(err)
	}
	var inCheck []string
	for _, m := range regexp.MustCompile(`'([a-z_]+)'`).FindAllStringSubmatch(def, -1) {
		inCheck = append(inCheck, m[1])
	}
	if want := slices.Sorted(slices.Values(merchants.VendorStatuses)); !slices.Equal(slices.Sorted(slices.Values(inCheck)), want) {
		t.Fatalf("the CHECK allows %v, the code knows %v", inCheck, want)
	}
}
