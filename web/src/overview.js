// The overview: the leader's dashboard over a period. The league table of the KPIs (docs/kpis.md)
// one level below the unit looked at, the trend of cases opened, closed and overdue per interval, and
// the drill-down district → subdistrict → community → area with a breadcrumb back up; the map frames
// the unit. A lane chief starts at their community, a street chief at their subdistrict.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {t} from './i18n/index.js';
import {kpiTable, sumRows} from './kpi-table.js';
import {periodPicker} from './period-picker.js';
import {interval, kpiParams} from './period.js';
import {Charts, TREND_FIGURES, loadCharts} from './trends.js';

const LEVELS = ['district', 'subdistrict', 'community', 'area'];
// What the league lists, and the trend groups by, at each level.
const KPI_BY = {district: 'subdistrict', subdistrict: 'community', community: 'area', area: 'area'};
const TREND_BY = {district: 'subdistrict', subdistrict: 'community', community: 'community', area: 'community'};
const KPI_ROLES = ['admin', 'district_leader', 'street_chief', 'lane_chief', 'assessor'];

export class OverviewPanel {
    // hooks: onView(view) when the period or unit changes; frame(feature, layer) and frameDistrict()
    // move the map.
    constructor(el, hooks) {
        this.el = el;
        this.hooks = hooks;
        this.charts = new Charts();
        this.figure = 'opened';
        this.features = new Map(); // `${level}:${id}` → GeoJSON Feature, for names, parents and framing
        this.children = new Map(); // `${level}:${id}` → Set of child ids
        this.rows = null;
        this.view = null;
        this.loads = 0;
    }

    // start sets who is looking and at what; load() fetches when the tab is shown.
    start(session, subdistricts, view) {
        this.user = session.user;
        for (const f of subdistricts) this.features.set(`subdistrict:${f.id}`, f);
        this.view = {period: view.period, unit: this.clamp(view.unit)};
        this.rows = null;
    }

    // root is the highest unit the caller's scope allows: their community, their subdistrict, or the district.
    root() {
        const s = this.user?.scope || {};
        if (this.user?.role === 'lane_chief' && s.communities?.length) return {level: 'community', id: s.communities[0]};
        if (this.user?.role === 'street_chief' && s.subdistricts?.length) return {level: 'subdistrict', id: s.subdistricts[0]};
        return {level: 'district'};
    }

    clamp(unit) {
        const u = {...unit};
        const r = this.root();
        const s = this.user?.scope || {};
        if (r.level === 'community' && !s.communities.includes(u.community)) return {community: r.id};
        if (r.level === 'subdistrict' && !u.subdistrict && !u.community) return {subdistrict: r.id};
        if (r.level === 'subdistrict' && u.subdistrict && !s.subdistricts.includes(u.subdistrict)) return {subdistrict: r.id};
        return u;
    }

    level() {
        const u = this.view.unit;
        return u.area ? 'area' : u.community ? 'community' : u.subdistrict ? 'subdistrict' : 'district';
    }

    async feature(level, id) {
        const key = `${level}:${id}`;
        if (!this.features.has(key)) this.features.set(key, await (level === 'area' ? api.area(id) : api.adminUnit(id)));
        return this.features.get(key);
    }

    // fillParents completes the unit from its lowest level up (a link may name only the community).
    async fillParents() {
        const u = this.view.unit;
        if (u.area && !u.community) u.community = (await this.feature('area', u.area)).properties.community_id;
        if (u.community && !u.subdistrict) u.subdistrict = (await this.feature('community', u.community)).properties.parent_id;
        await Promise.all(['subdistrict', 'community', 'area'].filter((l) => u[l]).map((l) => this.feature(l, u[l]))); // the breadcrumb's names
    }

    async childIds(level, id) {
        const key = `${level}:${id}`;
        if (!this.children.has(key)) {
            const list = level === 'subdistrict' ? await api.adminUnitsIn('community', id) : await api.areasIn(id);
            for (const f of list) this.features.set(`${level === 'subdistrict' ? 'community' : 'area'}:${f.id}`, f);
            this.children.set(key, new Set(list.map((f) => f.id)));
        }
        return this.children.get(key);
    }

    async load() {
        loadCharts(); // with the figures, not after them
        const n = ++this.loads;
        this.error = '';
        this.trendError = '';
        this.rows = null;
        this.render();
        if (!KPI_ROLES.includes(this.user?.role)) {
            this.error = t('kpi.notForRole');
            return this.render();
        }
        const {period, unit} = this.view;
        const level = this.level();
        const narrow = {subdistrict: level === 'subdistrict' ? unit.subdistrict : undefined,
            community: level === 'community' || level === 'area' ? unit.community : undefined};
        const trendAsk = api.kpiTrend({interval: interval(period), from: period.from, to: period.to, by: TREND_BY[level], ...narrow})
            .catch((e) => ({error: e}));
        try {
            await this.fillParents();
            const [rep, inside] = await Promise.all([
                api.kpis({by: KPI_BY[level], ...kpiParams(period), ...narrow}),
                level === 'district' ? null : this.childIds(level === 'subdistrict' ? 'subdistrict' : 'community', level === 'subdistrict' ? unit.subdistrict : unit.community),
            ]);
            if (n !== this.loads) return;
            // The league lists the units inside the one looked at, even from a server that counts wider.
            let rows = inside ? rep.rows.filter((r) => inside.has(r.id)) : rep.rows;
            if (level === 'area') rows = rows.filter((r) => r.id === unit.area);
            this.rows = rows;
            this.total = rows.length === rep.rows.length ? {...rep.total, name: t('kpi.total')} : sumRows(rows);
            const trend = await trendAsk;
            if (n !== this.loads) return;
            if (trend.error) {
                this.trend = null;
                this.trendError = trend.error.status === 404 ? t('trend.unavailable') : t('error.generic', {detail: trend.error.detail});
            } else {
                const series = inside && TREND_BY[level] === 'community' && level === 'subdistrict'
                    ? trend.series.filter((s) => inside.has(Number(s.key))) : trend.series;
                this.trend = {...trend, series};
            }
        } catch (e) {
            if (n !== this.loads) return;
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    // monthlyLinks open the 月报 of the period's (first) month for the district, or for the subdistrict
    // looked at, to print or as PDF: the server draws it, scoped to the caller.
    monthlyLinks() {
        const month = this.view.period.from.slice(0, 7);
        const q = new URLSearchParams({month});
        if (this.level() !== 'district') q.set('subdistrict', this.view.unit.subdistrict);
        const url = (format) => `/api/v1/reports/monthly?${q}&format=${format}`;
        return h('p', {class: 'gap-links', id: 'monthly-links'}, t('monthly.label', {month}), ' ',
            h('a', {href: url('html'), target: '_blank', rel: 'noopener', id: 'monthly-html'}, t('monthly.html')), ' · ',
            h('a', {href: url('pdf'), download: `monthly-${month}.pdf`, id: 'monthly-pdf'}, t('monthly.pdf')));
    }

    setPeriod(period) {
        this.view = {...this.view, period};
        this.hooks.onView(this.view);
        this.load();
    }

    // go looks at a unit (or the district) and frames it on the map.
    async go(unit) {
        this.view = {...this.view, unit: this.clamp(unit)};
        this.hooks.onView(this.view);
        this.load();
        await this.frame();
    }

    // frame moves the map to the unit looked at, at once when instant (before the first tiles).
    async frame(instant = false) {
        const u = this.view.unit;
        try {
            const level = this.level();
            if (level === 'district') return this.hooks.frameDistrict(instant);
            this.hooks.frame(await this.feature(level, u[level]), level === 'area' ? 'areas' : 'admin', instant);
        } catch (e) {
            console.warn('overview: the unit could not be framed on the map', e); // eslint-disable-line no-console
        }
    }

    pick(row) {
        const u = this.view.unit;
        const level = this.level();
        if (level === 'district') return this.go({subdistrict: row.id});
        if (level === 'subdistrict') return this.go({subdistrict: u.subdistrict, community: row.id});
        return this.go({subdistrict: u.subdistrict, community: u.community, area: row.id});
    }

    name(level, id) {
        const f = this.features.get(`${level}:${id}`);
        return f ? f.properties.name : `#${id}`;
    }

    crumbs() {
        const u = this.view.unit;
        const start = LEVELS.indexOf(this.root().level);
        const all = [{level: 'district', name: t('app.city'), unit: {}},
            u.subdistrict && {level: 'subdistrict', name: this.name('subdistrict', u.subdistrict), unit: {subdistrict: u.subdistrict}},
            u.community && {level: 'community', name: this.name('community', u.community), unit: {subdistrict: u.subdistrict, community: u.community}},
            u.area && {level: 'area', name: this.name('area', u.area), unit: {...u}}].filter(Boolean);
        return all.filter((c) => LEVELS.indexOf(c.level) >= start);
    }

    render() {
        this.charts.dispose();
        if (!this.view) return replace(this.el, h('h2', {}, t('overview.title')), h('p', {class: 'hint'}, t('loading')));
        const crumbs = this.crumbs();
        const nav = h('nav', {class: 'crumbs', id: 'drill-crumbs', 'aria-label': t('kpi.crumbs')},
            crumbs.map((c, i) => [i ? h('span', {class: 'sep'}, ' › ') : null, i === crumbs.length - 1
                ? h('strong', {dataset: {crumb: c.level}}, c.name)
                : h('button', {type: 'button', class: 'link', dataset: {crumb: c.level}, onclick: () => this.go(c.unit)}, c.name)]));
        const head = [h('div', {class: 'row'}, h('h2', {}, t('overview.title')),
            h('button', {type: 'button', class: 'secondary', id: 'overview-refresh', onclick: () => this.load()}, t('overview.refresh'))),
        periodPicker(this.view.period, (p) => this.setPeriod(p)), nav];
        if (this.error) return replace(this.el, head, h('p', {class: 'bad', id: 'overview-error'}, this.error));
        if (!this.rows) return replace(this.el, head, h('p', {class: 'hint'}, t('loading')));
        const level = this.level();
        const table = kpiTable(this.rows, this.total, {level: KPI_BY[level], selected: this.view.unit.area,
            onPick: level === 'area' ? null : (r) => this.pick(r)});
        const els = {totals: h('div', {class: 'chart', id: 'chart-trend-totals'}), units: h('div', {class: 'chart', id: 'chart-trend'}),
            counts: h('div', {class: 'chart', id: 'chart-counts'}), rate: h('div', {class: 'chart', id: 'chart-rate'})};
        const figure = h('select', {id: 'trend-figure', 'aria-label': t('trend.figure'), onchange: (e) => {
            this.figure = e.target.value;
            this.render();
        }}, TREND_FIGURES.map((f) => h('option', {value: f, selected: f === this.figure}, t(`trend.${f}`))));
        const trend = this.trend
            ? [h('h3', {}, t('trend.totals', {interval: t(`trend.interval.${this.trend.interval}`)})), els.totals,
                h('div', {class: 'row'}, h('h3', {}, t(`trend.byUnit.${this.trend.by}`)), figure), els.units]
            : [h('h3', {}, t('trend.title')), h('p', {class: 'hint', id: 'trend-error'}, this.trendError || t('loading'))];
        replace(this.el, head, h('div', {class: 'table-wrap'}, table),
            h('p', {class: 'hint'}, t('kpi.note')),
            this.monthlyLinks(),
            trend,
            h('h3', {}, t('overview.chartCounts')), els.counts,
            h('h3', {}, t('overview.chartRate')), els.rate);
        if (this.trend) {
            this.charts.trendTotals(els.totals, this.trend);
            const drillable = level === 'district' || level === 'subdistrict';
            this.charts.trendByUnit(els.units, this.trend, this.figure, (key) => {
                const row = this.rows.find((r) => String(r.id) === String(key));
                if (drillable && row) this.pick(row);
            });
        }
        const named = this.rows.filter((r) => r.id);
        this.charts.unitCounts(els.counts, named);
        this.charts.unitRates(els.rate, named);
    }

    resize() {
        this.charts.resize();
    }
}
