// The service points (便民服务点) on the map, for everyone: the public service_points tile layer's
// open points as dots coloured by kind, its toggle, and the popup a dot opens — hours, operator and
// capacity for anyone, the contact only when the caller's scope holds the point (the API leaves it
// out otherwise).
import {Popup} from 'maplibre-gl';

import {api} from './api.js';
import {h} from './dom.js';
import {formatTime, lang, t} from './i18n/index.js';

// Off at first, so the map opens as it did (a click asks who is responsible); the services tab turns it on.
export const SERVICE_POINT_TOGGLE = {key: 'servicePoints', layers: ['service-points-dot'], on: false};

const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];

// typeName is a kind's name in the current language.
export const typeName = (types, code) => {
    const ty = types.find((x) => x.code === code);
    return ty ? (lang() === 'zh' ? ty.name_zh : ty.name_en) : code;
};

// servicePointStyle is the points' source and layer for the map's first style (MapView.start):
// dots coloured by kind, shown as the toggle says; none when the layer's TileJSON was not served.
export function servicePointStyle(types, tileJSON, visible) {
    if (!tileJSON) return {sources: {}, layers: []};
    const tiles = tileJSON.tiles.map((u) => location.origin + u.split('?')[0].replace(/^[a-z]+:\/\/[^/]+/i, ''));
    const colour = types.length ? ['match', ['get', 'type'], ...types.flatMap((x) => [x.code, x.colour]), '#5a6b7b'] : '#5a6b7b';
    return {
        sources: {service_points: {type: 'vector', tiles, minzoom: tileJSON.minzoom ?? 0, maxzoom: tileJSON.maxzoom ?? 18}},
        layers: [{id: 'service-points-dot', type: 'circle', source: 'service_points', 'source-layer': 'service_points',
            layout: {visibility: visible ? 'visible' : 'none'},
            paint: {'circle-color': colour, 'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 3.5, 16, 7],
                'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5}}],
    };
}

// servicePointAt is the id of the point drawn under a screen point, or 0.
export function servicePointAt(map, point) {
    if (!map.getLayer('service-points-dot') || map.getLayoutProperty('service-points-dot', 'visibility') !== 'visible') return 0;
    const hits = map.queryRenderedFeatures([[point.x - 5, point.y - 5], [point.x + 5, point.y + 5]], {layers: ['service-points-dot']});
    return hits.length ? Number(hits[0].properties.id) : 0;
}

export function servicePointLegend(types, counts = {}) {
    return h('div', {class: 'legend-kinds', id: 'legend-service-points'}, types.filter((x) => !x.retired_at).map((x) =>
        h('span', {class: 'legend-item', dataset: {type: x.code}}, h('span', {class: 'dot', style: `background:${x.colour}`}),
            typeName(types, x.code), counts[x.code] === undefined ? '' : ` ${counts[x.code]}`)));
}

// hoursText writes the windows in the current language: "周一至周五 16:30–18:30".
export function hoursText(hours) {
    if (!hours?.length) return t('points.noHours');
    return hours.map((w) => {
        const days = w.weekdays.length === 7 ? t('points.everyDay') : runs(w.weekdays).map(([a, b]) =>
            a === b ? t(`points.day${a}`) : t('points.dayRange', {from: t(`points.day${a}`), to: t(`points.day${b}`)})).join(t('points.daySep'));
        return `${days} ${w.opens}–${w.closes}`;
    }).join(t('points.windowSep'));
}

function runs(days) {
    const out = [];
    for (const d of WEEKDAYS.filter((x) => days.includes(x))) {
        const last = out[out.length - 1];
        if (last && last[1] === d - 1) last[1] = d;
        else out.push([d, d]);
    }
    return out;
}

// ServicePointPopup opens a point's details where it was clicked.
export class ServicePointPopup {
    constructor(map, types) {
        this.map = map;
        this.types = types;
        this.popup = null;
    }

    async show(id, lngLat) {
        this.close();
        const popup = new Popup({maxWidth: 'min(320px, calc(100vw - 24px))', className: 'service-point-popup', focusAfterOpen: false})
            .setLngLat(lngLat).setDOMContent(h('p', {class: 'hint'}, t('loading'))).addTo(this.map);
        this.popup = popup;
        try {
            const f = await api.servicePoint(id);
            if (this.popup === popup) popup.setDOMContent(this.content(f));
        } catch (e) {
            if (this.popup === popup) popup.setDOMContent(h('p', {class: 'bad'}, t('error.generic', {detail: e.detail || e.message})));
        }
    }

    content(f) {
        const p = f.properties;
        const row = (key, value) => value === '' || value == null ? null : h('tr', {}, h('th', {}, t(key)), h('td', {dataset: {field: key}}, value));
        return h('div', {class: 'service-point', dataset: {point: f.id}},
            h('h3', {}, p.name),
            h('p', {class: 'muted'}, typeName(this.types(), p.type), ' · ', [p.subdistrict, p.community].filter(Boolean).join(' · ')),
            h('table', {class: 'kv'}, h('tbody', {},
                row('points.hours', hoursText(p.hours)),
                row('points.openNow', p.status !== 'open' ? t('points.closedSince', {date: p.status_since}) : t(p.open_now ? 'points.openYes' : 'points.openNo')),
                row('points.address', p.address),
                row('points.operator', p.operator_org),
                row('points.capacity', p.capacity == null ? '' : t('points.people', {n: p.capacity})),
                row('points.contact', p.contact_name || p.contact_phone ? [p.contact_name, p.contact_phone].filter(Boolean).join(' ') : ''),
                row('points.revised', formatTime(p.revised_at)))));
    }

    close() {
        this.popup?.remove();
        this.popup = null;
    }
}
