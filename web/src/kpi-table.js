// The league table of GET /api/v1/kpis: per unit 结案率, 按期结案率 and 返工率, each with an arrow
// against the previous period of the same length, the cases and those overdue now.
import {h} from './dom.js';
import {t} from './i18n/index.js';

const COUNTS = ['cases', 'excluded', 'due', 'closed', 'on_time', 'handled', 'reworked'];

function ratio(numerator, denominator) {
    return {numerator, denominator, percent: denominator ? ((numerator / denominator) * 100).toFixed(2) : ''};
}

function withRates(f) {
    return {...f, closure_rate: ratio(f.closed, f.due), on_time_rate: ratio(f.on_time, f.due), rework_rate: ratio(f.reworked, f.handled)};
}

// sumRows is the totals of some rows, when the table shows fewer rows than the server counted.
export function sumRows(rows) {
    const zero = () => Object.fromEntries(COUNTS.map((k) => [k, 0]));
    const now = zero();
    const before = zero();
    let overdue = 0;
    for (const r of rows) {
        for (const k of COUNTS) {
            now[k] += r[k] || 0;
            before[k] += r.previous?.[k] || 0;
        }
        overdue += r.overdue_now || 0;
    }
    return {...withRates(now), id: 0, name: t('kpi.total'), overdue_now: overdue, previous: withRates(before)};
}

// move compares a rate with the previous period's: ▲ ▼ ＝, or nothing where either has no cases.
export function move(now, before) {
    if (!now?.denominator || !before?.denominator) return '';
    const d = now.numerator / now.denominator - before.numerator / before.denominator;
    if (Math.abs(d) < 1e-9) return 'same';
    return d > 0 ? 'up' : 'down';
}

const ARROWS = {up: '▲', down: '▼', same: '＝'};
const pct = (r) => (r?.percent ? `${Number(r.percent).toFixed(1)}%` : '—');

// rateCell shows a rate with its arrow; for 返工率 up is worse, for the others better.
function rateCell(row, key, upIsGood) {
    const m = move(row[key], row.previous?.[key]);
    const good = m === 'same' || !m ? '' : (m === 'up') === upIsGood ? 'better' : 'worse';
    return h('td', {class: 'num', title: t('kpi.previous', {v: pct(row.previous?.[key])})},
        pct(row[key]), m && h('span', {class: `arrow ${good}`, dataset: {move: m}}, ` ${ARROWS[m]}`));
}

// kpiTable renders rows and total; rows with an id are buttons that call onPick(row).
export function kpiTable(rows, total, {level, selected, onPick}) {
    const head = ['unit', 'cases', 'closureRate', 'onTimeRate', 'reworkRate', 'overdueNow'];
    const cells = (r) => [
        rateCell(r, 'closure_rate', true), rateCell(r, 'on_time_rate', true), rateCell(r, 'rework_rate', false),
        h('td', {class: 'num'}, r.overdue_now)];
    return h('table', {class: 'overview kpi', id: 'overview-table'},
        h('thead', {}, h('tr', {}, head.map((k) => h('th', {class: k === 'unit' ? '' : 'num'}, k === 'unit' ? t(`kpi.unit.${level}`) : t(`kpi.${k}`))))),
        h('tbody', {}, rows.map((r) => h('tr', {dataset: {unit: r.id}, class: r.id === selected ? 'selected' : null},
            h('td', {}, r.id && onPick
                ? h('button', {type: 'button', class: 'link', dataset: {drill: r.id}, title: t('kpi.drill', {name: r.name}), onclick: () => onPick(r)}, r.name)
                : (r.id ? r.name : t('kpi.outside'))),
            h('td', {class: 'num'}, r.cases), cells(r)))),
        h('tfoot', {}, h('tr', {}, h('th', {}, t('kpi.total')), h('td', {class: 'num'}, total.cases), cells(total))));
}
