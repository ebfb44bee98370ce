package merchants

import (
	"streetchief/internal/database"
	"time"
)

// inspectionNow is the inspections' clock. Tests place inspections in the past through their at,
// which the rules read, so the wall clock serves.
func inspectionNow() time.Time { return time.Now() }

// inspectionTranslate turns database failures into application errors: refusals a person can
// act on, and a lost database into Unavailable so that the field app retries with its
// Idempotency-Key.
func inspectionTranslate(err error, what string) error { return database.RefusedOrGone(err, what, nil) }
