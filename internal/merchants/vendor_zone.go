package merchants

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
	"streetchief/internal/audit"
	"streetchief/internal/database"
)

// Zone is a vendor zone — a night market or vendor-guidance zone (临时夜市疏导点), an area of kind
// night_market — with its hours as they stand and its active vendors.
type Zone struct {
	ID            int64        `json:"id"`
	Name          string       `json:"name"`
	SubdistrictID int64        `json:"subdistrict_id,omitempty"`
	CommunityID   int64        `json:"community_id,omitempty"`
	Hours         []WindowJSON `json:"hours"`
	HoursText     string       `json:"hours_text"`
	Vendors       int          `json:"vendors"`
}

// WindowJSON is an opening window as it crosses the API: times "17:30", dates "2026-12-01".
type WindowJSON struct {
	Weekdays []int  `json:"weekdays"`
	Opens    string `json:"opens"`
	Closes   string `json:"closes"`
	From     string `json:"from,omitempty"`
	Until    string `json:"until,omitempty"`
}

func (w HoursWindow) json() WindowJSON {
	j := WindowJSON{Weekdays: w.Weekdays, Opens: w.Opens.String(), Closes: w.Closes.String()}
	if !w.From.IsZero() {
		j.From = w.From.Format(time.DateOnly)
	}
	if !w.Until.IsZero() {
		j.Until = w.Until.Format(time.DateOnly)
	}
	return j
}

// HoursInput replaces a zone's hours from a vendorTZ date (empty: today): the windows standing then end
// that day and these begin. No window at all closes the zone from that date.
type HoursInput struct {
	From    string       `json:"from"`
	Windows []WindowJSON `json:"windows"`
}

// zoneWindows reads the hours of the given zones, every range of them, for judging any moment.
func zoneWindows(ctx context.Context, db database.Querier, ids []int64) (map[int64][]HoursWindow, error) {
	rows, err := db.Query(ctx, `SELECT area_id, weekdays, extract(epoch FROM opens)::int, extract(epoch FROM closes)::int,
			lower(valid), upper(valid)
		FROM vendor_zone_hours WHERE area_id = ANY($1) ORDER BY area_id, lower(valid), id`, ids)
	if err != nil {
		return nil, fmt.Errorf("zone hours: %w", err)
	}
	out := map[int64][]HoursWindow{}
	var id int64
	var days []int16
	var opens, closes int
	var from time.Time
	var until *time.Time
	_, err = pgx.ForEachRow(rows, []any{&id, &days, &opens, &closes, &from, &until}, func() error {
		w := HoursWindow{Opens: ClockTime(opens), Closes: ClockTime(closes), From: vendorDate(from)}
		if until != nil {
			w.Until = vendorDate(*until)
		}
		for _, d := range days {
			w.Weekdays = append(w.Weekdays, int(d))
		}
		out[id] = append(out[id], w)
		return nil
	})
	return out, err
}

// vendorDate is a date column's value (read by pgx as midnight UTC) as midnight in vendorTZ.
func vendorDate(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, vendorTZ)
}

// standing keeps the windows that apply on the vendorTZ day of t.
func standing(ws []HoursWindow, t time.Time) []HoursWindow {
	d := vendorDay(t)
	var out []HoursWindow
	for _, w := range ws {
		if !d.Before(vendorDay(w.From)) && (w.Until.IsZero() || d.Before(vendorDay(w.Until))) {
			out = append(out, w)
		}
	}
	return out
}

// Zones lists the vendor zones in the caller's scope with their hours today.
func (v *Vendors) Zones(ctx context.Context, who access.Principal) ([]Zone, error) {
	scope, args := who.Scope.Predicate("a.subdistrict_id", "a.community_id", nil)
	args = append(args, v.rules.Now())
	rows, err := v.db.Query(ctx, `SELECT a.id, a.name, COALESCE(a.subdistrict_id, 0), COALESCE(a.community_id, 0),
			(SELECT count(*) FROM vendor_registration r WHERE r.zone_area_id = a.id AND r.status = 'active' AND r.valid @> $`+fmt.Sprint(len(args))+`::timestamptz)
		FROM area_directory a WHERE a.kind = 'night_market' AND `+scope+` ORDER BY a.name, a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("zones: %w", err)
	}
	zones, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Zone, error) {
		var z Zone
		return z, r.Scan(&z.ID, &z.Name, &z.SubdistrictID, &z.CommunityID, &z.Vendors)
	})
	if err != nil {
		return nil, fmt.Errorf("zones: %w", err)
	}
	ids := make([]int64, len(zones))
	for i, z := range zones {
		ids[i] = z.ID
	}
	hours, err := zoneWindows(ctx, v.db, ids)
	if err != nil {
		return nil, err
	}
	for i := range zones {
		now := standing(hours[zones[i].ID], v.rules.Now())
		zones[i].Hours = make([]WindowJSON, 0, len(now))
		for _, w := range now {
			zones[i].Hours = append(zones[i].Hours, w.json())
		}
		zones[i].HoursText = HoursText(now)
	}
	return zones, nil
}

// SetZoneHours replaces a zone's hours from in.From; the hours before stay on record.
func (v *Vendors) SetZoneHours(ctx context.Context, who access.Principal, id int64, in HoursInput) (Zone, error) {
	if !who.CanChangeFieldData() {
		return Zone{}, apperr.New(apperr.Forbidden, "your role (%s) may not change a zone's hours", who.Role)
	}
	from := vendorDay(v.rules.Now())
	if in.From != "" {
		d, err := time.ParseInLocation(time.DateOnly, in.From, vendorTZ)
		if err != nil {
			return Zone{}, apperr.New(apperr.Invalid, "from %q is not a date (YYYY-MM-DD)", in.From).With("field", "from")
		}
		from = d
	}
	if len(in.Windows) > 14 {
		return Zone{}, apperr.New(apperr.Invalid, "%d windows; at most 14", len(in.Windows)).With("field", "windows")
	}
	windows := make([]HoursWindow, 0, len(in.Windows))
	for _, j := range in.Windows {
		opens, err := ParseClockTime(j.Opens)
		if err != nil {
			return Zone{}, err.(*apperr.Error).With("field", "opens")
		}
		closes, err := ParseClockTime(j.Closes)
		if err != nil {
			return Zone{}, err.(*apperr.Error).With("field", "closes")
		}
		w := HoursWindow{Weekdays: slices.Compact(slices.Sorted(slices.Values(j.Weekdays))), Opens: opens, Closes: closes}
		if err := w.check(); err != nil {
			return Zone{}, err
		}
		windows = append(windows, w)
	}
	fromDay := from.Format(time.DateOnly)
	err := pgx.BeginFunc(ctx, v.db, func(tx pgx.Tx) error {
		if _, err := zoneInScope(ctx, tx, who, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('vendor_zone_hours'), $1::int)`, id); err != nil {
			return err
		}
		var later bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM vendor_zone_hours WHERE area_id = $1 AND lower(valid) >= $2::date)`,
			id, fromDay).Scan(&later); err != nil {
			return err
		}
		if later {
			return apperr.New(apperr.Conflict, "zone %d already has hours from %s or later: change them from a later date", id, from.Format(time.DateOnly)).With("field", "from")
		}
		if _, err := tx.Exec(ctx, `UPDATE vendor_zone_hours SET valid = daterange(lower(valid), $2::date)
			WHERE area_id = $1 AND (upper_inf(valid) OR upper(valid) > $2::date)`, id, fromDay); err != nil {
			return err
		}
		for _, w := range windows {
			days := make([]int16, len(w.Weekdays))
			for i, d := range w.Weekdays {
				days[i] = int16(d)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO vendor_zone_hours (area_id, weekdays, opens, closes, valid, created_by_user_id)
				VALUES ($1, $2, make_time($3, $4, $5), make_time($6, $7, $8), daterange($9::date, NULL), NULLIF($10, 0))`,
				id, days, int(w.Opens)/3600, int(w.Opens)/60%60, float64(w.Opens%60),
				int(w.Closes)/3600, int(w.Closes)/60%60, float64(w.Closes%60), fromDay, who.UserID); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, who, audit.Update, "vendor_zone", id, nil, map[string]any{"from": fromDay, "hours": HoursText(windows)})
	})
	if err != nil {
		return Zone{}, vendorError(err)
	}
	zones, err := v.Zones(ctx, who)
	if err != nil {
		return Zone{}, err
	}
	for _, z := range zones {
		if z.ID == id {
			return z, nil
		}
	}
	return Zone{}, apperr.New(apperr.NotFound, "zone %d not found", id)
}
