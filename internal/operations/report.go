package operations

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"

	"streetchief/internal/access"
	"streetchief/internal/draw"
	"streetchief/internal/reports"
)

// Report is an operation laid out for A4: the operation, and the shapes of its map.
type Report struct {
	Op       Operation
	AsOf     time.Time
	boundary orb.Geometry
	target   orb.Geometry
	areas    []orb.Geometry
}

// Report makes the printable report of operation id for who.
func (s *Store) Report(ctx context.Context, who access.Principal, id int64) (Report, error) {
	op, err := s.Get(ctx, who, id)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Op: op, AsOf: s.now()}
	var boundary, target []byte
	if err := s.db.QueryRow(ctx, `SELECT ST_AsBinary(u.boundary), ST_AsBinary(o.target_area) FROM operation o
		JOIN unit_directory u ON u.id = o.subdistrict_id WHERE o.id = $1`, id).Scan(&boundary, &target); err != nil {
		return Report{}, fmt.Errorf("report map: %w", err)
	}
	if rep.boundary, err = unmarshal(boundary); err != nil {
		return Report{}, err
	}
	if rep.target, err = unmarshal(target); err != nil {
		return Report{}, err
	}
	rows, err := s.db.Query(ctx, `SELECT ST_AsBinary(a.geom) FROM operation_area o JOIN area_directory a ON a.id = o.area_id
		WHERE o.operation_id = $1`, id)
	if err != nil {
		return Report{}, fmt.Errorf("report areas: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return Report{}, err
		}
		g, err := unmarshal(b)
		if err != nil {
			return Report{}, err
		}
		rep.areas = append(rep.areas, g)
	}
	return rep, rows.Err()
}

func unmarshal(b []byte) (orb.Geometry, error) {
	if b == nil {
		return nil, nil
	}
	g, err := wkb.Unmarshal(b)
	if err != nil {
		return nil, fmt.Errorf("report map: %w", err)
	}
	return g, nil
}

// Words of the printed report (zh-CN).
var (
	kindWords  = map[Kind]string{Planned: "计划", ShortNotice: "临时"}
	stateWords = map[State]string{StatePlanned: "计划中", StateUnderWay: "进行中", StateOutcomeOverdue: "待录结果（已逾期）",
		StateDone: "已完成", StateCancelled: "已取消"}
	roleWords  = map[Role]string{Commander: "指挥", Member: "队员"}
	dealtWords = map[Dealt]string{RectifiedOnSpot: "当场整改", Fined: "罚款", OrderIssued: "下达整改通知", NoOnePresent: "无人在场", "": "—"}
	howWords   = map[string]string{Targeted: "行动目标", OpenedOnSpot: "现场立案"}
	caseWords  = map[string]string{"reported": "已上报", "assigned": "已派遣", "in_progress": "处置中", "escalated": "已上报街长",
		"joint_enforcement": "联合执法", "resolved": "已办结待核查", "closed": "已结案", "reopened": "已重新打开", "rejected": "不予受理", "duplicate": "重复"}
)

// WriteHTML writes the report in Chinese for A4, everything inline.
func (r Report) WriteHTML(w io.Writer) error {
	m := draw.Map{ID: "operation", Width: 718, Height: 420, North: "北", Metre: "米", Km: "公里"}
	if r.boundary != nil {
		m.Subdistricts = []draw.Feature{{Geom: r.boundary, Name: r.Op.SubdistrictName}}
	}
	m.Areas = append(m.Areas, r.areas...)
	if r.target != nil {
		m.Areas = append(m.Areas, r.target)
	}
	for i, sh := range r.Op.TargetShops {
		// A shop is a point: drawn as a speck it is marked with its row in the table below.
		const d = 0.000001
		m.Gaps = append(m.Gaps, draw.Gap{Geom: orb.Polygon{{{sh.Lon, sh.Lat}, {sh.Lon + d, sh.Lat}, {sh.Lon + d, sh.Lat + d}, {sh.Lon, sh.Lat}}},
			Number: i + 1, Kind: "shop"})
	}
	title := fmt.Sprintf("%s联合执法行动报告：%s", r.Op.SubdistrictName, r.Op.Title)
	return reportPage.Execute(w, map[string]any{
		"Op": r.Op, "Title": title, "Style": template.CSS(reports.PrintStyle),
		"When":  r.Op.StartsAt.In(Beijing).Format("2006年1月2日 15:04") + " 至 " + r.Op.EndsAt.In(Beijing).Format("1月2日 15:04") + "（北京时间）",
		"AsOf":  reports.Chinese.Time(r.AsOf),
		"Kind":  kindWords[r.Op.Kind],
		"State": stateWords[r.Op.State],
		"Map":   template.HTML(m.SVG()), // draw escapes every text it writes
	})
}

var reportPage = template.Must(template.New("operation").Funcs(template.FuncMap{
	"role":  func(x Role) string { return roleWords[x] },
	"dealt": func(x Dealt) string { return dealtWords[x] },
	"how":   func(x string) string { return howWords[x] },
	"cs":    func(x any) string { return caseWords[fmt.Sprint(x)] },
	"inc":   func(i int) int { return i + 1 },
	"at":    func(t time.Time) string { return t.In(Beijing).Format("2006-01-02 15:04") },
}).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{{.Title}}</title>
<style>{{.Style}}</style>
<style>@page { @top-left { content: "{{.Title}}"; } }</style>
</head><body>
<h1>{{.Title}}</h1>
<div class="meta">行动时间：{{.When}} · 类型：{{.Kind}} · 状态：{{.State}} · 生成于 {{.AsOf}}</div>
{{if .Op.CancelReason}}<p class="cancelled">本次行动已取消，原因：{{.Op.CancelReason}}</p>{{end}}
<h2>一、行动部署</h2>
<p>参与部门：{{range $i, $d := .Op.Departments}}{{if $i}}、{{end}}{{$d.Name}}{{end}}</p>
<table><thead><tr><th>姓名</th><th>角色</th><th>电话</th></tr></thead><tbody>
{{range .Op.People}}<tr><td>{{.Name}}</td><td>{{role .Role}}</td><td>{{.Phone}}</td></tr>
{{else}}<tr><td colspan="3">未指定人员</td></tr>{{end}}</tbody></table>
{{if .Op.Briefing}}<h3>行动简报</h3><p class="briefing">{{.Op.Briefing}}</p>{{end}}
<h2>二、行动目标</h2>
{{.Map}}
{{if .Op.Areas}}<p>目标区域：{{range $i, $a := .Op.Areas}}{{if $i}}、{{end}}{{$a.Name}}{{end}}</p>{{end}}
{{if .Op.TargetShops}}<table><thead><tr><th>序号</th><th>商户</th><th>地址</th><th>屡教不改</th><th>处理结果</th></tr></thead><tbody>
{{range $i, $s := .Op.TargetShops}}<tr><td class="n">{{inc $i}}</td><td>{{$s.Name}}</td><td>{{$s.Address}}</td><td>{{if $s.RepeatOffender}}是{{end}}</td><td>{{dealt $s.Dealt}}</td></tr>
{{end}}</tbody></table>{{end}}
{{if .Op.TargetCases}}<table><thead><tr><th>案件编号</th><th>类别</th><th>来源</th><th>当前状态</th></tr></thead><tbody>
{{range .Op.TargetCases}}<tr><td class="n">{{.IncidentID}}</td><td>{{.Category}}</td><td>{{how .How}}</td><td>{{cs .Status}}</td></tr>
{{end}}</tbody></table>{{end}}
<h2>三、行动结果</h2>
<p>涉及案件 {{.Op.CaseCounts.Total}} 件，其中现场立案 {{.Op.CaseCounts.OnSpot}} 件；已结案 {{.Op.CaseCounts.Closed}} 件，仍在办理 {{.Op.CaseCounts.Open}} 件（按案件当前状态统计）。</p>
{{with .Op.Outcome}}<p>{{.Notes}}</p><p class="meta">由 {{.RecordedBy}} 于 {{at .RecordedAt}} 录入{{if .Reason}}，更正前次记录，原因：{{.Reason}}{{end}}；照片 {{len .Photos}} 张。</p>
{{else}}<p>尚未录入行动结果。</p>{{end}}
{{if .Op.Revisions}}<h2>四、计划变更记录</h2><table><thead><tr><th>时间</th><th>变更人</th><th>原因</th></tr></thead><tbody>
{{range .Op.Revisions}}<tr><td>{{at .RevisedAt}}</td><td>{{.RevisedBy}}</td><td>{{.Reason}}</td></tr>{{end}}</tbody></table>{{end}}
</body></html>
`))
