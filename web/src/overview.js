// The overview: per subdistrict, open and overdue incidents, those closed this month and the share
// of them closed on time — a table and two small bar charts (ECharts, only the parts used).
import {BarChart} from 'echarts/charts';
import {GridComponent, LegendComponent, TooltipComponent} from 'echarts/components';
import * as echarts from 'echarts/core';
import {CanvasRenderer} from 'echarts/renderers';

import {api} from './api.js';
import {h, replace} from './dom.js';
import {formatPercent, t} from './i18n/index.js';
import {OPEN} from './incidents.js';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

// Start of the current month in the city (UTC+8).
function monthStart(now = new Date()) {
    const city = new Date(now.getTime() + 8 * 3600e3);
    return Date.UTC(city.getUTCFullYear(), city.getUTCMonth(), 1) - 8 * 3600e3;
}

// summarise counts incidents by subdistrict. "Closed this month" are resolved or closed incidents
// last updated this month; on time when never marked overdue (the flag stays once set).
export function summarise(incidents, subdistricts, now = new Date()) {
    const since = monthStart(now);
    const rows = new Map(subdistricts.map((u) => [u.id, {id: u.id, name: u.properties.name, open: 0, overdue: 0, closed: 0, onTime: 0}]));
    const outside = {id: 0, name: t('overview.outside'), open: 0, overdue: 0, closed: 0, onTime: 0};
    for (const inc of incidents) {
        const r = rows.get(inc.subdistrict_id) || outside;
        const open = OPEN.includes(inc.status);
        if (open) r.open++;
        if (open && inc.overdue) r.overdue++;
        if ((inc.status === 'resolved' || inc.status === 'closed') && Date.parse(inc.updated_at) >= since) {
            r.closed++;
            if (!inc.overdue) r.onTime++;
        }
    }
    const list = [...rows.values()];
    if (outside.open || outside.closed) list.push(outside);
    for (const r of list) r.rate = r.closed ? r.onTime / r.closed : null;
    return list;
}

export class OverviewPanel {
    constructor(el) {
        this.el = el;
        this.rows = null;
        this.count = 0;
        this.error = '';
        this.charts = [];
    }

    // load counts what the caller may see; those with a narrower scope than the district get only
    // the subdistricts they work in (or that have any of their incidents).
    async load(subdistricts, scope) {
        this.subdistricts = subdistricts;
        this.scope = scope || {all: true, subdistricts: []};
        this.rows = null;
        this.render();
        try {
            // One page of up to 10,000 (the API's largest): a district's half year fits.
            const page = await api.incidents({limit: 10000});
            this.incidents = page.incidents;
            this.rows = summarise(this.incidents, subdistricts);
            this.keep = (r) => this.scope.all || this.scope.subdistricts.includes(r.id) || r.open || r.closed;
            this.error = '';
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail});
        }
        this.render();
    }

    render() {
        for (const c of this.charts) c.dispose();
        this.charts = [];
        if (this.error) return replace(this.el, h('p', {class: 'bad'}, this.error));
        if (!this.rows) return replace(this.el, h('h2', {}, t('overview.title')), h('p', {class: 'hint'}, t('loading')));
        if (this.incidents) this.rows = summarise(this.incidents, this.subdistricts).filter(this.keep); // "outside" follows the language
        const rows = this.rows;
        const total = rows.reduce((a, r) => ({open: a.open + r.open, overdue: a.overdue + r.overdue, closed: a.closed + r.closed,
            onTime: a.onTime + r.onTime}), {open: 0, overdue: 0, closed: 0, onTime: 0});
        const table = h('table', {class: 'overview', id: 'overview-table'},
            h('thead', {}, h('tr', {}, ['subdistrict', 'open', 'overdue', 'closedMonth', 'onTime'].map((k) => h('th', {}, t(`overview.${k}`))))),
            h('tbody', {}, rows.map((r) => h('tr', {dataset: {subdistrict: r.id}},
                h('td', {}, r.name), h('td', {class: 'num'}, r.open), h('td', {class: 'num'}, r.overdue),
                h('td', {class: 'num'}, r.closed), h('td', {class: 'num'}, formatPercent(r.rate))))),
            h('tfoot', {}, h('tr', {}, h('th', {}, t('overview.total')), h('td', {class: 'num'}, total.open),
                h('td', {class: 'num'}, total.overdue), h('td', {class: 'num'}, total.closed),
                h('td', {class: 'num'}, formatPercent(total.closed ? total.onTime / total.closed : null)))));
        const counts = h('div', {class: 'chart', id: 'chart-counts'});
        const rate = h('div', {class: 'chart', id: 'chart-rate'});
        replace(this.el,
            h('div', {class: 'row'}, h('h2', {}, t('overview.title')),
                h('button', {type: 'button', class: 'secondary', onclick: () => this.load(this.subdistricts, this.scope)}, t('overview.refresh'))),
            table,
            h('h3', {}, t('overview.chartCounts')), counts,
            h('h3', {}, t('overview.chartRate')), rate,
            h('p', {class: 'hint'}, t('overview.note', {n: this.incidents.length})));
        const names = rows.map((r) => r.name);
        const base = {animation: false, grid: {left: 8, right: 16, top: 28, bottom: 8, containLabel: true}, tooltip: {trigger: 'axis'},
            textStyle: {fontFamily: 'Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif'}};
        const c1 = echarts.init(counts, null, {renderer: 'canvas'});
        c1.setOption({...base, legend: {top: 0},
            xAxis: {type: 'category', data: names, axisLabel: {interval: 0, rotate: names.length > 5 ? 30 : 0}},
            yAxis: {type: 'value'},
            series: [
                {name: t('overview.open'), type: 'bar', data: rows.map((r) => r.open), itemStyle: {color: '#1e88e5'}},
                {name: t('overview.overdue'), type: 'bar', data: rows.map((r) => r.overdue), itemStyle: {color: '#e53935'}},
                {name: t('overview.closedMonth'), type: 'bar', data: rows.map((r) => r.closed), itemStyle: {color: '#43a047'}},
            ]});
        const c2 = echarts.init(rate, null, {renderer: 'canvas'});
        c2.setOption({...base, tooltip: {trigger: 'axis', valueFormatter: (v) => (v == null ? '—' : `${v}%`)},
            xAxis: {type: 'value', max: 100, axisLabel: {formatter: '{value}%'}},
            yAxis: {type: 'category', data: names, inverse: true},
            series: [{name: t('overview.onTime'), type: 'bar', data: rows.map((r) => (r.rate == null ? null : Math.round(r.rate * 100))),
                itemStyle: {color: '#00897b'}, label: {show: true, position: 'right', formatter: '{c}%'}}]});
        this.charts = [c1, c2];
    }

    resize() {
        for (const c of this.charts) c.resize();
    }
}
