// Package servicepoints keeps the register of convenience service points (便民服务点): after-school
// rooms, mothers' rooms, sanitation workers' rest stops and the other kinds an administrator adds,
// with their hours, operator and capacity, opened and closed over time and never deleted.
//
// It owns the service point tables (migration 0039) and is the only package that writes them; the
// gap report reads the views it publishes. It depends on access, apperr, audit and geo, never on HTTP.
package servicepoints
