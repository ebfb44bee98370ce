package reports

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"
)

// The 门前三包 gap kinds: a shop that trades with no pledge in force, nobody in charge of checking it
// (包户到人), or no check for days (每日巡查); and the inspectors whose check-ins are too often
// off-site. They read internal/merchants' published views (migration 0022).
const (
	KindNoPledge     = "merchants_without_pledge"
	KindNoInspector  = "merchants_without_inspector"
	KindNotInspected = "merchants_not_inspected"
	KindOffSite      = "off_site_checkins"
)

// Defaults of the merchant gap thresholds.
const (
	DefaultNotInspectedDays = 3
	DefaultOffSiteShare     = 0.2
	DefaultOffSiteDays      = 30
)

// MerchantGap is an open shop that lacks a pledge, an inspector or a recent check.
type MerchantGap struct {
	Place
	MerchantID      int64      `json:"merchant_id"`
	Name            string     `json:"name"`
	Address         string     `json:"address,omitempty"`
	LastInspectedAt *time.Time `json:"last_inspected_at,omitempty"` // not-inspected gaps only; absent: never
	At              orb.Point  `json:"-"`
}

// OffSiteInspector is a person whose check-ins of shops in scope over the window were off-site more
// often than the threshold allows.
type OffSiteInspector struct {
	PersonID int64   `json:"person_id"`
	Name     string  `json:"name"`
	Checks   int     `json:"checks"`
	OffSite  int     `json:"off_site"`
	Share    float64 `json:"share"`
}

// merchantThresholds fills the query's defaults.
func (q *Query) merchantThresholds() {
	if q.NotInspectedDays <= 0 {
		q.NotInspectedDays = DefaultNotInspectedDays
	}
	if q.OffSiteShare <= 0 {
		q.OffSiteShare = DefaultOffSiteShare
	}
	if q.OffSiteDays <= 0 {
		q.OffSiteDays = DefaultOffSiteDays
	}
}

// merchantGaps lists the open shops in scope that fail cond, a condition on the shop aliased m with
// $1 the report's moment.
func (s *Service) merchantGaps(ctx context.Context, f filter, cond string, extra ...any) ([]MerchantGap, error) {
	pred, args := f.where("m.subdistrict_id", "m.community_id", append([]any{f.at}, extra...))
	rows, err := s.db.Query(ctx, `SELECT `+placeColumns+`, m.id, m.name, m.address, ST_X(m.location), ST_Y(m.location),
			(SELECT max(c.at) FROM merchant_check_standing c WHERE c.merchant_id = m.id AND c.at <= $1::timestamptz)
		FROM merchant_directory m
		LEFT JOIN unit_directory sd ON sd.id = m.subdistrict_id
		LEFT JOIN unit_directory cm ON cm.id = m.community_id
		WHERE m.status = 'open' AND `+cond+` AND `+pred+` ORDER BY sd.name, cm.name, m.name, m.id`, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (MerchantGap, error) {
		var g MerchantGap
		err := r.Scan(&g.SubdistrictID, &g.SubdistrictName, &g.CommunityID, &g.CommunityName, &g.MerchantID, &g.Name, &g.Address,
			&g.At[0], &g.At[1], &g.LastInspectedAt)
		return g, err
	})
}

// The pledge's period is in Beijing days; the report's moment is turned into one.
const beijingDay = `($1::timestamptz AT TIME ZONE 'Asia/Shanghai')::date`

func (s *Service) noPledge(ctx context.Context, f filter) ([]MerchantGap, error) {
	gaps, err := s.merchantGaps(ctx, f, `NOT EXISTS (SELECT 1 FROM merchant_pledge_standing p WHERE p.merchant_id = m.id AND p.valid @> `+beijingDay+`)`)
	for i := range gaps {
		gaps[i].LastInspectedAt = nil
	}
	return gaps, err
}

func (s *Service) noInspector(ctx context.Context, f filter) ([]MerchantGap, error) {
	gaps, err := s.merchantGaps(ctx, f, `NOT EXISTS (SELECT 1 FROM merchant_inspector_standing i WHERE i.merchant_id = m.id AND i.is_primary
		AND i.valid @> $1::timestamptz)`)
	for i := range gaps {
		gaps[i].LastInspectedAt = nil
	}
	return gaps, err
}

// notInspected lists the shops with no check in the last days days before the report's moment (and
// none at all counts too).
func (s *Service) notInspected(ctx context.Context, f filter, days int) ([]MerchantGap, error) {
	return s.merchantGaps(ctx, f, `NOT EXISTS (SELECT 1 FROM merchant_check_standing c WHERE c.merchant_id = m.id
		AND c.at <= $1::timestamptz AND c.at > $1::timestamptz - make_interval(days => $2))`, days)
}

// offSite lists the inspectors whose share of off-site check-ins of shops in scope over the window
// is above share.
func (s *Service) offSite(ctx context.Context, f filter, days int, share float64) ([]OffSiteInspector, error) {
	pred, args := f.where("m.subdistrict_id", "m.community_id", []any{f.at, days, share})
	rows, err := s.db.Query(ctx, fmt.Sprintf(`SELECT c.inspector_person_id, COALESCE(p.name, ''), count(*)::int, count(*) FILTER (WHERE c.off_site)::int
		FROM merchant_check_standing c
		JOIN merchant_directory m ON m.id = c.merchant_id
		LEFT JOIN person_directory p ON p.id = c.inspector_person_id
		WHERE c.inspector_person_id IS NOT NULL AND c.at <= $1::timestamptz AND c.at > $1::timestamptz - make_interval(days => $2) AND %s
		GROUP BY c.inspector_person_id, p.name
		HAVING count(*) FILTER (WHERE c.off_site)::float8 / count(*) > $3
		ORDER BY count(*) FILTER (WHERE c.off_site)::float8 / count(*) DESC, c.inspector_person_id`, pred), args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (OffSiteInspector, error) {
		var o OffSiteInspector
		err := r.Scan(&o.PersonID, &o.Name, &o.Checks, &o.OffSite)
		if o.Checks > 0 {
			o.Share = float64(o.OffSite) / float64(o.Checks)
		}
		return o, err
	})
}
