package reports

import (
	"strconv"
	"strings"
	"time"
)

// Lang is the language a printed report is written in: Chinese by default, English on request.
type Lang string

const (
	Chinese Lang = "zh"
	English Lang = "en"
)

// ParseLang reads lang= from outside; empty is Chinese, and anything but zh or en is refused by the
// caller's check rather than guessed.
func ParseLang(s string) (Lang, bool) {
	switch s {
	case "", "zh", "zh-CN":
		return Chinese, true
	case "en":
		return English, true
	}
	return "", false
}

// Beijing is the time printed reports state: China keeps UTC+8 all year.
var Beijing = time.FixedZone("Asia/Shanghai", 8*3600)

// words are the printed report's labels, one table per language: a field's name never reaches paper.
var words = map[Lang]map[string]string{
	Chinese: {
		"title": "全覆盖缺口报告", "lp": "（", "rp": "）", "district": "全区", "asOf": "截至", "beijing": "北京时间",
		"method":  "面积按 CGCS2000 高斯-克吕格 3° 带（EPSG:4547）计算；1 亩 ≈ 666.7 平方米。",
		"summary": "各街道、社区缺口汇总", KindUnassigned: "无人负责区域", KindTerritory: "未覆盖地块",
		KindOverlaps: "责任重叠", KindVacant: "空缺岗位", KindWorkload: "区域责任人工作量", KindServicePointGaps: "距便民服务点过远的居民小区",
		KindNoPledge: "未签门前三包责任书的商户", KindNoInspector: "无包户责任人的商户", KindNotInspected: "多日未巡查的商户",
		KindOffSite: "异地打卡偏多的巡查人员",
		"no":        "序号", "subdistrict": "街道", "community": "社区", "name": "名称", "kind": "类型", "length": "长度",
		"area": "面积", "areaA": "区域甲", "peopleA": "责任人甲", "areaB": "区域乙", "peopleB": "责任人乙",
		"post": "岗位", "department": "部门", "person": "姓名", "areas": "负责区域数", "laneLength": "背街小巷长度",
		"open": "在办事件", "outlier": "偏离", "high": "偏高", "low": "偏低", "subTotal": "（街道合计）",
		"unassignedCount": "无人负责区域（个）", "territoryArea": "未覆盖面积", "overlapArea": "重叠面积",
		"vacantCount": "空缺岗位（个）", "none": "无", "map": "缺口分布图", "insets": "较大缺口放大图",
		"legendGap": "缺口（红色斜线；过小者以红点标示）", "legendSub": "街道界", "legendCom": "社区界",
		"legendArea": "管理区域", "legendNo": "圈内编号即下表序号", "north": "北", "metre": "米", "km": "公里",
		"page": "第", "pageOf": "页，共", "pageEnd": "页", "gapsOnMap": "图中标注的缺口",
		"role." + "street_chief": "街长", "role." + "lane_chief": "巷长", "role." + "department_liaison": "部门联络员",
		"role." + "department_leader": "部门负责领导",
		"kind.main_road":              "主干道", "kind.secondary_road": "次干道", "kind.back_lane": "背街小巷",
		"kind.residential_compound": "居民小区", "kind.farmers_market": "农贸市场", "kind.night_market": "夜市",
		"kind.commercial_street": "商业街", "kind.park": "公园", "kind.square": "广场", "kind.river": "河道",
		KindNoPartner: "无物业、无居民自治组织的小区", "lastCompany": "原物业企业", "lapsedAt": "合同到期",
		KindSilentDeputies: "久无确认履职记录的代表委员、党员", "lastConfirmed": "最近确认的履职记录", "never": "从未",
	},
	English: {
		"title": "Coverage gap report", "lp": " (", "rp": ")", "district": "Whole district", "asOf": "As of", "beijing": "Beijing time",
		"method":  "Areas are measured in CGCS2000 / 3-degree Gauss-Krüger (EPSG:4547); 1 mu ≈ 666.7 m².",
		"summary": "Gaps by subdistrict and community", KindUnassigned: "Areas nobody answers for",
		KindTerritory: "Uncovered territory", KindOverlaps: "Overlapping responsibility", KindVacant: "Vacant posts",
		KindWorkload: "Workload of area managers", KindNoPledge: "Shops without a pledge", KindServicePointGaps: "Compounds far from a service point",
		KindNoInspector: "Shops without an inspector", KindNotInspected: "Shops not inspected lately",
		KindOffSite: "Inspectors often checking in off-site",
		"no":        "No.", "subdistrict": "Subdistrict", "community": "Community", "name": "Name", "kind": "Kind", "length": "Length",
		"area": "Area", "areaA": "Area A", "peopleA": "Responsible for A", "areaB": "Area B", "peopleB": "Responsible for B",
		"post": "Post", "department": "Department", "person": "Name", "areas": "Areas", "laneLength": "Back-lane length",
		"open": "Open cases", "outlier": "Outlier", "high": "High", "low": "Low", "subTotal": "(subdistrict total)",
		"unassignedCount": "Areas nobody answers for", "territoryArea": "Uncovered territory", "overlapArea": "Overlaps",
		"vacantCount": "Vacant posts", "none": "None", "map": "Map of the gaps", "insets": "The largest gaps, enlarged",
		"legendGap": "Gap (red hatching; a red dot where too small to see)", "legendSub": "Subdistrict boundary",
		"legendCom": "Community boundary", "legendArea": "Managed area", "legendNo": "A circled number is the No. in the tables",
		"north": "N", "metre": "m", "km": "km", "page": "Page", "pageOf": "of", "pageEnd": "", "gapsOnMap": "Gaps marked on the map",
		"role." + "street_chief": "Street chief", "role." + "lane_chief": "Lane chief", "role." + "department_liaison": "Department liaison",
		"role." + "department_leader": "Department leader",
		"kind.main_road":              "Main road", "kind.secondary_road": "Secondary road", "kind.back_lane": "Back lane",
		"kind.residential_compound": "Residential compound", "kind.farmers_market": "Farmers’ market", "kind.night_market": "Night market",
		"kind.commercial_street": "Commercial street", "kind.park": "Park", "kind.square": "Square", "kind.river": "River",
		KindNoPartner: "Compounds with no property manager or residents' team", "lastCompany": "Last property company", "lapsedAt": "Contract lapsed",
		KindSilentDeputies: "Deputies and members with no confirmed duty record lately", "lastConfirmed": "Last confirmed record", "never": "Never",
	},
}

// Word is the label of key in lang; a key with no label prints as itself, which the print test
// catches as a raw field name.
func (l Lang) Word(key string) string {
	if w, ok := words[l][key]; ok {
		return w
	}
	return key
}

// Area states square metres as Chinese offices do: 平方米, with 亩 beside from a tenth of a 亩 up.
func (l Lang) Area(m2 float64) string {
	sq, mu := " 平方米", "（约 %s 亩）"
	if l == English {
		sq, mu = " m²", " (about %s mu)"
	}
	if m2 < 0.05 {
		return "—"
	}
	s := grouped(m2, m2 < 100) + sq
	if m2 >= muM2/10 {
		s += strings.Replace(mu, "%s", strconv.FormatFloat(m2/muM2, 'f', 2, 64), 1)
	}
	return s
}

// Length states metres, or kilometres from one up.
func (l Lang) Length(m float64) string {
	if m <= 0 {
		return "—"
	}
	if m >= 1000 {
		return strconv.FormatFloat(m/1000, 'f', 2, 64) + " " + l.Word("km")
	}
	return grouped(m, false) + " " + l.Word("metre")
}

// Time states a moment in Beijing time.
func (l Lang) Time(t time.Time) string {
	if l == English {
		return t.In(Beijing).Format("2006-01-02 15:04") + " (" + l.Word("beijing") + ")"
	}
	return t.In(Beijing).Format("2006-01-02 15:04") + "（" + l.Word("beijing") + "）"
}

// muM2 is one 亩 in square metres (1 亩 = 10000/15 m²).
const muM2 = 10000.0 / 15

// grouped writes v with thousands separated by commas, one decimal when fine is set.
func grouped(v float64, fine bool) string {
	prec := 0
	if fine {
		prec = 1
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if neg {
		out = "-" + out
	}
	if frac != "" {
		out += "." + frac
	}
	return out
}
