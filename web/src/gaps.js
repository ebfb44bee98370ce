// The gaps panel: where full coverage (全覆盖) is broken — per subdistrict, areas nobody answers
// for, territory no area covers, overlaps and vacant posts (GET /api/v1/reports/gaps), the report to
// download (XLSX) or print (HTML), and the gaps with a place drawn on the map, each one to fly to.
import {LngLatBounds} from 'maplibre-gl';

import {api} from './api.js';
import {h, replace} from './dom.js';
import {t} from './i18n/index.js';

// Who may read the gap report (the API's own list).
export const GAP_ROLES = ['admin', 'district_leader', 'street_chief', 'lane_chief', 'assessor'];

export const GAP_COLORS = {unassigned_areas: '#e53935', territory_gaps: '#fb8c00', overlaps: '#8e24aa',
    compounds_without_partner: '#00897b', service_point_gaps: '#3949ab'};
const LIST_MAX = 200;
const REPORT = '/api/v1/reports/gaps';

const colorExpr = ['match', ['get', 'gap'], ...Object.entries(GAP_COLORS).flat(), '#757575'];

function boundsOf(coords, b = new LngLatBounds()) {
    if (typeof coords[0] === 'number') return b.extend(coords);
    for (const c of coords) boundsOf(c, b);
    return b;
}

// bySubdistrict keeps the summary's subdistrict rows, or adds up their communities when the
// report has only those.
export function bySubdistrict(summary) {
    const subs = summary.filter((r) => r.level === 'subdistrict');
    if (subs.length) return subs;
    const rows = new Map();
    for (const r of summary) {
        let s = rows.get(r.subdistrict_id);
        if (!s) {
            s = {subdistrict_id: r.subdistrict_id, subdistrict: r.subdistrict, unassigned_areas: 0, territory_gap_m2: 0, overlap_m2: 0, vacant_posts: 0};
            rows.set(r.subdistrict_id, s);
        }
        s.unassigned_areas += r.unassigned_areas;
        s.territory_gap_m2 += r.territory_gap_m2;
        s.overlap_m2 += r.overlap_m2;
        s.vacant_posts += r.vacant_posts;
    }
    return [...rows.values()];
}

const m2 = (v) => Math.round(v).toLocaleString('en-US');

// servicePointGap describes a compound too far from a kind of service point, and how far it is.
function servicePointGap(p, place) {
    const what = p.distance_m == null ? t('gaps.spNone', {type: p.type_name}) : t('gaps.spWhat', {compound: p.name, type: p.type_name,
        distance: t('gaps.spDistance', {n: m2(p.distance_m), method: t(`gaps.method.${p.method}`)})});
    return {place, what, area: ''};
}

export class GapsPanel {
    constructor(el, map) {
        this.el = el;
        this.map = map;
        this.rows = null;
        this.gaps = [];
        this.error = '';
        this.selected = null;
    }

    url(format) {
        return `${REPORT}?scope=district&format=${format}`;
    }

    async load() {
        this.rows = null;
        this.error = '';
        this.render();
        try {
            const [report, fc] = await Promise.all([api.gaps('json'), api.gaps('geojson')]);
            this.rows = bySubdistrict(report.summary || []);
            this.gaps = (fc.features || []).map((f, i) => ({...f, id: i}))
                .sort((a, b) => (b.properties.area_m2 || 0) - (a.properties.area_m2 || 0));
            this.draw();
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    // draw puts the gaps on the map: a fill and outline coloured by kind, and a highlight layer.
    draw() {
        const m = this.map;
        const data = {type: 'FeatureCollection', features: this.gaps};
        if (m.getSource('gaps')) {
            m.getSource('gaps').setData(data);
        } else {
            m.addSource('gaps', {type: 'geojson', data});
            m.addLayer({id: 'gaps-fill', type: 'fill', source: 'gaps', paint: {'fill-color': colorExpr, 'fill-opacity': 0.35}});
            m.addLayer({id: 'gaps-line', type: 'line', source: 'gaps', paint: {'line-color': colorExpr, 'line-width': 1.5}});
            m.addLayer({id: 'gaps-selected', type: 'line', source: 'gaps', filter: ['==', ['id'], -1],
                paint: {'line-color': '#fdd835', 'line-width': 4}});
        }
        this.show(this.visible !== false);
    }

    // show hides the gap layers when the panel is not open.
    show(on) {
        this.visible = on;
        for (const id of ['gaps-fill', 'gaps-line', 'gaps-selected']) {
            if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
        }
    }

    // clear forgets the report and takes the layers away (on sign-out).
    clear() {
        this.rows = null;
        this.gaps = [];
        for (const id of ['gaps-selected', 'gaps-line', 'gaps-fill']) if (this.map.getLayer(id)) this.map.removeLayer(id);
        if (this.map.getSource('gaps')) this.map.removeSource('gaps');
    }

    select(g) {
        this.selected = g.id;
        if (this.map.getLayer('gaps-selected')) this.map.setFilter('gaps-selected', ['==', ['id'], g.id]);
        const b = boundsOf(g.geometry.coordinates);
        if (!b.isEmpty()) this.map.fitBounds(b, {padding: 60, maxZoom: 18, duration: 800});
        for (const li of this.el.querySelectorAll('#gap-list [data-gap]')) li.classList.toggle('selected', Number(li.dataset.gap) === g.id);
    }

    describe(g) {
        const p = g.properties;
        const place = [p.subdistrict, p.community].filter(Boolean).join(' · ');
        let what = '';
        if (p.gap === 'unassigned_areas' || p.gap === 'compounds_without_partner') what = p.name || '';
        else if (p.gap === 'overlaps') what = t('gaps.overlapOf', {a: p.name_a || '', b: p.name_b || ''});
        else if (p.gap === 'service_point_gaps') return servicePointGap(p, place);
        return {place, what, area: t('gaps.m2', {n: m2(p.area_m2 || 0)})};
    }

    render() {
        if (this.error) return replace(this.el, h('h2', {}, t('gaps.title')), h('p', {class: 'bad', id: 'gaps-error'}, this.error));
        if (!this.rows) return replace(this.el, h('h2', {}, t('gaps.title')), h('p', {class: 'hint'}, t('loading')));
        const rows = this.rows;
        const total = rows.reduce((a, r) => ({u: a.u + r.unassigned_areas, tg: a.tg + r.territory_gap_m2, o: a.o + r.overlap_m2,
            v: a.v + r.vacant_posts}), {u: 0, tg: 0, o: 0, v: 0});
        const table = h('table', {class: 'overview', id: 'gaps-table'},
            h('thead', {}, h('tr', {}, ['subdistrict', 'unassigned', 'territory', 'overlap', 'vacant'].map((k) => h('th', {}, t(`gaps.${k}`))))),
            h('tbody', {}, rows.map((r) => h('tr', {dataset: {subdistrict: r.subdistrict_id}},
                h('td', {}, r.subdistrict), h('td', {class: 'num'}, r.unassigned_areas), h('td', {class: 'num'}, m2(r.territory_gap_m2)),
                h('td', {class: 'num'}, m2(r.overlap_m2)), h('td', {class: 'num'}, r.vacant_posts)))),
            h('tfoot', {}, h('tr', {}, h('th', {}, t('gaps.total')), h('td', {class: 'num'}, total.u), h('td', {class: 'num'}, m2(total.tg)),
                h('td', {class: 'num'}, m2(total.o)), h('td', {class: 'num'}, total.v))));
        const links = h('p', {class: 'gap-links'},
            h('a', {href: this.url('xlsx'), download: 'gaps.xlsx', id: 'gaps-xlsx'}, t('gaps.xlsx')), ' · ',
            h('a', {href: this.url('html'), target: '_blank', rel: 'noopener', id: 'gaps-html'}, t('gaps.html')));
        const legend = h('div', {class: 'legend-kinds'}, Object.entries(GAP_COLORS).map(([k, c]) => h('span', {class: 'legend-item'},
            h('span', {class: 'swatch', style: `background:${c}`}), t(`gaps.kind.${k}`))));
        // A compound far from a service point is drawn with a line to that point; the list names it once.
        const shown = this.gaps.filter((g) => g.properties.part !== 'link').slice(0, LIST_MAX);
        const list = h('ul', {class: 'results gap-list', id: 'gap-list'}, shown.map((g) => {
            const d = this.describe(g);
            return h('li', {dataset: {gap: g.id}, class: g.id === this.selected ? 'selected' : null},
                h('button', {type: 'button', class: 'link', onclick: () => this.select(g)},
                    h('span', {class: 'swatch', style: `background:${GAP_COLORS[g.properties.gap] || '#757575'}`}),
                    t(`gaps.kind.${g.properties.gap}`), d.what ? ` ${d.what}` : ''),
                h('span', {class: 'muted'}, ` ${[d.place, d.area].filter(Boolean).join(' · ')}`));
        }));
        replace(this.el,
            h('div', {class: 'row'}, h('h2', {}, t('gaps.title')),
                h('button', {type: 'button', class: 'secondary', onclick: () => this.load()}, t('gaps.refresh'))),
            table, links,
            h('h3', {}, t('gaps.onMap', {n: this.gaps.length})), legend,
            this.gaps.length ? list : h('p', {class: 'hint'}, t('gaps.none')),
            this.gaps.length > LIST_MAX ? h('p', {class: 'hint'}, t('gaps.more', {n: LIST_MAX})) : null,
            h('p', {class: 'hint'}, t('gaps.note')));
    }
}
