// The map and its panel: layer toggles, legend, the list of subdistricts and communities to zoom to,
// and the area search. Everything drawn comes from the server's own vector tiles (/tiles/{layer}).
import {LngLatBounds, Map as MapLibreMap, NavigationControl, ScaleControl, prewarm, setWorkerUrl} from 'maplibre-gl';

import {api} from './api.js';
import {h, replace} from './dom.js';
import {t} from './i18n/index.js';
import {addMerchantLayers, merchantLegend, removeMerchantLayers} from './merchants.js';
import {CLUSTER_COLORS, COVERAGE_RAMP, HEAT_RAMP, KIND_COLORS, STATUS_COLORS, TOGGLES, UNCOVERED, baseStyle, incidentLayers} from './map-style.js';
import {STATUSES} from './incidents.js';
import {addPatrolLayers, patrolAt, patrolLegend, removePatrolLayers} from './patrols-layer.js';

// The worker is served from /assets under a hashed name the build passes in.
setWorkerUrl(STREETCHIEF_WORKER_URL); // eslint-disable-line no-undef
// The workers fetch and compile their half-megabyte module while the page fetches its session and
// TileJSONs, instead of after the map is made: on a slow phone that start is the map's longest wait.
prewarm();

const PUBLIC_SOURCES = ['admin', 'areas', 'heat_coverage'];
// The heatmap draws from the incident points too: one source, each tile fetched once.
const INCIDENT_SOURCES = ['incidents'];
// How long the server may answer a shop or patrol tile from its cache after a change, and a little more.
const TILE_CACHE_SECOND_MS = 1100;
// Longyan's Xinluo district, for when the tiles give no bounds.
const FALLBACK_BOUNDS = [[116.98, 25.05], [117.08, 25.13]];

// tileURL makes a TileJSON tile template absolute and sets the filter parameters on its query.
// Plain string work: URL() would percent-encode the {z}/{x}/{y} placeholders.
function tileURL(template, params) {
    // Always this page's origin: the CSP allows no other, and behind a proxy the TileJSON's host
    // may not be the one the browser sees.
    const [path] = template.split('?');
    const abs = location.origin + path.replace(/^[a-z]+:\/\/[^/]+/i, '');
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) if (v) q.set(k, v);
    const s = q.toString();
    return s ? `${abs}?${s}` : abs;
}

async function tileSource(layer) {
    const tj = await api.tileJSON(layer);
    const src = {type: 'vector', tiles: tj.tiles.map((u) => tileURL(u)), minzoom: tj.minzoom ?? 0, maxzoom: tj.maxzoom ?? 18};
    if (Array.isArray(tj.bounds) && tj.bounds.length === 4) src.bounds = tj.bounds;
    return {src, templates: tj.tiles};
}

function boundsOf(coords, b = new LngLatBounds()) {
    if (typeof coords[0] === 'number') return b.extend(coords);
    for (const c of coords) boundsOf(c, b);
    return b;
}

export class MapView {
    constructor(container, hooks) {
        this.container = container;
        this.hooks = hooks; // onIncident(id), onPatrol(id, lngLat), onLookup(lngLat), onUnits()
        this.templates = {};
        this.visible = Object.fromEntries(TOGGLES.map((x) => [x.key, x.on]));
        this.incidentParams = {};
        this.incidentFilter = {};
        this.periodParams = {}; // the dashboard's period as the tiles' from/to
        this.signedIn = false;
        this.unitList = [];
        this.unitGeometry = new Map(); // id → GeoJSON geometry, from the API when signed in
    }

    // start makes the map with its whole first style: the public sources, and extra ({sources,
    // layers}, a promise the caller's own layers resolve to), so nothing is added once it has drawn —
    // a style change after the first frame would redraw it, and on a slow phone that is the wait.
    async start(extra = Promise.resolve({sources: {}, layers: []})) {
        const sources = {};
        const [more, ...loaded] = await Promise.all([extra, ...PUBLIC_SOURCES.map((l) => tileSource(l))]);
        PUBLIC_SOURCES.forEach((l, i) => {
            sources[l] = loaded[i].src;
            this.templates[l] = loaded[i].templates;
        });
        const b = sources.admin.bounds;
        const bounds = b && b[0] < b[2] ? [[b[0], b[1]], [b[2], b[3]]] : FALLBACK_BOUNDS;
        this.districtBounds = bounds;
        this.map = new MapLibreMap({
            container: this.container,
            style: baseStyle({...sources, ...more.sources}, more.layers),
            bounds,
            fitBoundsOptions: {padding: 24},
            maxZoom: 19,
            attributionControl: false,
            // Labels appear at once: a fade redraws the whole map for 300 ms after every tile,
            // which on a phone without a fast GPU delays the next tiles' drawing.
            fadeDuration: 0,
            localIdeographFontFamily: 'Noto Sans CJK SC, WenQuanYi Micro Hei, sans-serif',
            locale: this.locale(),
        });
        this.map.addControl(new NavigationControl({showCompass: false}), 'top-right');
        this.map.addControl(new ScaleControl({}), 'bottom-right');
        this.map.on('click', (e) => this.click(e));
        this.map.on('mousemove', (e) => {
            const hit = this.incidentsAt(e.point).length > 0 || !!patrolAt(this.map, e.point);
            this.map.getCanvas().style.cursor = hit ? 'pointer' : '';
        });
        this.map.on('idle', () => this.collectUnits());
        await new Promise((resolve) => this.map.once('load', resolve));
    }

    // fitContainer sizes the map to its container after a tab changed the layout; a map already
    // the container's size is left alone, since resize() redraws it all the same.
    fitContainer() {
        const c = this.map.getContainer();
        const canvas = this.map.getCanvas();
        if (c.clientWidth !== canvas.clientWidth || c.clientHeight !== canvas.clientHeight) this.map.resize();
    }

    locale() {
        return {'NavigationControl.ZoomIn': t('map.zoomIn'), 'NavigationControl.ZoomOut': t('map.zoomOut')};
    }

    // relabel puts the current language on MapLibre's own buttons.
    relabel() {
        for (const [cls, key] of [['zoom-in', 'map.zoomIn'], ['zoom-out', 'map.zoomOut']]) {
            const b = this.container.querySelector(`.maplibregl-ctrl-${cls}`);
            if (b) {
                b.title = t(key);
                b.setAttribute('aria-label', t(key));
            }
        }
    }

    // setSession adds the incident layers for signed-in callers and takes them away on sign-out.
    async setSession(session) {
        const signedIn = !!(session && session.signed_in);
        if (signedIn === this.signedIn) return;
        this.signedIn = signedIn;
        const m = this.map;
        if (!signedIn) {
            for (const l of incidentLayers()) if (m.getLayer(l.id)) m.removeLayer(l.id);
            for (const s of [...INCIDENT_SOURCES, 'selected-incident']) if (m.getSource(s)) m.removeSource(s);
            removeMerchantLayers(m);
            removePatrolLayers(m);
            this.patrolTiles = false;
            this.unitGeometry.clear();
            return;
        }
        const loaded = await Promise.all(INCIDENT_SOURCES.map((l) => tileSource(l)));
        INCIDENT_SOURCES.forEach((l, i) => {
            this.templates[l] = loaded[i].templates;
            loaded[i].src.tiles = this.templates[l].map((u) => tileURL(u, this.incidentParams));
            m.addSource(l, loaded[i].src);
        });
        m.addSource('selected-incident', {type: 'geojson', data: {type: 'FeatureCollection', features: []}});
        for (const l of incidentLayers()) {
            const toggle = TOGGLES.find((x) => x.layers.includes(l.id));
            if (toggle) l.layout = {...l.layout, visibility: this.visible[toggle.key] ? 'visible' : 'none'};
            m.addLayer(l, 'labels-community');
        }
        this.applyIncidentFilter();
        await addMerchantLayers(m, (await tileSource('merchants')).src, this.visible.merchants);
        // Patrol tracks from a server that serves them (its OpenAPI lists the layer).
        this.patrolTiles = await api.patrolTilesOffered();
        if (this.patrolTiles) this.templates.patrols = addPatrolLayers(m, await tileSource('patrols'), this.visible.patrols);
    }

    setUnitGeometry(features) {
        for (const f of features) this.unitGeometry.set(f.id, f.geometry);
    }

    toggle(key, on) {
        this.visible[key] = on;
        const x = TOGGLES.find((k) => k.key === key);
        for (const id of x.layers) {
            if (this.map.getLayer(id)) this.map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
        }
    }

    // setIncidentFilter keeps the incident layers in step with the incidents panel: status, category
    // and time go to the tile server; overdue and subdistrict (which the tiles do not filter) become
    // layer filters, the subdistrict one with the boundary from the admin-units API. Without dates
    // of its own the map shows the incidents reported in the dashboard's period (setPeriod).
    setIncidentFilter(f) {
        this.incidentFilter = f;
        this.updateIncidentParams();
        this.applyIncidentFilter();
    }

    // setPeriod takes the dashboard's period as tile from/to instants.
    setPeriod(params) {
        this.periodParams = params || {};
        this.updateIncidentParams();
    }

    updateIncidentParams() {
        const f = this.incidentFilter;
        const when = f.from || f.to ? {from: f.from, to: f.to} : {from: this.periodParams.from, to: this.periodParams.to};
        const params = {status: f.status, category: f.category, ...when};
        const changed = JSON.stringify(params) !== JSON.stringify(this.incidentParams);
        this.incidentParams = params;
        if (changed && this.signedIn) this.refreshIncidents();
    }

    applyIncidentFilter() {
        const m = this.map;
        if (!this.signedIn || !m.getLayer('incidents-point')) return;
        const f = this.incidentFilter;
        const count = ['coalesce', ['get', 'count'], 1];
        const overdueCount = ['coalesce', ['get', 'overdue_count'], 0];
        const cluster = ['>', count, 1];
        const shown = f.overdue === 'true' ? overdueCount : f.overdue === 'false' ? ['-', count, overdueCount] : count;
        const clusterFilter = ['all', cluster, ['>', shown, 0]];
        const pointFilter = ['all', ['!', cluster]];
        if (f.overdue) pointFilter.push(['==', ['get', 'overdue'], f.overdue === 'true']);
        const geom = f.subdistrict && this.unitGeometry.get(Number(f.subdistrict));
        if (geom) {
            clusterFilter.push(['within', geom]);
            pointFilter.push(['within', geom]);
        }
        m.setFilter('incidents-cluster', clusterFilter);
        m.setFilter('incidents-cluster-count', clusterFilter);
        m.setLayoutProperty('incidents-cluster-count', 'text-field', ['to-string', shown]);
        m.setFilter('incidents-point', pointFilter);
        m.setFilter('incidents-heat', geom ? ['within', geom] : null);
    }

    // refreshIncidents reloads the incident tiles after a change made here.
    refreshIncidents() {
        if (!this.signedIn) return;
        for (const l of INCIDENT_SOURCES) this.map.getSource(l)?.setTiles(this.templates[l].map((u) => tileURL(u, this.incidentParams)));
    }

    // refreshPatrols reloads the tracks after a patrol changed here (a void takes it off the map):
    // at once, and again once the server's second has passed — it keeps a drawn tile for up to a
    // second (a change reaches the map within it), so a tile drawn just before the change and asked
    // for again at once comes back as it was.
    refreshPatrols() {
        const reload = () => {
            if (this.patrolTiles) this.map.getSource('patrols')?.setTiles(this.templates.patrols.map((u) => tileURL(u)));
        };
        reload();
        setTimeout(reload, TILE_CACHE_SECOND_MS);
    }

    incidentsAt(point) {
        if (!this.signedIn || !this.map.getLayer('incidents-point')) return [];
        const box = [[point.x - 4, point.y - 4], [point.x + 4, point.y + 4]];
        return this.map.queryRenderedFeatures(box, {layers: ['incidents-point', 'incidents-cluster']});
    }

    click(e) {
        const hits = this.incidentsAt(e.point);
        if (hits.length) {
            const f = hits[0];
            if ((f.properties.count ?? 1) > 1) {
                this.map.easeTo({center: e.lngLat, zoom: Math.min(this.map.getZoom() + 2, 18)});
            } else {
                this.hooks.onIncident(f.properties.id);
            }
            return;
        }
        const track = patrolAt(this.map, e.point);
        if (track && this.hooks.onPatrol) return this.hooks.onPatrol(track, e.lngLat);
        if (this.hooks.onFeatureClick?.(e)) return;
        this.hooks.onLookup(e.lngLat);
    }

    flyToIncident(inc) {
        const src = this.map.getSource('selected-incident');
        src?.setData({type: 'Feature', geometry: {type: 'Point', coordinates: [inc.lon, inc.lat]}, properties: {}});
        this.map.flyTo({center: [inc.lon, inc.lat], zoom: Math.max(this.map.getZoom(), 16.5), duration: 800});
    }

    // collectUnits lists the subdistricts and communities whose labels the tiles have delivered.
    collectUnits() {
        if (this.unitList.length) return;
        const seen = new Map();
        for (const f of this.map.querySourceFeatures('admin', {sourceLayer: 'admin_labels'})) {
            const p = f.properties;
            if (!seen.has(f.id)) seen.set(f.id, {id: f.id, level: p.level, name: p.name});
        }
        if (!seen.size) return;
        this.unitList = [...seen.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
        this.hooks.onUnits?.(this.unitList);
    }

    zoomToUnit(id) {
        let b;
        const geom = this.unitGeometry.get(id);
        if (geom) {
            b = boundsOf(geom.coordinates);
        } else {
            for (const f of this.map.querySourceFeatures('admin', {sourceLayer: 'admin', filter: ['==', ['id'], id]})) {
                b = boundsOf(f.geometry.coordinates, b);
            }
        }
        this.map.setFilter('admin-selected', ['==', ['id'], id]);
        if (b && !b.isEmpty()) this.map.fitBounds(b, {padding: 40, maxZoom: 17, duration: 800});
    }

    // openOn frames the units a caller answers for (a lane chief's communities, a street chief's
    // subdistricts) at once, so the map opens where they work rather than on the whole district.
    openOn(features) {
        const b = new LngLatBounds();
        for (const f of features) if (f?.geometry) boundsOf(f.geometry.coordinates, b);
        if (b.isEmpty()) return;
        if (features.length === 1) this.map.setFilter('admin-selected', ['==', ['id'], features[0].id]);
        this.map.fitBounds(b, {padding: 24, maxZoom: 17, duration: 0});
    }

    // searchAreas finds areas by name: among the tiles loaded, which know who is responsible, and,
    // when signed in, in the whole of the caller's scope through the areas API.
    async searchAreas(q) {
        q = q.trim();
        if (!q) return [];
        const found = new Map();
        const needle = q.toLowerCase();
        for (const f of this.map.querySourceFeatures('areas', {sourceLayer: 'areas'})) {
            const p = f.properties;
            if (!String(p.name).toLowerCase().includes(needle)) continue;
            let r = found.get(f.id);
            if (!r) {
                r = {id: f.id, name: p.name, kind: p.kind, covered: p.covered, responsible: p.responsible, bounds: new LngLatBounds()};
                found.set(f.id, r);
            }
            boundsOf(f.geometry.coordinates, r.bounds);
        }
        if (this.signedIn) {
            try {
                for (const f of await api.areasNamed(q)) {
                    // The API's geometry is whole; a tile's is only the piece inside that tile.
                    const r = found.get(f.id) || {id: f.id, name: f.properties.name, kind: f.properties.kind};
                    r.bounds = boundsOf(f.geometry.coordinates);
                    found.set(f.id, r);
                }
            } catch (e) {
                console.warn('area search: the server did not answer, showing loaded areas only', e); // eslint-disable-line no-console
            }
        }
        return [...found.values()].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')).slice(0, 50);
    }

    // frame fits the map to a unit ('admin') or an area ('areas') and outlines it.
    frame(feature, layer, instant = false) {
        if (!feature?.geometry) return;
        this.map.setFilter('admin-selected', ['==', ['id'], layer === 'admin' ? feature.id : -1]);
        this.map.setFilter('areas-selected', ['==', ['id'], layer === 'areas' ? feature.id : -1]);
        this.map.fitBounds(boundsOf(feature.geometry.coordinates), {padding: 40, maxZoom: 17, duration: instant ? 0 : 600});
    }

    frameDistrict(instant = false) {
        this.map.setFilter('admin-selected', ['==', ['id'], -1]);
        this.map.setFilter('areas-selected', ['==', ['id'], -1]);
        this.map.fitBounds(this.districtBounds, {padding: 24, duration: instant ? 0 : 600});
    }

    showArea(r) {
        this.map.setFilter('areas-selected', ['==', ['id'], r.id]);
        this.map.fitBounds(r.bounds, {padding: 60, maxZoom: 17.5, duration: 800});
    }

    // renderPanel draws the layers, legend, units and search into el.
    renderPanel(el) {
        const toggles = TOGGLES.filter((x) => (!x.signedIn || this.signedIn) && (x.key !== 'patrols' || this.patrolTiles)).map((x) => h('label', {class: 'toggle'},
            h('input', {type: 'checkbox', checked: this.visible[x.key], dataset: {layer: x.key},
                onchange: (e) => this.toggle(x.key, e.target.checked)}),
            ' ', t(`layers.${x.key}`)));
        if (!this.signedIn) toggles.push(h('p', {class: 'hint'}, t('layers.signInFor')));

        const swatch = (color, extra = '') => h('span', {class: `swatch ${extra}`, style: `background:${color}`});
        const ramp = (colors) => h('span', {class: 'ramp', style: `background:linear-gradient(to right,${colors.join(',')})`});
        const legend = h('div', {class: 'legend'},
            h('div', {class: 'legend-kinds'}, Object.entries(KIND_COLORS).map(([k, c]) => h('span', {class: 'legend-item'}, swatch(c), t(`kind.${k}`)))),
            h('div', {class: 'legend-item'}, h('span', {class: 'swatch uncovered', style: `border-color:${UNCOVERED}`}), t('legend.uncovered')),
            h('div', {class: 'legend-item'}, h('span', {class: 'line sub'}), t('level.subdistrict'),
                h('span', {class: 'line com'}), t('level.community')),
            this.signedIn && [
                h('div', {class: 'legend-item'}, h('span', {class: 'dot cluster', style: `background:${CLUSTER_COLORS.plain}`}), t('legend.cluster')),
                h('div', {class: 'legend-item'}, h('span', {class: 'dot cluster', style: `background:${CLUSTER_COLORS.overdue}`}), t('legend.clusterOverdue')),
                h('div', {class: 'legend-kinds', id: 'legend-statuses'}, STATUSES.map((s) =>
                    h('span', {class: 'legend-item'}, h('span', {class: 'dot', style: `background:${STATUS_COLORS[s]}`}), t(`status.${s}`))),
                h('span', {class: 'legend-item'}, h('span', {class: 'dot overdue'}), t('legend.overdue'))),
                h('div', {class: 'legend-item', id: 'legend-heat'}, t('layers.heatIncidents'), ' ', t('legend.heatLow'), ramp(HEAT_RAMP), t('legend.heatHigh')),
                h('p', {class: 'hint legend-note'}, t('legend.heatNote')),
                merchantLegend(),
                this.patrolTiles && patrolLegend(),
            ],
            h('div', {class: 'legend-item'}, t('layers.heatCoverage'), ' ', t('legend.coverageLow'), ramp(COVERAGE_RAMP), t('legend.coverageHigh')),
        );

        const results = h('ul', {class: 'results', id: 'area-results'});
        let searches = 0;
        const runSearch = async (q) => {
            const n = ++searches;
            const found = await this.searchAreas(q);
            if (n !== searches) return; // a later keystroke's answer wins
            if (!q.trim()) return replace(results);
            replace(results,
                h('li', {class: 'hint'}, found.length ? t('search.results', {n: found.length}) : t('search.none', {q})),
                found.map((r) => h('li', {},
                    h('button', {type: 'button', class: 'link', dataset: {area: r.id}, onclick: () => this.showArea(r)},
                        h('span', {class: 'swatch', style: `background:${KIND_COLORS[r.kind] || '#ccc'}`}), r.name),
                    h('span', {class: 'muted'}, ` ${t(`kind.${r.kind}`)}`, r.covered === undefined ? '' : [' · ',
                        r.covered ? r.responsible : h('span', {class: 'bad'}, t('legend.uncovered'))]))));
        };
        const search = h('form', {class: 'search', onsubmit: (e) => {
            e.preventDefault();
            runSearch(e.target.q.value);
        }},
        h('input', {type: 'search', name: 'q', id: 'area-search', placeholder: t('search.placeholder'), 'aria-label': t('search.title'),
            oninput: (e) => runSearch(e.target.value)}));

        const byLevel = (lvl) => this.unitList.filter((u) => u.level === lvl);
        const unitButton = (u) => h('li', {}, h('button', {type: 'button', class: 'link', dataset: {unit: u.id},
            title: t('units.zoom', {name: u.name}), onclick: () => this.zoomToUnit(u.id)}, u.name));
        const units = this.unitList.length ? h('div', {class: 'units'},
            ['subdistrict', 'community'].map((lvl) => h('details', {open: lvl === 'subdistrict'},
                h('summary', {}, `${t(`level.${lvl}`)} (${byLevel(lvl).length})`),
                h('ul', {class: 'unit-list'}, byLevel(lvl).map(unitButton)))))
            : h('p', {class: 'hint'}, t('units.empty'));

        replace(el,
            this.signedIn && this.hooks.periodControl ? h('section', {id: 'map-period'}, this.hooks.periodControl()) : null,
            h('section', {}, h('h2', {}, t('search.title')), search, h('p', {class: 'hint'}, t(this.signedIn ? 'search.hintSignedIn' : 'search.hint')), results),
            h('section', {}, h('h2', {}, t('layers.title')), h('div', {class: 'toggles'}, toggles)),
            h('section', {}, h('h2', {}, t('legend.title')), legend),
            h('section', {}, h('h2', {}, t('units.title')), units));
    }
}
