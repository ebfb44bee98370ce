// The service points panel (便民服务点), for everyone: the kinds and their colours with how many of
// each are open, and per community the points of each kind and — for those who may read the gap
// report — the residential compounds out of reach of a kind (GET /api/v1/reports/gaps,
// kinds=service_point_gaps), which the gaps tab draws on the map.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {t} from './i18n/index.js';
import {servicePointLegend, typeName} from './service-points-layer.js';

export class ServicePointsPanel {
    constructor(el, {mayGaps, onGaps}) {
        this.el = el;
        this.mayGaps = mayGaps;
        this.onGaps = onGaps;
        this.types = [];
        this.points = null;
        this.gaps = null;
        this.error = '';
        this.stale = true;
    }

    async load() {
        this.stale = false;
        this.points = null;
        this.error = '';
        this.render();
        try {
            const [types, fc, gaps] = await Promise.all([api.servicePointTypes(), api.servicePoints(),
                this.mayGaps() ? api.servicePointGaps() : Promise.resolve(null)]);
            this.types = types.filter((x) => !x.retired_at);
            this.points = fc.features;
            this.gaps = gaps ? gaps.service_point_gaps || [] : null;
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    clear() {
        this.stale = true;
        this.points = null;
        this.gaps = null;
    }

    // communities are the summary's rows: every community with a point or a compound out of reach.
    communities() {
        const rows = new Map();
        const row = (sub, com) => {
            const key = `${sub}·${com}`;
            if (!rows.has(key)) rows.set(key, {sub, com, points: {}, far: {}, farCompounds: new Set()});
            return rows.get(key);
        };
        for (const f of this.points || []) {
            if (f.properties.status !== 'open') continue;
            const r = row(f.properties.subdistrict, f.properties.community || '');
            r.points[f.properties.type] = (r.points[f.properties.type] || 0) + 1;
        }
        for (const g of this.gaps || []) {
            const r = row(g.subdistrict, g.community || '');
            r.far[g.type] = (r.far[g.type] || 0) + 1;
            r.farCompounds.add(g.compound_id);
        }
        return [...rows.values()].sort((a, b) => a.sub.localeCompare(b.sub, 'zh-CN') || a.com.localeCompare(b.com, 'zh-CN'));
    }

    render() {
        const title = h('h2', {}, t('points.title'));
        if (this.error) return replace(this.el, title, h('p', {class: 'bad', id: 'points-error'}, this.error));
        if (!this.points) return replace(this.el, title, h('p', {class: 'hint'}, t('loading')));
        const counts = {};
        for (const f of this.points) if (f.properties.status === 'open') counts[f.properties.type] = (counts[f.properties.type] || 0) + 1;
        const withGaps = this.gaps !== null;
        const cell = (r, code) => {
            const n = r.points[code] || 0;
            const far = r.far[code] || 0;
            return h('td', {class: `num${n === 0 ? ' bad' : ''}`, title: withGaps && far ? t('points.farTitle', {n: far}) : null},
                String(n), withGaps && far ? h('small', {class: 'muted'}, ` (${far})`) : null);
        };
        const table = h('div', {class: 'table-wrap'}, h('table', {class: 'overview', id: 'points-table'},
            h('thead', {}, h('tr', {}, h('th', {}, t('points.community')), this.types.map((x) => h('th', {}, typeName(this.types, x.code))),
                withGaps ? h('th', {}, t('points.compoundsFar')) : null)),
            h('tbody', {}, this.communities().map((r) => h('tr', {},
                h('td', {}, [r.sub, r.com].filter(Boolean).join(' · ')), this.types.map((x) => cell(r, x.code)),
                withGaps ? h('td', {class: `num${r.farCompounds.size ? ' bad' : ''}`}, String(r.farCompounds.size)) : null)))));
        replace(this.el, title,
            h('p', {class: 'hint'}, t('points.intro')),
            servicePointLegend(this.types, counts),
            h('h3', {}, t('points.byCommunity')),
            table,
            h('p', {class: 'hint'}, withGaps ? t('points.gapsNote') : t('points.publicNote')),
            withGaps ? h('p', {}, h('a', {href: '#gaps', id: 'points-to-gaps', onclick: () => this.onGaps?.()}, t('points.toGaps'))) : null);
    }
}
