// The assessment's map and charts: the subdistricts coloured by a period's score on the map's own
// admin boundaries (a fill layer over the admin tiles, coloured by a match on the feature id), its
// legend, the trend of each subdistrict's score across periods, and the rules simulator's answer as
// tables. Nothing here asks the server.
import {h} from './dom.js';
import {t} from './i18n/index.js';
import {Charts, loadCharts} from './trends.js';

// periodName writes a period's label in the language shown: 2026-Q1 → 2026年第1季度, 2026-03 → 2026年3月.
export function periodName(label) {
    const q = /^(\d{4})-Q([1-4])$/.exec(label || '');
    const m = /^(\d{4})-(\d{2})$/.exec(label || '');
    if (q) return t('assess.quarterName', {year: q[1], q: q[2]});
    if (m) return t('assess.monthName', {year: m[1], month: Number(m[2])});
    return label;
}

export const LAYER = 'assessment-choropleth';
// The legend's bands: below 70 (the penalty line), 70 up to 85, above 85 (the reward line).
export const BANDS = [{key: 'low', color: '#e53935'}, {key: 'mid', color: '#f9a825'}, {key: 'high', color: '#43a047'}];

// band is a score's band: 85 itself is not above 85, 70 itself is not below 70.
export function band(score) {
    if (score < 70) return BANDS[0];
    if (score > 85) return BANDS[2];
    return BANDS[1];
}

// fillColor is the layer's colour expression for a result's rows.
export function fillColor(rows) {
    const pairs = rows.flatMap((r) => [r.subdistrict_id, band(r.score).color]);
    return pairs.length ? ['match', ['id'], ...pairs, 'rgba(0,0,0,0)'] : 'rgba(0,0,0,0)';
}

// paint shows the result's scores on the map (visible) or hides the layer; the layer is added the
// first time it is shown, under the boundary lines so they stay readable. Hiding it touches only its
// visibility: adding a layer to the admin source, or changing a colour by feature, makes MapLibre
// lay out all of that source's tiles again, which every visitor would otherwise wait for.
export function paint(map, rows, visible) {
    if (!map || !map.getSource('admin')) return;
    const show = !!(visible && rows?.length);
    if (!show) {
        if (map.getLayer(LAYER)) map.setLayoutProperty(LAYER, 'visibility', 'none');
        return;
    }
    if (!map.getLayer(LAYER)) {
        const before = map.getLayer('admin-community-line') ? 'admin-community-line' : undefined;
        map.addLayer({id: LAYER, type: 'fill', source: 'admin', 'source-layer': 'admin',
            filter: ['==', ['get', 'level'], 'subdistrict'], paint: {'fill-color': 'rgba(0,0,0,0)', 'fill-opacity': 0.55}}, before);
    }
    map.setPaintProperty(LAYER, 'fill-color', fillColor(rows));
    map.setLayoutProperty(LAYER, 'visibility', 'visible');
}

export function legend() {
    return h('div', {class: 'assess-legend', id: 'assess-legend'}, BANDS.map((b) =>
        h('span', {dataset: {band: b.key}}, h('i', {style: `background:${b.color}`}), t(`assess.band.${b.key}`))));
}

// trendChart draws each subdistrict's score per period (gaps where a period has none).
export function trendChart(charts, el, trend) {
    charts.dispose();
    charts.add(el, {animation: false, grid: {left: 8, right: 16, top: 56, bottom: 8, containLabel: true},
        tooltip: {trigger: 'axis', valueFormatter: (v) => (v == null ? '—' : Number(v).toFixed(2))},
        legend: {top: 0, type: 'scroll', textStyle: {fontSize: 11}},
        textStyle: {fontFamily: 'Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif'},
        xAxis: {type: 'category', data: trend.periods.map(periodName)},
        yAxis: {type: 'value', min: (v) => Math.max(0, Math.floor(v.min / 10) * 10), max: 100},
        series: trend.series.map((s) => ({name: s.name, type: 'line', connectNulls: false, data: s.scores}))});
}

export {Charts, loadCharts};

const two = (x) => Number(x).toFixed(2);
const yuan = (x) => Number(x).toLocaleString('zh-CN');

// simulation lays the simulator's answer out: per quarter the ranking with each outcome, and the
// year's averages and commendations when the input held a whole year.
export function simulation(doc) {
    const names = (xs) => (xs && xs.length ? xs.join('、') : '—');
    const quarters = (doc.quarters || []).map((q) => h('div', {class: 'assess-sim-quarter', dataset: {period: q.period}},
        h('h4', {}, periodName(q.period)),
        h('div', {class: 'table-wrap'}, h('table', {class: 'overview'},
            h('thead', {}, h('tr', {}, ['rank', 'subdistrict', 'score', 'reward', 'penalty'].map((k) => h('th', {}, t(`assess.col.${k}`))))),
            h('tbody', {}, (q.ranking || []).map((r) => h('tr', {dataset: {name: r.name}},
                h('td', {class: 'num'}, r.rank), h('td', {}, r.name), h('td', {class: 'num'}, two(r.score)),
                h('td', {class: 'num'}, q.rewards?.[r.name] ? yuan(q.rewards[r.name]) : ''),
                h('td', {class: 'num'}, q.penalties?.[r.name] ? yuan(q.penalties[r.name]) : '')))))),
        h('p', {}, t('assess.sim.interviews', {names: names(q.interviews)})),
        h('p', {}, t('assess.sim.explanations', {names: names(q.public_explanations)}))));
    const a = doc.annual;
    return [quarters, a ? h('div', {id: 'assess-sim-annual'}, h('h4', {}, t('assess.sim.annual')),
        h('p', {}, Object.entries(a.averages || {}).map(([n, v]) => `${n} ${two(v)}`).join('；')),
        h('p', {}, t('assess.sim.commended', {names: names(a.commended)}))) : null];
}
