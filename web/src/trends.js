// The overview's charts: the trend of cases opened, closed and overdue per interval, the same per
// unit for one figure, and the league's counts and rates per unit. The engine (chart-engine.js) is
// loaded the first time a chart is drawn; a chart asked for before then is drawn when it arrives.
import {t} from './i18n/index.js';

let engine = null;
let loading = null;

// loadCharts fetches the engine once; panels start it with their data so both arrive together.
export function loadCharts() {
    loading ||= import('./chart-engine.js').then((m) => (engine = m.echarts));
    return loading;
}

export const TREND_FIGURES = ['opened', 'closed', 'overdue'];
const COLORS = {opened: '#1e88e5', closed: '#43a047', overdue: '#e53935', cases: '#1e88e5', overdueNow: '#e53935',
    closure: '#3949ab', onTime: '#00897b'};
const PALETTE = ['#3949ab', '#00897b', '#f9a825', '#e53935', '#8e24aa', '#6d4c41', '#1e88e5', '#43a047', '#ef6c00', '#546e7a'];

const base = () => ({animation: false, color: PALETTE, grid: {left: 8, right: 16, top: 40, bottom: 8, containLabel: true},
    tooltip: {trigger: 'axis'}, legend: {top: 0, type: 'plain', itemWidth: 14, textStyle: {fontSize: 11}},
    textStyle: {fontFamily: 'Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif'}});

// The x axis: each interval's first day, as month-day (or year-month for monthly steps).
function starts(trend) {
    const all = new Set();
    for (const s of trend.series || []) for (const p of s.points || []) all.add(p.start);
    return [...all].sort();
}

const tick = (interval) => (d) => (interval === 'month' ? d.slice(0, 7) : d.slice(5));

export class Charts {
    constructor() {
        this.list = [];
        this.generation = 0; // moves on at each dispose, so a chart waiting for the engine is not drawn after it
    }

    dispose() {
        for (const c of this.list) c.dispose();
        this.list = [];
        this.generation++;
    }

    resize() {
        for (const c of this.list) c.resize();
    }

    // add draws a chart in el, now or once the engine has loaded (unless disposed of meanwhile),
    // and hands it to ready.
    add(el, option, ready = () => {}) {
        const draw = () => {
            const c = engine.init(el, null, {renderer: 'canvas'});
            c.setOption(option);
            this.list.push(c);
            ready(c);
        };
        if (engine) return draw();
        const generation = this.generation;
        loadCharts().then(() => {
            if (generation === this.generation && el.isConnected) draw();
        }, (e) => console.warn('charts: the engine did not load', e)); // eslint-disable-line no-console
    }

    // trendTotals: opened, closed and overdue per interval, summed over the series.
    trendTotals(el, trend) {
        const xs = starts(trend);
        const sums = Object.fromEntries(TREND_FIGURES.map((f) => [f, xs.map(() => 0)]));
        for (const s of trend.series || []) {
            for (const p of s.points || []) {
                const i = xs.indexOf(p.start);
                for (const f of TREND_FIGURES) sums[f][i] += p[f] || 0;
            }
        }
        this.add(el, {...base(),
            xAxis: {type: 'category', data: xs.map(tick(trend.interval))},
            yAxis: {type: 'value', minInterval: 1},
            series: TREND_FIGURES.map((f) => ({name: t(`trend.${f}`), type: 'bar', data: sums[f], itemStyle: {color: COLORS[f]}}))});
    }

    // trendByUnit: one line per unit for one figure; a click on a line calls onSeries(key).
    trendByUnit(el, trend, figure, onSeries) {
        const xs = starts(trend);
        const series = trend.series || [];
        this.add(el, {...base(), legend: {...base().legend, type: 'scroll'},
            grid: {...base().grid, top: series.length > 4 ? 56 : 40},
            xAxis: {type: 'category', data: xs.map(tick(trend.interval)), boundaryGap: false},
            yAxis: {type: 'value', minInterval: 1},
            series: series.map((s) => {
                const at = new Map((s.points || []).map((p) => [p.start, p[figure] || 0]));
                return {name: s.name, type: 'line', symbolSize: 6, emphasis: {focus: 'series'}, triggerLineEvent: true,
                    data: xs.map((x) => at.get(x) ?? 0)};
            })}, (c) => c.on('click', (e) => {
            const s = series[e.seriesIndex];
            if (s) onSeries(s.key);
        }));
    }

    // unitCounts: the league's cases, closed and overdue-now per unit.
    unitCounts(el, rows) {
        const names = rows.map((r) => r.name);
        this.add(el, {...base(),
            xAxis: {type: 'category', data: names, axisLabel: {interval: 0, rotate: names.length > 5 ? 30 : 0}},
            yAxis: {type: 'value', minInterval: 1},
            series: [
                {name: t('kpi.cases'), type: 'bar', data: rows.map((r) => r.cases), itemStyle: {color: COLORS.cases}},
                {name: t('kpi.closed'), type: 'bar', data: rows.map((r) => r.closed), itemStyle: {color: COLORS.closed}},
                {name: t('kpi.overdueNow'), type: 'bar', data: rows.map((r) => r.overdue_now), itemStyle: {color: COLORS.overdueNow}},
            ]});
    }

    // unitRates: 结案率 and 按期结案率 per unit, in percent.
    unitRates(el, rows) {
        const pct = (r) => (r.percent === '' || r.percent == null ? null : Number(r.percent));
        this.add(el, {...base(), tooltip: {trigger: 'axis', valueFormatter: (v) => (v == null ? '—' : `${v}%`)},
            xAxis: {type: 'value', max: 100, axisLabel: {formatter: '{value}%'}},
            yAxis: {type: 'category', data: rows.map((r) => r.name), inverse: true},
            series: [
                {name: t('kpi.closureRate'), type: 'bar', data: rows.map((r) => pct(r.closure_rate)), itemStyle: {color: COLORS.closure}},
                {name: t('kpi.onTimeRate'), type: 'bar', data: rows.map((r) => pct(r.on_time_rate)), itemStyle: {color: COLORS.onTime}},
            ]});
    }

    // texts is every word the charts show (legend, series, axes), for the language checks.
    texts() {
        const out = [];
        for (const c of this.list) {
            const o = c.getOption();
            for (const s of o.series || []) out.push(s.name);
            for (const a of [...(o.xAxis || []), ...(o.yAxis || [])]) {
                if (a.name) out.push(a.name);
                if (Array.isArray(a.data)) out.push(...a.data.map((d) => (typeof d === 'object' ? d.value : d)));
            }
        }
        return out.filter((x) => x != null).map(String);
    }
}
