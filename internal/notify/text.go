package notify

import (
	"fmt"
	"regexp"
	"strings"
)

// words are the titles of each kind of notice, in Chinese and English, with {name} standing for a
// parameter. A kind without words is shown by its code, so a new kind is never silent.
var words = map[string][2]string{
	"case_assigned":       {"案件 {id} 已派给您：{category}，{place}", "Case {id} is yours: {category}, {place}"},
	"case_escalated":      {"案件 {id} 已上报街长：{category}，{place}", "Case {id} was escalated to you: {category}, {place}"},
	"case_overdue":        {"案件 {id} 已超期：{category}，{place}", "Case {id} is overdue: {category}, {place}"},
	"joint_requested":     {"联合执法：请{department}签收案件 {id}（{category}，{place}）", "Joint enforcement: {department}, please acknowledge case {id} ({category}, {place})"},
	"verification_result": {"案件 {id} 核查结果：{result}", "Case {id} verification: {result}"},
	"citizen_received": {"【街巷长制】您反映的问题已受理，编号 {number}。查看进展、确认处理结果或停止接收消息：{base}/#track={number}&token={secret}",
		"Your report was received, number {number}. Follow it, confirm the result or stop these messages: {base}/#track={number}&token={secret}"},
	"citizen_resolved": {"【街巷长制】您反映的问题（编号 {number}）已处理，请确认或提出异议：{base}/#track={number}&token={secret}",
		"Your report {number} was dealt with: confirm or dispute it at {base}/#track={number}&token={secret}"},
	"daily_digest": {"{day} 待办：{summary}", "{day}: {summary}"},
	// 督办: tasks from the city and the district (internal/tasks).
	"task_issued":        {"{office}下达督办任务：{title}，{deadline} 前完成", "{office} issued a task: {title}, due {deadline}"},
	"task_item_assigned": {"督办任务「{title}」交给{place}：{text}，{deadline} 前完成", "Task \"{title}\" for {place}: {text}, due {deadline}"},
	"task_item_claimed":  {"督办任务「{title}」{place}报告完成，待验收：{text}", "Task \"{title}\": {place} reports done, to accept: {text}"},
	"task_item_returned": {"督办任务「{title}」{place}一项被退回：{reason}", "Task \"{title}\": an item of {place} was returned: {reason}"},
	"task_overdue":       {"督办任务「{title}」已超期：{place}，{text}（期限 {deadline}）", "Task \"{title}\" is overdue: {place}, {text} (due {deadline})"},
	// 考评: results published and amended (internal/assessment).
	"assessment_published":   {"{period} 考评结果公布：{subdistrict} {score} 分，第 {rank} 名（共 {of} 个街道）", "{period} assessment published: {subdistrict} {score} points, rank {rank} of {of}"},
	"assessment_amended":     {"{period} 考评结果更正（第 {revision} 版）：{subdistrict} {score} 分，第 {rank} 名；原因：{reason}", "{period} assessment amended (revision {revision}): {subdistrict} {score} points, rank {rank}; reason: {reason}"},
	"task_overdue_escalated": {"督办任务「{title}」仍超期未完成：{place}，{text}（期限 {deadline}）", "Task \"{title}\" is still overdue: {place}, {text} (due {deadline})"},

	// 物业: a case routed in a compound, to its property manager's contact (internal/incidents, internal/partners).
	"compound_case": {"您服务的小区有新案件 {id}：{category}，{place}（{company}）", "New case {id} in a compound you manage: {category}, {place} ({company})"},
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

// Title is the one-line text of a notice in lang ("en" or Chinese otherwise). In English a
// parameter's "_en" twin (category_en) is used where the notice has one.
func Title(lang, kind string, params map[string]any) string {
	w, ok := words[kind]
	if !ok {
		return kind
	}
	t := w[0]
	if lang == "en" {
		t = w[1]
	}
	out := placeholder.ReplaceAllStringFunc(t, func(m string) string {
		key := m[1 : len(m)-1]
		if v, ok := params[key+"_en"]; ok && lang == "en" && v != "" {
			return fmt.Sprint(v)
		}
		v, ok := params[key]
		if !ok || v == nil {
			return "—"
		}
		return fmt.Sprint(v)
	})
	return strings.TrimSpace(out)
}
