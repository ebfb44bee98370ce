// The period picker: kind (day, week, month, quarter, custom), the period itself, and steps back
// and forth. It only builds periods through period.js, so what it hands on is always valid.
import {h} from './dom.js';
import {lang, t} from './i18n/index.js';
import {KINDS, cityToday, containing, labelOf, make, shift} from './period.js';

const monthName = (m) => new Date(Date.UTC(2000, m - 1, 1)).toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', {month: 'long', timeZone: 'UTC'});

// periodPicker renders the controls for period p, their ids starting with prefix; onChange gets
// each new valid period.
export function periodPicker(p, onChange, prefix = 'period') {
    const today = cityToday();
    const set = (next) => {
        if (next) onChange(next);
    };
    const kind = h('select', {id: `${prefix}-kind`, 'aria-label': t('period.kind'),
        onchange: (e) => set(e.target.value === 'custom' ? make('custom', {from: p.from, to: p.to}) : containing(e.target.value, p.kind === 'custom' ? p.to : p.from))},
    KINDS.map((k) => h('option', {value: k, selected: k === p.kind}, t(`period.${k}`))));

    let which;
    if (p.kind === 'custom') {
        const date = (id, key) => h('input', {type: 'date', id, value: p[key], max: today, 'aria-label': t(`period.${key}`),
            onchange: (e) => set(make('custom', {...p, [key]: e.target.value}))});
        which = h('span', {class: 'period-range'}, date(`${prefix}-from`, 'from'), ' – ', date(`${prefix}-to`, 'to'));
    } else if (p.kind === 'day') {
        which = h('input', {type: 'date', id: `${prefix}-at`, value: p.at, max: today, 'aria-label': t('period.day'),
            onchange: (e) => set(make('day', {at: e.target.value}))});
    } else {
        // Selects rather than the browser's week and month inputs, which speak the browser's language.
        const year = Number(p.at.slice(0, 4));
        const thisYear = Number(today.slice(0, 4));
        const years = [];
        for (let y = Math.max(year, thisYear); y >= Math.min(year, thisYear - 4); y--) years.push(y);
        const inYear = (y) => {
            if (p.kind === 'month') return make('month', {at: `${y}-${p.at.slice(5)}`});
            if (p.kind === 'quarter') return make('quarter', {at: `${y}-${p.at.slice(5)}`});
            return make('week', {at: `${y}-${p.at.slice(5)}`}) || containing('week', `${y}-12-28`); // W53 only in some years
        };
        const options = [];
        if (p.kind === 'month') {
            for (let m = 1; m <= 12; m++) options.push([`${year}-${String(m).padStart(2, '0')}`, monthName(m)]);
        } else if (p.kind === 'quarter') {
            for (let q = 1; q <= 4; q++) options.push([`${year}-Q${q}`, t('period.quarterOf', {q})]);
        } else {
            const last = labelOf('week', `${year}-12-28`); // the last ISO week of a year holds 28 December
            for (let w = 1; w <= Number(last.slice(-2)); w++) {
                const wk = make('week', {at: `${year}-W${String(w).padStart(2, '0')}`});
                options.push([wk.at, t('period.weekOf', {w, from: wk.from.slice(5), to: wk.to.slice(5)})]);
            }
        }
        which = h('span', {class: 'period-range'},
            h('select', {id: `${prefix}-year`, 'aria-label': t('period.year'), onchange: (e) => set(inYear(e.target.value))},
                years.map((y) => h('option', {value: y, selected: y === year}, t('period.yearOf', {y})))),
            h('select', {id: `${prefix}-at`, 'aria-label': t(`period.${p.kind}`), onchange: (e) => set(make(p.kind, {at: e.target.value}))},
                options.map(([v, text]) => h('option', {value: v, selected: v === p.at}, text))));
    }
    return h('div', {class: 'period', id: prefix},
        h('div', {class: 'period-controls'},
            h('span', {class: 'period-title'}, t('period.title')), kind,
            h('button', {type: 'button', class: 'secondary step', id: `${prefix}-prev`, title: t('period.prev'), 'aria-label': t('period.prev'),
                onclick: () => set(shift(p, -1))}, '◀'),
            which,
            h('button', {type: 'button', class: 'secondary step', id: `${prefix}-next`, title: t('period.next'), 'aria-label': t('period.next'),
                onclick: () => set(shift(p, 1))}, '▶')),
        h('div', {class: 'hint', id: `${prefix}-span`}, t('period.span', {from: p.from, to: p.to})));
}
