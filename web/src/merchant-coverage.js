// The 门前三包 panel: how far every shop is pledged, has its inspector (包户到人) and is inspected
// every day (每日巡查) — a coverage table by community, subdistrict or inspector for a day, week or
// month (GET /api/v1/inspections/coverage), a calendar heat of the shops inspected per community per
// day, and the repeat offenders (屡教不改) sent to joint enforcement — each with its XLSX.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {t} from './i18n/index.js';

// Who may read the inspections (the API's own list).
export const COVERAGE_ROLES = ['admin', 'district_leader', 'street_chief', 'lane_chief', 'inspector', 'assessor'];

const COVERAGE = '/api/v1/inspections/coverage';

// beijingToday is today's date in the city.
export function beijingToday(now = new Date()) {
    return new Date(now.getTime() + 8 * 3600e3).toISOString().slice(0, 10);
}

// heat colours a share of shops inspected: none is red, all is green.
export function heat(share) {
    if (share == null) return '#eeeeee';
    const hue = Math.round(120 * Math.max(0, Math.min(1, share)));
    return `hsl(${hue}, 70%, ${share === 0 ? 82 : 60}%)`;
}

const pct = (v) => `${Number(v).toFixed(1)}%`;

export class CoveragePanel {
    constructor(el) {
        this.el = el;
        this.query = {by: 'community', period: 'day', at: beijingToday()};
        this.coverage = null;
        this.calendar = null;
        this.offenders = null;
        this.error = '';
    }

    url(path, params) {
        return `${path}?${new URLSearchParams(params)}`;
    }

    async load() {
        this.coverage = null;
        this.error = '';
        this.render();
        try {
            const q = this.query;
            [this.coverage, this.calendar, this.offenders] = await Promise.all([
                api.inspectionCoverage(q),
                api.inspectionCalendar({period: q.period === 'week' ? 'week' : 'month', at: q.at}),
                api.repeatOffenders(),
            ]);
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    set(key, value) {
        this.query = {...this.query, [key]: value};
        this.load();
    }

    controls() {
        const select = (key, values) => h('select', {id: `coverage-${key}`, onchange: (e) => this.set(key, e.target.value)},
            values.map((v) => h('option', {value: v, selected: this.query[key] === v}, t(`coverage.${key}.${v}`))));
        return h('div', {class: 'row coverage-controls'},
            select('by', ['community', 'subdistrict', 'inspector']), select('period', ['day', 'week', 'month']),
            h('input', {type: 'date', id: 'coverage-at', value: this.query.at, max: beijingToday(),
                onchange: (e) => e.target.value && this.set('at', e.target.value)}));
    }

    table() {
        const c = this.coverage;
        // Credible: shops inspected on the day by a check-in no proof rule flagged; suspect: the
        // period's flagged check-ins, which count apart (a server without proof gives neither).
        const proof = 'credible_day_pct' in c.total;
        const cols = ['shops', 'pledged', 'inspector', 'day', ...(proof ? ['credible'] : []), 'week', 'violations', 'offsite', ...(proof ? ['suspect'] : [])];
        const cells = (r) => [h('td', {class: 'num'}, r.shops), h('td', {class: 'num'}, pct(r.pledged_pct)),
            h('td', {class: 'num'}, pct(r.with_inspector_pct)), h('td', {class: 'num'}, pct(r.inspected_day_pct)),
            proof ? h('td', {class: 'num credible'}, pct(r.credible_day_pct)) : null,
            h('td', {class: 'num'}, pct(r.inspected_week_pct)), h('td', {class: 'num'}, r.violations), h('td', {class: 'num'}, pct(r.off_site_share)),
            proof ? h('td', {class: r.suspect ? 'num suspect bad' : 'num suspect'}, r.suspect) : null];
        return h('div', {class: 'scroll'}, h('table', {class: 'overview', id: 'coverage-table'},
            h('thead', {}, h('tr', {}, h('th', {}, t(`coverage.by.${c.by}`)), cols.map((k) => h('th', {class: 'num'}, t(`coverage.col.${k}`))))),
            h('tbody', {}, c.rows.map((r) => h('tr', {dataset: {id: r.id}}, h('td', {}, r.name), cells(r)))),
            h('tfoot', {}, h('tr', {}, h('th', {}, t('coverage.total')), cells(c.total)))));
    }

    heatmap() {
        const cal = this.calendar;
        if (!cal || !cal.rows.length) return h('p', {class: 'hint'}, t('coverage.noShops'));
        return h('div', {class: 'scroll'}, h('table', {class: 'heat', id: 'coverage-calendar'},
            h('thead', {}, h('tr', {}, h('th', {}, t('coverage.by.community')), cal.days.map((d) => h('th', {}, d.slice(8))))),
            h('tbody', {}, cal.rows.map((r) => h('tr', {dataset: {community: r.community_id}}, h('td', {}, r.name),
                r.inspected.map((n, k) => h('td', {style: `background:${heat(r.shops ? n / r.shops : null)}`,
                    title: t('coverage.heatCell', {day: cal.days[k], n, shops: r.shops, inspections: r.inspections[k]})}, n || '')))))));
    }

    repeatTable() {
        const list = this.offenders || [];
        if (!list.length) return h('p', {class: 'hint', id: 'repeat-none'}, t('repeat.none'));
        return h('div', {class: 'scroll'}, h('table', {class: 'overview', id: 'repeat-table'},
            h('thead', {}, h('tr', {}, ['shop', 'community', 'incident', 'state', 'inspections'].map((k) => h('th', {}, t(`repeat.col.${k}`))))),
            h('tbody', {}, list.flatMap((o) => o.cases.map((c) => h('tr', {dataset: {merchant: o.merchant_id}},
                h('td', {}, o.name), h('td', {}, o.community),
                h('td', {}, h('a', {href: `#incidents/${c.incident_id}`}, `#${c.incident_id}`)),
                h('td', {}, t(c.open ? 'repeat.open' : 'repeat.closed'), ' · ', t(`repeat.cause.${c.cause}`)),
                h('td', {class: 'num'}, c.inspections.length)))))));
    }

    render() {
        const title = h('h2', {}, t('coverage.title'));
        if (this.error) return replace(this.el, title, this.controls(), h('p', {class: 'bad', id: 'coverage-error'}, this.error));
        if (!this.coverage) return replace(this.el, title, this.controls(), h('p', {class: 'hint'}, t('loading')));
        const c = this.coverage;
        replace(this.el, title, this.controls(),
            h('p', {class: 'hint'}, t('coverage.period', {label: c.period.label, day: c.period.day})),
            this.table(),
            h('p', {class: 'gap-links'}, h('a', {id: 'coverage-xlsx', download: 'coverage.xlsx',
                href: this.url(COVERAGE, {...this.query, format: 'xlsx'})}, t('coverage.xlsx'))),
            h('h3', {}, t('coverage.calendar')), this.heatmap(),
            h('h3', {}, t('repeat.title')), this.repeatTable(),
            h('p', {class: 'gap-links'}, h('a', {id: 'repeat-xlsx', download: 'repeat-offenders.xlsx',
                href: '/api/v1/repeat-offenders?format=xlsx'}, t('repeat.xlsx'))),
            h('p', {class: 'hint'}, t('coverage.note')),
            'credible_day_pct' in c.total ? h('p', {class: 'hint', id: 'coverage-proof-note'}, t('coverage.proofNote')) : null);
    }
}
