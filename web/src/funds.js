// The funds panel (资金): a year's ledger — balances per subdistrict by fund and payer with the
// district's totals, the entries with their kind, source, reason and the links between a correction
// and the entry it corrects, and the balances' XLSX. Leaders, assessors and street chiefs (their own
// subdistricts) read it; entries are booked through the API.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {lang, t} from './i18n/index.js';

// Who may read the ledger (the API's own rule).
export const FUNDS_ROLES = ['admin', 'district_leader', 'assessor', 'street_chief'];
// The balance columns: fund × payer.
const COLUMNS = [['civilised_city', 'city'], ['civilised_city', 'district'], ['volunteer_service', 'city'], ['volunteer_service', 'district']];

function beijingYear() {
    return new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
}

export function formatYuan(x) {
    if (x == null) return '—';
    return Number(x).toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', {minimumFractionDigits: 2, maximumFractionDigits: 2});
}

export class FundsPanel {
    constructor(el) {
        this.el = el;
        this.year = beijingYear();
        this.balances = null;
        this.entries = [];
        this.error = '';
        this.stale = true; // load on the next visit to the tab
    }

    async load() {
        this.balances = null;
        this.error = '';
        this.render();
        try {
            const [balances, entries] = await Promise.all([api.fundsBalances(this.year), api.fundsEntries(this.year)]);
            this.balances = balances;
            this.entries = entries;
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    clear() {
        this.stale = true;
        this.balances = null;
        this.entries = [];
    }

    setYear(y) {
        if (!(y >= 2000 && y <= beijingYear() + 1)) return;
        this.year = y;
        this.load();
    }

    // balanceRows groups the rows by subdistrict (the district-wide budget last), a cell per fund × payer.
    balanceTable() {
        const bySub = new Map();
        for (const r of this.balances.rows) {
            if (!bySub.has(r.subdistrict_id)) bySub.set(r.subdistrict_id, {name: r.subdistrict_id ? r.subdistrict_name : t('funds.districtWide'), cells: new Map(), total: 0});
            const s = bySub.get(r.subdistrict_id);
            s.cells.set(`${r.fund}:${r.payer}`, r);
            s.total += Math.round(r.balance * 100);
        }
        const cell = (r) => h('td', {class: 'num', title: r ? t('funds.breakdown', {allocation: formatYuan(r.allocation), rewards: formatYuan(r.rewards),
            penalties: formatYuan(r.penalties), spending: formatYuan(r.spending), corrections: formatYuan(r.corrections)}) : ''}, r ? formatYuan(r.balance) : '—');
        const totals = new Map(this.balances.totals.filter((x) => x.fund).map((x) => [`${x.fund}:${x.payer}`, x]));
        const grand = this.balances.totals[this.balances.totals.length - 1];
        return h('div', {class: 'table-wrap'}, h('table', {class: 'overview', id: 'funds-balances'},
            h('thead', {}, h('tr', {}, h('th', {}, t('funds.col.subdistrict')),
                COLUMNS.map(([f, p]) => h('th', {class: 'num'}, t('funds.column', {fund: t(`funds.fund.${f}`), payer: t(`funds.payer.${p}`)}))),
                h('th', {class: 'num'}, t('funds.col.balance')))),
            h('tbody', {}, [...bySub.entries()].map(([id, s]) => h('tr', {dataset: {subdistrict: id}},
                h('td', {}, s.name), COLUMNS.map(([f, p]) => cell(s.cells.get(`${f}:${p}`))), h('td', {class: 'num'}, formatYuan(s.total / 100))))),
            h('tfoot', {}, h('tr', {class: 'total', id: 'funds-total'}, h('th', {}, t('funds.total')),
                COLUMNS.map(([f, p]) => cell(totals.get(`${f}:${p}`))), h('th', {class: 'num'}, formatYuan(grand?.balance ?? 0))))));
    }

    entryList() {
        if (!this.entries.length) return h('p', {class: 'hint', id: 'funds-entries'}, t('funds.noEntries'));
        const head = ['id', 'subdistrict', 'fund', 'kind', 'yuan', 'reason', 'source'];
        return h('div', {class: 'table-wrap'}, h('table', {class: 'overview', id: 'funds-entries'},
            h('thead', {}, h('tr', {}, head.map((k) => h('th', {class: k === 'yuan' ? 'num' : ''}, t(`funds.col.${k}`))))),
            h('tbody', {}, this.entries.map((e) => h('tr', {id: `funds-entry-${e.id}`, dataset: {entry: e.id, kind: e.kind}},
                h('td', {}, `#${e.id}`),
                h('td', {}, e.subdistrict_id ? e.subdistrict_name : t('funds.districtWide')),
                h('td', {}, t('funds.column', {fund: t(`funds.fund.${e.fund}`), payer: t(`funds.payer.${e.payer}`)})),
                h('td', {}, t(`funds.kind.${e.kind}`)),
                h('td', {class: 'num'}, formatYuan(e.yuan),
                    e.corrected_by?.length ? h('div', {class: 'muted'}, t('funds.effective', {yuan: formatYuan(e.effective_yuan)})) : null),
                h('td', {}, e.reason || '—',
                    e.corrects ? h('div', {}, h('a', {href: `#funds`, class: 'link', dataset: {corrects: e.corrects},
                        onclick: (ev) => { ev.preventDefault(); this.el.querySelector(`#funds-entry-${e.corrects}`)?.scrollIntoView({block: 'center'}); }},
                    t('funds.corrects', {id: e.corrects}))) : null,
                    e.corrected_by?.length ? h('div', {class: 'muted', dataset: {correctedBy: e.corrected_by.join(' ')}},
                        t('funds.correctedBy', {ids: e.corrected_by.map((i) => `#${i}`).join(', ')})) : null),
                h('td', {}, t(`funds.source.${e.source_type || 'none'}`), e.source_id ? ` ${e.source_id}` : ''))))));
    }

    render() {
        const years = [];
        for (let y = beijingYear(); y >= beijingYear() - 5; y--) years.push(y);
        const title = h('div', {class: 'row'}, h('h2', {}, t('funds.title')),
            h('select', {id: 'funds-year', 'aria-label': t('funds.year'), onchange: (e) => this.setYear(Number(e.target.value))},
                years.map((y) => h('option', {value: y, selected: y === this.year}, t('funds.yearOption', {year: y})))));
        if (this.error) return replace(this.el, title, h('p', {class: 'bad', id: 'funds-error'}, this.error));
        if (!this.balances) return replace(this.el, title, h('p', {class: 'hint'}, t('loading')));
        replace(this.el, title,
            h('p', {class: 'gap-links'}, h('a', {id: 'funds-xlsx', download: `funds-balances-${this.year}.xlsx`,
                href: `/api/v1/funds/balances?year=${this.year}&format=xlsx&lang=${lang()}`}, t('funds.xlsx'))),
            h('h3', {}, t('funds.balances')),
            this.balances.rows.length ? this.balanceTable() : h('p', {class: 'hint', id: 'funds-balances'}, t('funds.noEntries')),
            h('h3', {}, t('funds.entries')),
            this.entryList(),
            h('p', {class: 'hint', id: 'funds-basis'}, t('funds.basis')));
    }
}
