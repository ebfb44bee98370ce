package database

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"streetchief/internal/apperr"
)

// Messages are a package's own words for the refusals of its constraints, by constraint name
// ("merchant_licence_no_key") or, for every refusal of a kind, by SQLSTATE ("23505"). A message
// is used as written, its first %s replaced by what was being written; an empty one keeps the
// default words; the code follows the SQLSTATE. A
// SQLSTATE the defaults leave internal becomes invalid input in the database's words when listed:
// "XX000" for the packages whose geometries PostGIS may refuse.
type Messages map[string]string

// Refused turns what the database refused into an error a person can act on, naming `what` was
// being written: a missing row is not found; a duplicate key or a period overlapping another is a
// conflict, and so is removing a row others still refer to; a reference to nothing, a broken check,
// a bad value is invalid input (and what own lists, see Messages). Anything else stays
// an internal error, wrapped with `what`; an apperr.Error passes through unchanged.
func Refused(err error, what string, own Messages) error {
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
	if !errors.As(err, &pgErr) {
		return fmt.Errorf("%s: %w", what, err)
	}
	code, message := refusal(pgErr, what)
	m, ok := own[pgErr.ConstraintName]
	if !ok || pgErr.ConstraintName == "" {
		m, ok = own[pgErr.Code]
	}
	if ok && code == "" {
		code, message = apperr.Invalid, what+": "+pgErr.Message
	}
	if ok && m != "" {
		message = strings.Replace(m, "%s", what, 1)
	}
	if code == "" {
		return fmt.Errorf("%s: %w", what, err)
	}
	return &apperr.Error{Code: code, Message: message, Err: err}
}

// refusal is the code and the default words for a refusal, or no code for a failure.
func refusal(pgErr *pgconn.PgError, what string) (apperr.Code, string) {
	switch pgErr.Code {
	case "23505": // unique_violation
		return apperr.Conflict, fmt.Sprintf("%s already exists (%s)", what, pgErr.ConstraintName)
	case "23P01": // exclusion_violation: the periods of the same post or partner
		return apperr.Conflict, what + " overlaps an existing one in time"
	case "23503": // foreign_key_violation
		if strings.HasPrefix(pgErr.Message, "update or delete") {
			return apperr.Conflict, fmt.Sprintf("%s: others still refer to it (%s)", what, pgErr.Detail)
		}
		return apperr.Invalid, fmt.Sprintf("%s refers to something that does not exist (%s)", what, pgErr.Detail)
	case "23514", "23502", "22001", "22003", "22007", "22008", "22023", "22P02":
		// check, not-null, too long, out of range, bad date or time, bad parameter, bad text
		return apperr.Invalid, what + ": " + pgErr.Message
	}
	return "", ""
}

// RefusedOrGone is Refused for the writes a client retries with its Idempotency-Key: a database
// gone away answers Unavailable, since whether the statement committed is unknown.
func RefusedOrGone(err error, what string, own Messages) error {
	var ae *apperr.Error
	if err == nil || errors.As(err, &ae) || errors.Is(err, pgx.ErrNoRows) || !Gone(err) {
		return Refused(err, what, own)
	}
	return &apperr.Error{Code: apperr.Unavailable, Message: "the database is unavailable; retry shortly with the same Idempotency-Key", Err: err}
}
