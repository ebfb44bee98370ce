package assessment

import (
	"math/big"

	"streetchief/internal/policy"
)

// Metric is a platform figure a computed item scores. A ratio is numerator ÷ denominator (a share,
// written 0–1 in full_at/zero_at); a count is a number of things.
type Metric struct {
	Code   string `json:"code"`
	NameZH string `json:"name_zh"`
	NameEN string `json:"name_en"`
	Ratio  bool   `json:"ratio"`
	Source string `json:"source"` // where the figure comes from, for the reader of a result
}

// Metrics are the figures a score sheet may compute, as they stood at the period's end.
var Metrics = []Metric{
	{"closure_rate", "结案率", "closure rate", true, "incidents' KPIs: closed ÷ due of the cases reported in the period"},
	{"on_time_rate", "按期结案率", "on-time closure rate", true, "incidents' KPIs: closed on time ÷ due"},
	{"rework_rate", "返工率", "rework rate", true, "incidents' KPIs: reworked ÷ handled"},
	{"overdue_cases", "超期案件数", "cases not closed on time", false, "incidents' KPIs: due − closed on time"},
	{"pledged_share", "门前三包签约率", "shops pledged (门前三包)", true, "merchants' coverage on the period's last day: pledged ÷ open shops"},
	{"inspector_share", "包户到人率", "shops with an inspector", true, "merchants' coverage on the period's last day: with an inspector ÷ open shops"},
	{"inspected_share", "巡查覆盖率", "shops inspected in the period", true, "merchants' coverage: shops inspected credibly (a check-in no proof rule flagged) in the period ÷ open shops (a quarter: its months together)"},
	{"off_site_share", "异地签到率", "suspect (off-site) check-ins", true, "merchants' coverage: off-site ÷ all inspections in the period"},
	{"suspect_share", "可疑签到率", "suspect check-ins (any proof rule)", true, "merchants' coverage: inspections flagged by any proof rule (off site, vague fix, teleport, repeated position) ÷ all inspections in the period"},
	{"repeat_offenders", "屡教不改商户数", "repeat-offender shops", false, "shops handed to joint enforcement in the period"},
	{"unassigned_areas", "无人负责区域数", "areas nobody is responsible for", false, "gap report at the period's end"},
	{"vacant_posts", "空缺岗位数", "vacant posts", false, "gap report at the period's end (chiefs and department posts)"},
	{"patrolled_areas", "区域巡查覆盖率", "areas patrolled", true, "patrols: areas a patrol no proof rule flagged covered (to the rules' min_coverage) in the period ÷ the subdistrict's areas"},
	{"suspect_patrol_share", "可疑巡查率", "suspect patrols", true, "patrols: flagged by a proof rule ÷ all patrols ended in the period"},
	{"task_completion", "督办任务按期完成率", "tasks from above done on time", true, "tasks: items due in the period accepted by their deadline ÷ items due"},
}

func metricByCode(code string) (Metric, bool) {
	for _, m := range Metrics {
		if m.Code == code {
			return m, true
		}
	}
	return Metric{}, false
}

// Figure is what a computed item used: the value and, for a ratio, its parts.
type Figure struct {
	Metric      string `json:"metric"`
	Value       string `json:"value"` // a ratio to four places, a count as it is; "" when there was nothing to count
	Numerator   int64  `json:"numerator"`
	Denominator int64  `json:"denominator,omitempty"`
	FullAt      string `json:"full_at"`
	ZeroAt      string `json:"zero_at"`
	Formula     string `json:"formula"`
	Note        string `json:"note,omitempty"`
}

// pointsOf scores a figure: full marks at fullAt, none at zeroAt, linear between and clamped, rounded
// half up to hundredths; exact rationals throughout, so a boundary value lands exactly on its mark. A
// ratio with nothing to count (no cases due, no shops) earns full marks: there was nothing to fail.
func pointsOf(max policy.Score, num, den int64, ratio bool, fullAt, zeroAt string) (policy.Score, *big.Rat) {
	if ratio && den == 0 {
		return max, nil
	}
	v := new(big.Rat).SetInt64(num)
	if ratio {
		v.SetFrac64(num, den)
	}
	full, _ := new(big.Rat).SetString(fullAt)
	zero, _ := new(big.Rat).SetString(zeroAt)
	// share = (v − zero) / (full − zero), clamped to [0, 1]
	share := new(big.Rat).Sub(v, zero)
	share.Quo(share, new(big.Rat).Sub(full, zero))
	if share.Sign() < 0 {
		share.SetInt64(0)
	}
	if share.Cmp(big.NewRat(1, 1)) > 0 {
		share.SetInt64(1)
	}
	pts := new(big.Rat).Mul(share, new(big.Rat).SetInt64(int64(max)))
	return policy.Score(roundHalfUp(pts)), v
}

// roundHalfUp rounds a non-negative rational to the nearest integer, halves up.
func roundHalfUp(r *big.Rat) int64 {
	n := new(big.Int).Mul(r.Num(), big.NewInt(2))
	n.Add(n, r.Denom())
	n.Quo(n, new(big.Int).Mul(r.Denom(), big.NewInt(2)))
	return n.Int64()
}
