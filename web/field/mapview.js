// The map screen, a chunk of its own (MapLibre is most of the app's weight): the city's own tiles —
// boundaries, areas, the user's shops and patrols where the server has that layer — the device's
// position and the patrol being recorded. Tiles come through a protocol handler on this page, which
// keeps every tile it fetched in the Cache API and answers from there offline; "save my patch"
// fetches the tiles of the user's scope at z13–17 ahead of going out.
import {Map as MapLibreMap, addProtocol, setWorkerUrl} from 'maplibre-gl';

import {h, replace} from '../src/dom.js';
import {getJSON} from './data.js';
import {t} from './i18n/index.js';
import {currentFix} from './position.js';

setWorkerUrl(STREETCHIEF_WORKER_URL); // eslint-disable-line no-undef
if (!document.querySelector('link[data-maplibre]')) {
    document.head.append(h('link', {rel: 'stylesheet', href: FIELD_MAP_CSS, 'data-maplibre': true})); // eslint-disable-line no-undef
}

const TILES = 'field-tiles';
const LAYERS = ['admin', 'areas', 'merchants', 'patrols'];
// The layers' own lowest zooms (their TileJSON's minzoom): below them the server has no tiles.
const MIN_ZOOM = {admin: 8, areas: 12, merchants: 10, patrols: 12};
const PATCH_ZOOMS = [13, 14, 15, 16, 17];
const PATCH_CAP = 3000;
const FALLBACK_BOUNDS = [116.98, 25.05, 117.08, 25.13];
const FONT = ['Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'sans-serif'];

// A tile from the network when there is one (kept for later), else the kept copy, else nothing.
addProtocol('field', async (params) => {
    const path = params.url.replace(/^field:\/\//, '/');
    const cache = await caches.open(TILES);
    try {
        const res = await fetch(path, {credentials: 'same-origin'});
        if (res.status === 204) {
            cache.put(path, new Response(null, {status: 204})).catch(() => {});
            return {data: new ArrayBuffer(0)};
        }
        if (!res.ok) throw new Error(`tile ${res.status}`);
        const data = await res.clone().arrayBuffer();
        cache.put(path, res).catch(() => {});
        return {data};
    } catch {
        const kept = await cache.match(path);
        return {data: kept ? await kept.arrayBuffer() : new ArrayBuffer(0)};
    }
});

function style(layers) {
    const src = (name) => ({type: 'vector', tiles: [`field://tiles/${name}/{z}/{x}/{y}.mvt`], minzoom: MIN_ZOOM[name], maxzoom: 18});
    const sources = Object.fromEntries(layers.map((l) => [l, src(l)]));
    sources.me = {type: 'geojson', data: {type: 'FeatureCollection', features: []}};
    sources.track = {type: 'geojson', data: {type: 'FeatureCollection', features: []}};
    const out = [
        {id: 'bg', type: 'background', paint: {'background-color': '#f4f1ea'}},
        {id: 'areas', type: 'fill', source: 'areas', 'source-layer': 'areas', paint: {'fill-color': ['match', ['get', 'kind'], ['main_road', 'secondary_road', 'back_lane'], '#d5d2cb', 'park', '#a5d6a7', '#ffe082'],
            'fill-opacity': 0.6}},
        {id: 'areas-line', type: 'line', source: 'areas', 'source-layer': 'areas', minzoom: 14, paint: {'line-color': 'rgba(60,60,60,0.4)', 'line-width': 0.6}},
        {id: 'community', type: 'line', source: 'admin', 'source-layer': 'admin', filter: ['==', ['get', 'level'], 'community'],
            paint: {'line-color': '#7e57c2', 'line-width': 1.4, 'line-dasharray': [3, 2]}},
        {id: 'labels', type: 'symbol', source: 'admin', 'source-layer': 'admin_labels',
            layout: {'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 13}, paint: {'text-color': '#4a3a8a', 'text-halo-color': '#fff', 'text-halo-width': 1.5}},
    ];
    if (layers.includes('patrols')) {
        out.push({id: 'patrols', type: 'line', source: 'patrols', 'source-layer': 'patrols',
            paint: {'line-color': ['case', ['==', ['get', 'suspect'], true], '#e65100', '#2e7d32'], 'line-width': 2.5, 'line-opacity': 0.7}});
    }
    out.push({id: 'merchants', type: 'circle', source: 'merchants', 'source-layer': 'merchants',
        paint: {'circle-radius': 6, 'circle-color': ['match', ['get', 'state'], 'inspected_today', '#2e7d32', 'repeat_offender', '#c62828', '#1565c0'],
            'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5}});
    out.push({id: 'track', type: 'line', source: 'track', paint: {'line-color': '#d81b60', 'line-width': 4}});
    out.push({id: 'me', type: 'circle', source: 'me', paint: {'circle-radius': 8, 'circle-color': '#1e88e5', 'circle-stroke-color': '#fff', 'circle-stroke-width': 3}});
    return {version: 8, sources, layers: out};
}

export class MapScreen {
    constructor(app) {
        this.app = app;
        this.map = null;
        this.progress = '';
    }

    async render(el) {
        this.el = el;
        if (!this.box) {
            this.box = h('div', {id: 'map'});
            this.bar = h('div', {class: 'map-bar'});
        }
        replace(el, this.box, this.bar);
        this.drawBar();
        if (!this.map) await this.open();
        else this.map.resize();
        this.locate();
    }

    async open() {
        let layers = LAYERS.slice(0, 3);
        try {
            const idx = await getJSON('/tiles/index.json');
            layers = LAYERS.filter((l) => idx.layers.some((x) => x.name === l));
        } catch { /* offline: the layers every server has */ }
        this.layers = layers;
        const b = (await this.scopeBounds().catch(() => null)) || FALLBACK_BOUNDS;
        this.map = new MapLibreMap({container: this.box, style: style(layers), bounds: [[b[0], b[1]], [b[2], b[3]]],
            attributionControl: false, maxZoom: 19, dragRotate: false, pitchWithRotate: false});
        this.map.touchZoomRotate.disableRotation();
        window.streetchiefFieldMap = this.map;
        this.map.on('load', () => this.drawTrack());
    }

    async locate() {
        try {
            const f = await currentFix({timeout: 8000});
            const me = {type: 'Feature', geometry: {type: 'Point', coordinates: [f.lon, f.lat]}, properties: {}};
            const put = () => this.map.getSource('me')?.setData({type: 'FeatureCollection', features: [me]});
            if (this.map.loaded()) put();
            else this.map.once('load', put);
        } catch { /* no position: the map stays on the patch */ }
    }

    drawTrack() {
        const track = this.app.patrol.state?.track || [];
        this.map.getSource('track')?.setData({type: 'FeatureCollection', features: track.length > 1
            ? [{type: 'Feature', geometry: {type: 'LineString', coordinates: track}, properties: {}}] : []});
    }

    drawBar() {
        replace(this.bar,
            h('button', {type: 'button', class: 'big', id: 'save-patch', onclick: () => this.savePatch(), disabled: !!this.saving}, t('map.savePatch')),
            this.progress && h('span', {id: 'patch-progress', class: 'hint'}, this.progress));
    }

    // scopeBounds is the box of the user's subdistricts, or of their communities, or of the city.
    async scopeBounds() {
        const s = this.app.session.user.scope;
        const ids = s.subdistricts.length ? s.subdistricts : s.communities;
        if (s.all || !ids.length) {
            const tj = await getJSON('/tiles/areas.json');
            return tj.bounds;
        }
        const b = [180, 90, -180, -90];
        for (const id of ids.slice(0, 30)) {
            const unit = await getJSON(`/api/v1/admin-units/${id}`);
            extend(b, unit.geometry.coordinates);
        }
        return b;
    }

    async savePatch() {
        this.saving = true;
        this.progress = t('map.patchPreparing');
        this.drawBar();
        try {
            const b = await this.scopeBounds();
            const urls = [];
            for (const z of PATCH_ZOOMS) {
                const [x0, y1] = tileOf(b[0], b[1], z), [x1, y0] = tileOf(b[2], b[3], z);
                for (let x = x0; x <= x1; x++) for (let y = y0; y <= y1; y++) for (const l of this.layers) urls.push(`/tiles/${l}/${z}/${x}/${y}.mvt`);
            }
            const list = urls.slice(0, PATCH_CAP);
            const cache = await caches.open(TILES);
            let done = 0, failed = 0;
            const next = async () => {
                while (list.length) {
                    const url = list.shift();
                    try {
                        const res = await fetch(url, {credentials: 'same-origin'});
                        if (res.ok) await cache.put(url, res);
                        else failed++;
                    } catch {
                        failed++;
                    }
                    done++;
                    if (done % 25 === 0) {
                        this.progress = t('map.patchProgress', {done, total: Math.min(urls.length, PATCH_CAP)});
                        this.drawBar();
                    }
                }
            };
            await Promise.all([next(), next(), next(), next()]);
            this.progress = t(urls.length > PATCH_CAP ? 'map.patchCapped' : 'map.patchDone', {done: done - failed, failed, cap: PATCH_CAP});
        } catch {
            this.progress = t('map.patchFailed');
        }
        this.saving = false;
        this.drawBar();
    }

    leave() {}
}

function extend(b, coords) {
    if (typeof coords[0] === 'number') {
        b[0] = Math.min(b[0], coords[0]);
        b[1] = Math.min(b[1], coords[1]);
        b[2] = Math.max(b[2], coords[0]);
        b[3] = Math.max(b[3], coords[1]);
        return;
    }
    for (const c of coords) extend(b, c);
}

function tileOf(lon, lat, z) {
    const n = 2 ** z;
    const x = Math.floor(((lon + 180) / 360) * n);
    const r = (lat * Math.PI) / 180;
    const y = Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n);
    return [Math.min(n - 1, Math.max(0, x)), Math.min(n - 1, Math.max(0, y))];
}
