package servicepoints

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgxpool"

	"streetchief/internal/apperr"
	"streetchief/internal/database"
)

// Service reads and writes the service point register.
type Service struct {
	db  *pgxpool.Pool
	now func() time.Time
}

// NewService returns a Service on db.
func NewService(db *pgxpool.Pool) *Service { return &Service{db: db, now: time.Now} }

// beijing is the district's clock: opening and closing dates and opening hours are its.
var beijing = time.FixedZone("Asia/Shanghai", 8*3600)

// beijingDay is t's date in Beijing, as midnight UTC of that date (how pgx reads a date).
func beijingDay(t time.Time) time.Time {
	y, m, d := t.In(beijing).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// checkText refuses invalid UTF-8, control characters and text over max characters.
func checkText(field, v string, max int) error {
	if !utf8.ValidString(v) || strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return apperr.New(apperr.Invalid, "%s holds control characters or invalid UTF-8", field).With("field", field)
	}
	if n := utf8.RuneCountInString(v); n > max {
		return apperr.New(apperr.Invalid, "%s is %d characters, at most %d", field, n, max).With("field", field)
	}
	return nil
}

// clip shortens a value quoted back in an error message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// translate turns the database's refusals into errors a person can act on.
func translate(err error, what string) error {
	return database.Refused(err, what, nil)
}
