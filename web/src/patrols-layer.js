// The patrols on the map (signed-in callers, their scope): the patrols tile layer's tracks, credible
// ones green and suspect ones red and dashed, its toggle and legend; and the one patrol opened in
// the Patrols tab, its track and the records made along it, drawn from its GeoJSON.
import {LngLatBounds} from 'maplibre-gl';

import {h} from './dom.js';
import {t} from './i18n/index.js';

export const PATROL_COLORS = {credible: '#2e7d32', suspect: '#d50000'};
// A record made along an opened patrol, by kind (the legend of the opened track names them).
export const EVENT_COLORS = {inspection: '#1e88e5', sighting: '#8e24aa', incident: '#ef6c00'};

export const PATROL_TOGGLE = {key: 'patrols', layers: ['patrols-line', 'patrols-suspect'], on: false, signedIn: true};

const suspect = ['==', ['get', 'suspect'], true];

export function patrolLayers() {
    const width = ['interpolate', ['linear'], ['zoom'], 12, 1.2, 17, 3.5];
    return [
        {id: 'patrols-line', type: 'line', source: 'patrols', 'source-layer': 'patrols', filter: ['!', suspect],
            layout: {'line-cap': 'round', 'line-join': 'round'},
            paint: {'line-color': PATROL_COLORS.credible, 'line-width': width, 'line-opacity': 0.8}},
        // Drawn over the credible ones, so a fake among many honest tracks still shows.
        {id: 'patrols-suspect', type: 'line', source: 'patrols', 'source-layer': 'patrols', filter: suspect,
            layout: {'line-join': 'round'},
            paint: {'line-color': PATROL_COLORS.suspect, 'line-width': width, 'line-opacity': 0.9, 'line-dasharray': [2, 1]}},
    ];
}

// addPatrolLayers puts the tracks of a tile source ({src, templates}) under the labels, shown as the
// toggle says, and answers the source's tile templates (to reload it by).
export function addPatrolLayers(map, {src, templates}, visible) {
    map.addSource('patrols', src);
    for (const l of patrolLayers()) {
        l.layout = {...l.layout, visibility: visible ? 'visible' : 'none'};
        map.addLayer(l, 'labels-community');
    }
    return templates;
}

export function removePatrolLayers(map) {
    for (const l of patrolLayers()) if (map.getLayer(l.id)) map.removeLayer(l.id);
    if (map.getSource('patrols')) map.removeSource('patrols');
}

export function patrolLegend() {
    return h('div', {class: 'legend-kinds', id: 'legend-patrols'}, h('span', {class: 'legend-item'}, h('strong', {}, t('layers.patrols'))),
        Object.entries(PATROL_COLORS).map(([k, c]) => h('span', {class: 'legend-item'},
            h('span', {class: `line patrol-${k}`, style: `border-top-color:${c}`}), t(`patrols.legend.${k}`))));
}

// patrolAt is the id of the patrol whose track is drawn under a point (a suspect one first, as it
// is drawn on top), or '' where there is none or the layer is not on the map.
export function patrolAt(map, point) {
    const layers = PATROL_TOGGLE.layers.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') === 'visible');
    if (!layers.length) return '';
    const box = [[point.x - 4, point.y - 4], [point.x + 4, point.y + 4]];
    const hits = map.queryRenderedFeatures(box, {layers: [...layers].reverse()});
    return hits.length ? String(hits[0].properties.id || '') : '';
}

const OPENED = ['patrol-opened-line', 'patrol-opened-events'];

// showPatrol draws an opened patrol's track and its records and fits the map to them.
export function showPatrol(map, feature) {
    hidePatrol(map);
    if (!map.isStyleLoaded?.()) return;
    const events = (feature.properties?.events || []).filter((e) => Number.isFinite(e.lon) && Number.isFinite(e.lat));
    const data = {type: 'FeatureCollection', features: [
        ...(feature.geometry ? [{type: 'Feature', geometry: feature.geometry, properties: {suspect: !!feature.properties?.suspect}}] : []),
        ...events.map((e) => ({type: 'Feature', geometry: {type: 'Point', coordinates: [e.lon, e.lat]}, properties: {kind: e.kind, id: e.id}})),
    ]};
    map.addSource('patrol-opened', {type: 'geojson', data});
    map.addLayer({id: 'patrol-opened-line', type: 'line', source: 'patrol-opened', filter: ['==', ['geometry-type'], 'LineString'],
        layout: {'line-cap': 'round', 'line-join': 'round'},
        paint: {'line-color': ['case', suspect, PATROL_COLORS.suspect, '#0d47a1'], 'line-width': 4, 'line-opacity': 0.9}});
    map.addLayer({id: 'patrol-opened-events', type: 'circle', source: 'patrol-opened', filter: ['==', ['geometry-type'], 'Point'],
        paint: {'circle-color': ['match', ['get', 'kind'], ...Object.entries(EVENT_COLORS).flat(), '#616161'],
            'circle-radius': 7, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2}});
    const b = new LngLatBounds();
    for (const f of data.features) {
        const c = f.geometry.coordinates;
        if (typeof c[0] === 'number') b.extend(c);
        else for (const p of c) b.extend(p);
    }
    if (!b.isEmpty()) map.fitBounds(b, {padding: 60, maxZoom: 17.5, duration: 0});
}

export function hidePatrol(map) {
    for (const id of OPENED) if (map.getLayer(id)) map.removeLayer(id);
    if (map.getSource('patrol-opened')) map.removeSource('patrol-opened');
}
