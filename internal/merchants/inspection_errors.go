package merchants

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"streetchief/internal/apperr"
)

// inspectionNow is the inspections' clock. Tests place inspections in the past through their at,
// which the rules read, so the wall clock serves.
func inspectionNow() time.Time { return time.Now() }

// inspectionTranslate turns database failures into application errors: constraint violations a
// person can act on, and a lost database into Unavailable so that the field app retries with its
// Idempotency-Key.
func inspectionTranslate(err error, what string) error {
	if err == nil {
		return nil
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return apperr.New(apperr.NotFound, "%s not found", what)
	}
	var pgErr *pgconn.PgError
	var connErr *pgconn.ConnectError
	var netErr net.Error
	switch {
	case errors.As(err, &pgErr) && (pgErr.Code == "23514" || pgErr.Code == "22023" || pgErr.Code == "22P02" || pgErr.Code == "23503"):
		return &apperr.Error{Code: apperr.Invalid, Message: what + ": " + pgErr.Message, Err: err}
	case errors.As(err, &pgErr) && (pgErr.Code[:2] == "08" || pgErr.Code[:2] == "57"),
		errors.As(err, &connErr), errors.As(err, &netErr), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, pgconn.ErrConnClosed),
		errors.Is(err, context.DeadlineExceeded):
		return &apperr.Error{Code: apperr.Unavailable, Message: "the database is unavailable; retry shortly with the same Idempotency-Key", Err: err}
	}
	return fmt.Errorf("%s: %w", what, err)
}
