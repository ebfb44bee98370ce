package incidents

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/apperr"
	"streetchief/internal/registry"
)

// trackAlphabet is Crockford's base 32: no I, L, O or U, so that a number read off a phone and typed
// again cannot be mistaken for another (1/I/L, 0/O) and spells no words.
const trackAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// trackSymbols is a tracking number's length: 60 random bits. Numbers are sparse enough that
// guessing one of a million reports takes about 10¹² tries, and two reports drawing the same number
// (retried at intake) is rarer than one in a million at that many.
const trackSymbols = 12

// newTrackingNumber draws a tracking number in its stored form (no separators).
func newTrackingNumber() (string, error) {
	b := make([]byte, trackSymbols)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("tracking number: %w", err)
	}
	for i, x := range b {
		b[i] = trackAlphabet[x&31] // 256 is a multiple of 32: every symbol is equally likely
	}
	return string(b), nil
}

// FormatTrackingNumber groups a stored number in fours, as receipts show it: "7KQ3-M9XD-2HTW".
func FormatTrackingNumber(n string) string {
	if len(n) != trackSymbols {
		return n
	}
	return n[0:4] + "-" + n[4:8] + "-" + n[8:12]
}

// ParseTrackingNumber reads a number as a person types it: any case, with or without spaces and
// hyphens, O for 0 and I or L for 1 (Crockford's rule). It answers the stored form.
func ParseTrackingNumber(s string) (string, error) {
	bad := apperr.New(apperr.Invalid, "that is not a tracking number: it has %d letters and digits, such as 7KQ3-M9XD-2HTW", trackSymbols).
		With("field", "number")
	if len(s) > 64 {
		return "", bad
	}
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		switch {
		case c == ' ' || c == '-' || c == '\t':
			continue
		case c == 'O':
			c = '0'
		case c == 'I' || c == 'L':
			c = '1'
		}
		if c > 0x7f || !strings.ContainsRune(trackAlphabet, c) {
			return "", bad
		}
		b.WriteRune(c)
	}
	if b.Len() != trackSymbols {
		return "", bad
	}
	return b.String(), nil
}

// Tracking is what the reporter, or anyone with the number, may know of a report: where it stands,
// where it is in words, whom it is with (names and posts only, as public.go says), and its history
// in public terms — no notes, no actors, no phones, no links to other people's reports.
type Tracking struct {
	Number      string     `json:"tracking_number"`
	ID          int64      `json:"id"`
	Category    string     `json:"category"`
	Status      Status     `json:"status"`
	Description string     `json:"description"`
	Lon         float64    `json:"lon"`
	Lat         float64    `json:"lat"`
	ReportedAt  time.Time  `json:"reported_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	DueAt       *time.Time `json:"due_at"`
	Photos      int        `json:"photos"`
	Address     string     `json:"address"`
	Place       Place      `json:"place"`
	// With is whom the case is with, for the reader's language to phrase; AgencyResponsible is the
	// same in English, as Open311 says it.
	With              TrackWith    `json:"with"`
	AgencyResponsible string       `json:"agency_responsible"`
	Events            []TrackEvent `json:"events"`
	// Messages says the reporter (only then) still hears of the report by phone or email.
	Messages bool `json:"messages,omitempty"`
	// Reporter says the caller gave the receipt's token: they may confirm or dispute a resolution.
	Reporter bool `json:"reporter"`
}

// TrackWith is whom a case is with: a person and their post, the departments called in, or a queue.
type TrackWith struct {
	Name        string            `json:"name,omitempty"`
	Post        registry.PostRole `json:"post,omitempty"`
	Departments string            `json:"departments,omitempty"`
	Queue       string            `json:"queue"`
	Subdistrict string            `json:"subdistrict,omitempty"`
}

// TrackEvent is one step of a case in public terms. By, on a check, is "reporter" or "staff".
type TrackEvent struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	From    Status    `json:"from,omitempty"`
	To      Status    `json:"to,omitempty"`
	Outcome string    `json:"outcome,omitempty"`
	By      string    `json:"by,omitempty"`
}

// publicEventKinds are the steps a reporter is told of; notes are staff's words and duplicate links
// name other people's reports.
const publicEventKinds = `('reported', 'transition', 'escalated', 'overdue', 'rerouted', 'verification')`

var roleOfLevel = map[int]registry.PostRole{LevelAreaManager: registry.AreaManager, LevelLaneChief: registry.LaneChief,
	LevelStreetChief: registry.StreetChief}

// Track answers a report by its tracking number (as typed; see ParseTrackingNumber). With a token it
// must be the receipt's: a wrong one is refused, so that a link carrying it proves the reporter.
func (s *Service) Track(ctx context.Context, number, token string) (Tracking, error) {
	n, err := ParseTrackingNumber(number)
	if err != nil {
		return Tracking{}, err
	}
	var tr Tracking
	var p PublicRequest
	var pl publicPlace
	var hash []byte
	err = s.db.QueryRow(ctx, `SELECT i.id, i.tracking_number, i.category, i.status, i.description, ST_X(i.location), ST_Y(i.location),
			i.reported_at, i.updated_at, i.due_at, COALESCE((SELECT u.name FROM unit_directory u WHERE u.id = i.subdistrict_id), ''),
			i.verify_token_sha256, (SELECT count(*) FROM incident_photo_ref r WHERE r.incident_id = i.id),
			`+publicPlaceColumns+`
		FROM incident i`+placeJoin+` WHERE i.tracking_number = $1`, n).
		Scan(append([]any{&tr.ID, &tr.Number, &tr.Category, &tr.Status, &tr.Description, &tr.Lon, &tr.Lat, &tr.ReportedAt,
			&tr.UpdatedAt, &tr.DueAt, &p.Subdistrict, &hash, &tr.Photos}, pl.dest()...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		return Tracking{}, apperr.New(apperr.NotFound, "no report has tracking number %s", FormatTrackingNumber(n))
	}
	if err != nil {
		return Tracking{}, translate(err, "tracking")
	}
	if token != "" {
		ok, err := reporterKeyMatches(ctx, s.db, tr.ID, hash, token)
		if err != nil {
			return Tracking{}, err
		}
		if !ok {
			return Tracking{}, apperr.New(apperr.Forbidden, "the link's token is not this report's").With("field", "token")
		}
		tr.Reporter = true
		var channel string
		err = s.db.QueryRow(ctx, `SELECT channel FROM incident_reporter_contact WHERE incident_id = $1 AND opted_out_at IS NULL`, tr.ID).Scan(&channel)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return Tracking{}, translate(err, "tracking")
		}
		tr.Messages = channel != "" && s.citizens.Sends(channel)
	}
	tr.Number = FormatTrackingNumber(tr.Number)
	p.Status = tr.Status
	tr.Address, tr.AgencyResponsible = pl.describe(p)
	tr.Place = pl.place.place()
	tr.With = TrackWith{Queue: pl.queue, Subdistrict: p.Subdistrict}
	switch {
	case tr.Status == JointEnforcement && pl.departments != "":
		tr.With.Departments = pl.departments
	case pl.assignee != "":
		tr.With.Name, tr.With.Post = pl.assignee, roleOfLevel[pl.level]
	}
	tr.Events, err = s.trackEvents(ctx, tr.ID)
	return tr, err
}

func (s *Service) trackEvents(ctx context.Context, id int64) ([]TrackEvent, error) {
	rows, err := s.db.Query(ctx, `SELECT at, kind, COALESCE(from_status, ''), COALESCE(to_status, ''),
			COALESCE(params->>'outcome', ''), CASE WHEN kind <> 'verification' THEN ''
				WHEN params->>'by' = 'reporter' THEN 'reporter' ELSE 'staff' END
		FROM incident_event WHERE incident_id = $1 AND kind IN `+publicEventKinds+` ORDER BY at, id`, id)
	if err != nil {
		return nil, translate(err, "tracking")
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (TrackEvent, error) {
		var e TrackEvent
		err := r.Scan(&e.At, &e.Kind, &e.From, &e.To, &e.Outcome, &e.By)
		return e, err
	})
	return out, translate(err, "tracking")
}
