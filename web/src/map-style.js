// The map's look: the city's own vector tiles are the whole basemap (no outside basemap, no glyph
// server — MapLibre draws label glyphs from the browser's local fonts when the style names no glyphs
// URL). Field names follow internal/maptiles/catalog.go; admin units and areas carry their id as
// the vector tile feature id (["id"], feature.id), not as a property.
import {MERCHANT_TOGGLE} from './merchants.js';
import {PATROL_TOGGLE} from './patrols-layer.js';
import {SERVICE_POINT_TOGGLE} from './service-points-layer.js';

export const KIND_COLORS = {
    main_road: '#9e9e9e',
    secondary_road: '#bdbdbd',
    back_lane: '#d7ccc8',
    residential_compound: '#ffe082',
    farmers_market: '#ff8a65',
    night_market: '#ba68c8',
    commercial_street: '#4fc3f7',
    park: '#81c784',
    square: '#f0f4c3',
    river: '#64b5f6',
};

export const STATUS_COLORS = {
    reported: '#1976d2',
    assigned: '#0097a7',
    in_progress: '#f9a825',
    escalated: '#e65100',
    joint_enforcement: '#6a1b9a',
    resolved: '#2e7d32',
    closed: '#616161',
    reopened: '#c2185b',
    rejected: '#9e9e9e',
    duplicate: '#9e9e9e',
};

// A cluster is orange when any incident in it is overdue (the legend explains both).
export const CLUSTER_COLORS = {plain: '#1e88e5', overdue: '#ef6c00'};

export const UNCOVERED = '#d32f2f';
export const HEAT_RAMP = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'];
// The heatmap's density at each colour of HEAT_RAMP (below the first it fades out).
const HEAT_STOPS = [0.1, 0.3, 0.5, 0.75, 1];
export const COVERAGE_RAMP = ['#d73027', '#fee08b', '#1a9850'];

// Label glyphs are drawn locally; a CJK face first so Chinese names look the same everywhere.
const FONT = ['Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'sans-serif'];

const kindColor = ['match', ['get', 'kind'], ...Object.entries(KIND_COLORS).flat(), '#cccccc'];
const isCluster = ['>', ['coalesce', ['get', 'count'], 1], 1];
// An incident weighs 1 and an overdue one 2, as in the server's heat grid; a cluster the sum.
const heatWeight = ['+', ['coalesce', ['get', 'count'], 1],
    ['coalesce', ['get', 'overdue_count'], ['case', ['==', ['get', 'overdue'], true], 1, 0]]];

// baseStyle is the public part of the map: boundaries, areas, coverage and labels, with extraLayers
// (each on one of sources) drawn above the areas and under the labels.
export function baseStyle(sources, extraLayers = []) {
    return {
        version: 8,
        sources,
        layers: [...groundLayers(), ...extraLayers, ...labelLayers()],
    };
}

function groundLayers() {
    return [
        {id: 'background', type: 'background', paint: {'background-color': '#f4f1ea'}},
        {id: 'admin-subdistrict-fill', type: 'fill', source: 'admin', 'source-layer': 'admin',
            filter: ['==', ['get', 'level'], 'subdistrict'],
            // No outline pass: its outline is transparent, and each pass is a redraw of every polygon.
        paint: {'fill-color': '#fbfaf6', 'fill-antialias': false}},
        {id: 'coverage-heat', type: 'fill', source: 'heat_coverage', 'source-layer': 'heat_coverage',
            layout: {visibility: 'none'},
            filter: ['>', ['coalesce', ['get', 'territory_share'], 1], 0],
            paint: {'fill-color': ['interpolate', ['linear'], ['get', 'share'], 0, COVERAGE_RAMP[0], 0.5, COVERAGE_RAMP[1], 1, COVERAGE_RAMP[2]],
                'fill-opacity': 0.5, 'fill-antialias': false}},
        {id: 'areas-fill', type: 'fill', source: 'areas', 'source-layer': 'areas',
            paint: {'fill-color': kindColor, 'fill-opacity': 0.75}},
        {id: 'areas-line', type: 'line', source: 'areas', 'source-layer': 'areas', minzoom: 14,
            paint: {'line-color': 'rgba(60,60,60,0.35)', 'line-width': 0.6}},
        {id: 'areas-uncovered', type: 'fill', source: 'areas', 'source-layer': 'areas',
            filter: ['==', ['get', 'covered'], false],
            paint: {'fill-color': UNCOVERED, 'fill-opacity': 0.35}},
        {id: 'areas-uncovered-line', type: 'line', source: 'areas', 'source-layer': 'areas',
            filter: ['==', ['get', 'covered'], false],
            paint: {'line-color': UNCOVERED, 'line-width': 1.6, 'line-dasharray': [2, 1]}},
        {id: 'areas-selected', type: 'line', source: 'areas', 'source-layer': 'areas',
            filter: ['==', ['id'], -1],
            paint: {'line-color': '#0d47a1', 'line-width': 3.5}},
        {id: 'admin-community-line', type: 'line', source: 'admin', 'source-layer': 'admin',
            filter: ['==', ['get', 'level'], 'community'],
            paint: {'line-color': '#7e57c2', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.6, 16, 1.6],
                'line-dasharray': [3, 2], 'line-opacity': 0.8}},
        {id: 'admin-subdistrict-line', type: 'line', source: 'admin', 'source-layer': 'admin',
            filter: ['==', ['get', 'level'], 'subdistrict'],
            paint: {'line-color': '#4527a0', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 1.5, 16, 3.5]}},
        {id: 'admin-selected', type: 'line', source: 'admin', 'source-layer': 'admin',
            filter: ['==', ['id'], -1],
            paint: {'line-color': '#0d47a1', 'line-width': 4, 'line-opacity': 0.8}},
    ];
}

function labelLayers() {
    return [
        {id: 'labels-community', type: 'symbol', source: 'admin', 'source-layer': 'admin_labels', minzoom: 12.5,
            filter: ['==', ['get', 'level'], 'community'],
            layout: {'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 12, 'text-padding': 4},
            paint: {'text-color': '#4a3a8a', 'text-halo-color': '#ffffff', 'text-halo-width': 1.5}},
        {id: 'labels-subdistrict', type: 'symbol', source: 'admin', 'source-layer': 'admin_labels',
            filter: ['==', ['get', 'level'], 'subdistrict'],
            layout: {'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': ['interpolate', ['linear'], ['zoom'], 10, 13, 15, 18],
                'text-allow-overlap': false, 'symbol-sort-key': 0},
            paint: {'text-color': '#311b92', 'text-halo-color': '#ffffff', 'text-halo-width': 2}},
    ];
}

// incidentLayers are the signed-in layers, added below the labels.
export function incidentLayers() {
    return [
        // A smooth density over the incident points themselves (a cluster weighs its count), so the
        // heatmap needs no tiles of its own and always shows what the markers show.
        {id: 'incidents-heat', type: 'heatmap', source: 'incidents', 'source-layer': 'incidents',
            layout: {visibility: 'none'},
            paint: {'heatmap-weight': ['interpolate', ['linear'], heatWeight, 0, 0, 1, 0.6, 10, 2.5, 100, 8, 1000, 20],
                'heatmap-intensity': ['interpolate', ['linear'], ['zoom'], 8, 1, 14, 2, 18, 3],
                'heatmap-radius': ['interpolate', ['exponential', 1.5], ['zoom'], 8, 8, 12, 24, 14, 44, 18, 100],
                'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'], 0, 'rgba(255,255,178,0)',
                    ...HEAT_STOPS.flatMap((d, i) => [d, HEAT_RAMP[i]])],
                'heatmap-opacity': 0.8}},
        {id: 'incidents-cluster', type: 'circle', source: 'incidents', 'source-layer': 'incidents',
            filter: isCluster,
            paint: {'circle-color': ['case', ['>', ['coalesce', ['get', 'overdue_count'], 0], 0], CLUSTER_COLORS.overdue, CLUSTER_COLORS.plain],
                'circle-opacity': 0.85, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5,
                'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 9, 5, 16, 15, 28]}},
        {id: 'incidents-cluster-count', type: 'symbol', source: 'incidents', 'source-layer': 'incidents',
            filter: isCluster,
            layout: {'text-field': ['to-string', ['get', 'count']], 'text-font': FONT, 'text-size': 11, 'text-allow-overlap': true},
            paint: {'text-color': '#ffffff'}},
        {id: 'incidents-point', type: 'circle', source: 'incidents', 'source-layer': 'incidents',
            filter: ['!', isCluster],
            paint: {'circle-color': ['match', ['get', 'status'], ...Object.entries(STATUS_COLORS).flat(), '#1e88e5'],
                'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 4, 17, 8],
                'circle-stroke-color': ['case', ['==', ['get', 'overdue'], true], '#d50000', '#ffffff'],
                'circle-stroke-width': ['case', ['==', ['get', 'overdue'], true], 2.5, 1]}},
        {id: 'incident-selected', type: 'circle', source: 'selected-incident',
            paint: {'circle-radius': 13, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#0d47a1', 'circle-stroke-width': 3}},
    ];
}

// Which layers each toggle of the layers panel shows and hides.
export const TOGGLES = [
    {key: 'admin', layers: ['admin-community-line', 'admin-subdistrict-line'], on: true},
    {key: 'labels', layers: ['labels-community', 'labels-subdistrict'], on: true},
    {key: 'areas', layers: ['areas-fill', 'areas-line'], on: true},
    {key: 'uncovered', layers: ['areas-uncovered', 'areas-uncovered-line'], on: true},
    {key: 'heatCoverage', layers: ['coverage-heat'], on: false},
    {key: 'incidents', layers: ['incidents-cluster', 'incidents-cluster-count', 'incidents-point'], on: true, signedIn: true},
    {key: 'heatIncidents', layers: ['incidents-heat'], on: false, signedIn: true},
    MERCHANT_TOGGLE,
    PATROL_TOGGLE,
    SERVICE_POINT_TOGGLE,
];
