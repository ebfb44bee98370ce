package merchants

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/apperr"
)

// Filter selects shops. Zero fields match everything.
type Filter struct {
	Name          string // contained in the name, any case
	Status        Status
	SubdistrictID int64
	CommunityID   int64
	BBox          *orb.Bound
	// Near keeps the shops whose point or frontage lies within WithinM metres of it (default
	// DefaultNearM), nearest first: "which shop is this" for a click on the map.
	Near    *orb.Point
	WithinM float64
	// Due "today" keeps the caller's own shops (their primary inspector post) that are open and
	// not yet inspected on today's Beijing date: the day's work. With Near they are listed nearest
	// first however far (WithinM, if given, still bounds them).
	Due   string
	After int64 // keyset page: ids greater than this
	Limit int   // 0: 100; at most 1000
}

// DefaultNearM is how far from a click a shop or its frontage counts as clicked on: a phone's
// finger and a GPS fix are both a few metres out.
const (
	DefaultNearM = 15.0
	maxNearM     = 500.0
)

func (f Filter) limit() int {
	switch {
	case f.Limit <= 0:
		return 100
	case f.Limit > 1000:
		return 1000
	}
	return f.Limit
}

func (f Filter) check() error {
	if f.Status != "" && !slices.Contains(Statuses, f.Status) {
		return apperr.New(apperr.Invalid, "status %q is not one of open, closed, moved", clip(string(f.Status), 40))
	}
	if err := checkText("name", f.Name, maxName); err != nil {
		return err
	}
	if f.Due != "" && f.Due != "today" {
		return apperr.New(apperr.Invalid, "due %q is not today", clip(f.Due, 40)).With("field", "due")
	}
	if f.Near != nil {
		if err := checkPoint("near", *f.Near); err != nil {
			return err
		}
		if f.WithinM < 0 || f.WithinM > maxNearM {
			return apperr.New(apperr.Invalid, "within_m %g must be between 0 and %g", f.WithinM, maxNearM)
		}
	}
	return nil
}

// ListMerchants returns one page of the shops the caller may read that match f, in id order (or
// nearest first with Near), and the id to continue after (0 on the last page; Near lists are one
// page).
func (s *Store) ListMerchants(ctx context.Context, who access.Principal, f Filter) ([]Merchant, int64, error) {
	if err := f.check(); err != nil {
		return nil, 0, err
	}
	scope, args := readScope(who, nil)
	conds := []string{scope}
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, fmt.Sprintf(cond, len(args)))
	}
	if f.After > 0 && f.Near == nil {
		add("m.id > $%d", f.After)
	}
	if f.Due != "" {
		if who.PersonID == 0 {
			return nil, 0, apperr.New(apperr.Invalid, "due=today lists the shops of the person you are; your account is linked to none").With("field", "due")
		}
		add(`m.status = 'open' AND EXISTS (SELECT 1 FROM merchant_inspector mi WHERE mi.merchant_id = m.id AND mi.person_id = $%d
			AND mi.is_primary AND mi.voided_at IS NULL AND mi.valid @> now())
			AND NOT EXISTS (SELECT 1 FROM merchant_inspection c WHERE c.merchant_id = m.id AND c.voided_at IS NULL
				AND c.visit_day = (now() AT TIME ZONE 'Asia/Shanghai')::date)`, who.PersonID)
	}
	if f.Name != "" {
		add(`m.name ILIKE '%%' || $%d || '%%' ESCAPE '\'`, likeEscaper.Replace(f.Name))
	}
	if f.Status != "" {
		add("m.status = $%d", string(f.Status))
	}
	if f.SubdistrictID != 0 {
		add("m.subdistrict_id = $%d", f.SubdistrictID)
	}
	if f.CommunityID != 0 {
		add("m.community_id = $%d", f.CommunityID)
	}
	if f.BBox != nil {
		args = append(args, f.BBox.Min[0], f.BBox.Min[1], f.BBox.Max[0], f.BBox.Max[1])
		n := len(args)
		conds = append(conds, fmt.Sprintf("m.location && ST_MakeEnvelope($%d, $%d, $%d, $%d, 4326)", n-3, n-2, n-1, n))
	}
	distance, order := "0::float8", "m.id"
	if f.Near != nil {
		within := f.WithinM
		if within == 0 && f.Due == "" {
			within = DefaultNearM
		}
		args = append(args, f.Near[0], f.Near[1])
		pt := fmt.Sprintf("ST_SetSRID(ST_MakePoint($%d, $%d), 4326)", len(args)-1, len(args))
		// The frontage's box is widened by a generous degree bound (50 km a degree) so its GiST
		// index narrows the candidates before the exact distance on the spheroid. The day's work
		// is a person's own few dozen shops, found by their inspector post: no radius, only order.
		if within > 0 {
			args = append(args, within)
			n := len(args)
			conds = append(conds, fmt.Sprintf(`(ST_DWithin(m.location::geography, %[1]s::geography, $%[2]d)
			OR (m.frontage && ST_Expand(%[1]s, $%[2]d / 50000.0) AND ST_DWithin(m.frontage::geography, %[1]s::geography, $%[2]d)))`, pt, n))
		}
		distance = fmt.Sprintf("LEAST(ST_Distance(m.location::geography, %[1]s::geography), COALESCE(ST_Distance(m.frontage::geography, %[1]s::geography), 'Infinity'))", pt)
		order = "24, m.id" // the distance, the column after merchantSelect's 23
	}
	limit := f.limit()
	args = append(args, limit+1)
	q := strings.Replace(merchantSelect, "FROM merchant m", ", "+distance+" FROM merchant m", 1) +
		` WHERE ` + strings.Join(conds, " AND ") + fmt.Sprintf(` ORDER BY %s LIMIT $%d`, order, len(args))
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("list merchants: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Merchant, error) {
		var d float64
		m, err := scanMerchant(r, &d)
		m.DistanceM = d
		return m, err
	})
	if err != nil {
		return nil, 0, fmt.Errorf("list merchants: %w", err)
	}
	if len(out) <= limit {
		return out, 0, nil
	}
	out = out[:limit]
	if f.Near != nil {
		return out, 0, nil
	}
	return out, out[limit-1].ID, nil
}

// likeEscaper makes a search text match itself only: % and _ are wildcards to ILIKE.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
