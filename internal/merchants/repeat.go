package merchants

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"streetchief/internal/access"
	"streetchief/internal/incidents"
)

// The repeat-offender rule (屡教不改) where a category sets none of its own: three violations of one
// category within thirty days.
const (
	DefaultRepeatViolations = 3
	DefaultRepeatWindowDays = 30
)

// RepeatRule is the rule for one incident category: Violations within WindowDays open a case.
type RepeatRule struct {
	Category   string `json:"category"`
	Violations int    `json:"violations"`
	WindowDays int    `json:"window_days"`
	Default    bool   `json:"default"`
}

// Causes of a case's link to an inspection (merchant_repeat_case.cause).
const (
	CauseViolations = "violations" // the N-in-D rule fired
	CauseRefusal    = "refusal"    // the shopkeeper refused to correct
	CauseAdded      = "added"      // a later trigger while the case was open
)

// faultAfterHandOff, when set (by tests only), fails an inspection after its case was handed off and
// before the links are written: the whole transaction must roll back.
var faultAfterHandOff func() error

var itemZh = map[string]string{ItemSanitation: "卫生", ItemOrder: "秩序", ItemGreenery: "绿化"}

// repeatRule reads the category's rule, or the default.
func repeatRule(ctx context.Context, q pgx.Tx, category string) (RepeatRule, error) {
	r := RepeatRule{Category: category, Violations: DefaultRepeatViolations, WindowDays: DefaultRepeatWindowDays, Default: true}
	err := q.QueryRow(ctx, `SELECT violations, window_days FROM merchant_repeat_rule WHERE category = $1`, category).
		Scan(&r.Violations, &r.WindowDays)
	if err == pgx.ErrNoRows {
		return r, nil
	}
	r.Default = false
	return r, err
}

// trigger is a reason to hand the shop to joint enforcement, and the inspections behind it.
type trigger struct {
	cause       string
	category    string
	inspections []int64
	rule        RepeatRule
}

// checkRepeat applies the rule after inspection id of shop was stored, in its transaction. Each
// violation category counts the shop's standing inspections with a violation of it within the
// window that no case has taken yet (this one included); reaching the rule's number, or a refusal,
// is a trigger. A trigger while the shop's case is open joins that case; otherwise it opens one.
func (s *Store) checkRepeat(ctx context.Context, tx pgx.Tx, who access.Principal, shop inspectedShop, id int64, in InspectionInput) (int64, error) {
	violations := in.Violations()
	if len(violations) == 0 {
		return 0, nil
	}
	var tr *trigger
	seen := map[string]bool{}
	for _, v := range violations {
		if seen[v.Category] {
			continue
		}
		seen[v.Category] = true
		// The category's rule and the inspections it counts, in one round trip.
		rule := RepeatRule{Category: v.Category, Violations: DefaultRepeatViolations, WindowDays: DefaultRepeatWindowDays, Default: true}
		rows, err := tx.Query(ctx, `WITH rule AS (
				SELECT COALESCE((SELECT violations FROM merchant_repeat_rule WHERE category = $3), $4)::int AS n,
				       COALESCE((SELECT window_days FROM merchant_repeat_rule WHERE category = $3), $5)::int AS days,
				       EXISTS (SELECT 1 FROM merchant_repeat_rule WHERE category = $3) AS own)
			SELECT rule.n, rule.days, rule.own, i.id FROM rule LEFT JOIN merchant_inspection i
			    ON i.merchant_id = $1 AND i.violations > 0 AND i.voided_at IS NULL AND i.at > $2::timestamptz - make_interval(days => rule.days)
			   AND i.results @> jsonb_build_array(jsonb_build_object('ok', false, 'category', $3::text))
			   AND NOT EXISTS (SELECT 1 FROM merchant_repeat_case c WHERE c.inspection_id = i.id)
			ORDER BY i.at, i.id`, shop.id, in.At, v.Category, DefaultRepeatViolations, DefaultRepeatWindowDays)
		if err != nil {
			return 0, err
		}
		var ids []int64
		var own bool
		var found *int64
		if _, err := pgx.ForEachRow(rows, []any{&rule.Violations, &rule.WindowDays, &own, &found}, func() error {
			if found != nil {
				ids = append(ids, *found)
			}
			return nil
		}); err != nil {
			return 0, err
		}
		rule.Default = !own
		if len(ids) >= rule.Violations {
			tr = &trigger{cause: CauseViolations, category: v.Category, inspections: ids, rule: rule}
			break
		}
	}
	if tr == nil && in.Refused {
		tr = &trigger{cause: CauseRefusal, category: violations[0].Category, inspections: []int64{id}}
	}
	if tr == nil {
		return 0, nil
	}
	return s.handOffRepeat(ctx, tx, who, shop, *tr, in)
}

// handOffRepeat opens the shop's case, or joins the open one, and links the trigger's inspections
// to it; it answers the incident.
func (s *Store) handOffRepeat(ctx context.Context, tx pgx.Tx, who access.Principal, shop inspectedShop, tr trigger, in InspectionInput) (int64, error) {
	text, err := s.repeatText(ctx, tx, shop, tr, in)
	if err != nil {
		return 0, err
	}
	var open int64
	err = tx.QueryRow(ctx, `SELECT c.incident_id FROM merchant_repeat_case c JOIN open_incident o ON o.id = c.incident_id
		WHERE c.merchant_id = $1 ORDER BY c.incident_id DESC LIMIT 1`, shop.id).Scan(&open)
	if err != nil && err != pgx.ErrNoRows {
		return 0, err
	}
	cause := tr.cause
	joined := false
	if open != 0 {
		if joined, err = s.incidents.NoteIfOpen(ctx, tx, who, open, "再次触发屡教不改:"+text); err != nil {
			return 0, err
		}
	}
	if joined {
		cause = CauseAdded
	} else {
		rc, err := s.incidents.HandToStreetChief(ctx, tx, who, incidents.HandOff{Category: tr.category,
			Point: orb.Point{shop.lon, shop.lat}, Description: text})
		if err != nil {
			return 0, err
		}
		open = rc.ID
	}
	if faultAfterHandOff != nil {
		if err := faultAfterHandOff(); err != nil {
			return 0, err
		}
	}
	_, err = tx.Exec(ctx, `INSERT INTO merchant_repeat_case (merchant_id, incident_id, inspection_id, cause, created_at)
		SELECT $1, $2, unnest($3::bigint[]), $4, $5`, shop.id, open, tr.inspections, cause, inspectionNow())
	return open, err
}

// repeatText is the case's description in Chinese: the shop, the rule or the refusal, and the
// violations behind it with their days and items.
func (s *Store) repeatText(ctx context.Context, tx pgx.Tx, shop inspectedShop, tr trigger, in InspectionInput) (string, error) {
	catName := tr.category
	if c, err := s.incidents.Category(ctx, tr.category); err == nil {
		catName = c.NameZh
	}
	rows, err := tx.Query(ctx, `SELECT visit_day::text, results FROM merchant_inspection WHERE id = ANY($1) ORDER BY at, id`, tr.inspections)
	if err != nil {
		return "", err
	}
	var days []string
	var day string
	var results []ItemResult
	if _, err := pgx.ForEachRow(rows, []any{&day, &results}, func() error {
		var items []string
		for _, r := range results {
			if !r.OK {
				items = append(items, itemZh[r.Item])
			}
		}
		days = append(days, day+"("+strings.Join(items, "、")+")")
		return nil
	}); err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "商户「%s」屡教不改,", shop.name)
	if tr.cause == CauseRefusal {
		fmt.Fprintf(&b, "%s巡查发现%s问题,商户拒不整改", in.At.In(incidents.Beijing).Format("2006年1月2日"), catName)
	} else {
		fmt.Fprintf(&b, "%d天内%d次违反门前三包(%s)", tr.rule.WindowDays, len(tr.inspections), catName)
	}
	fmt.Fprintf(&b, ":%s。", strings.Join(days, "、"))
	if in.Note != "" {
		fmt.Fprintf(&b, "巡查备注:%s。", in.Note)
	}
	b.WriteString("请街长组织联合执法,依法查处。")
	return b.String(), nil
}
