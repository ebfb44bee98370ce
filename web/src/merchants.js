// The 门前三包 shops on the map (signed-in callers, their scope): the merchants tile layer coloured by
// state, clustered when zoomed out; its toggle and legend; and the shop a click lands on or near,
// with its inspector and pledge, for the lookup popup (GET /api/v1/merchants?near=…).
import {api} from './api.js';
import {h} from './dom.js';
import {t} from './i18n/index.js';

// A shop's colour by state, the gaps loudest; the tiles name the state (the gaps win over the rest).
export const MERCHANT_COLORS = {pledged: '#43a047', inspected_today: '#1e88e5', no_pledge: '#fb8c00', no_inspector: '#d81b60', repeat_offender: '#4a148c'};

// How far from a click a shop or its frontage counts as clicked on.
const NEAR_M = 15;

export const MERCHANT_TOGGLE = {key: 'merchants', layers: ['merchants-cluster', 'merchants-cluster-count', 'merchants-point'], on: true, signedIn: true};

const isCluster = ['>', ['coalesce', ['get', 'count'], 1], 1];
const FONT = ['Noto Sans Regular'];

// merchantLayers are drawn from the merchants source; a cluster takes the colour of its worst gap.
export function merchantLayers() {
    const gapCount = (k) => ['coalesce', ['get', `${k}_count`], 0];
    return [
        {id: 'merchants-cluster', type: 'circle', source: 'merchants', 'source-layer': 'merchants', filter: isCluster,
            paint: {'circle-color': ['case', ['>', gapCount('repeat_offender'), 0], MERCHANT_COLORS.repeat_offender,
                ['>', gapCount('no_inspector'), 0], MERCHANT_COLORS.no_inspector,
                ['>', gapCount('no_pledge'), 0], MERCHANT_COLORS.no_pledge, MERCHANT_COLORS.pledged],
            'circle-opacity': 0.75, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1,
            'circle-radius': ['interpolate', ['linear'], ['sqrt', ['get', 'count']], 1, 7, 5, 12, 20, 22]}},
        {id: 'merchants-cluster-count', type: 'symbol', source: 'merchants', 'source-layer': 'merchants', filter: isCluster,
            layout: {'text-field': ['to-string', ['get', 'count']], 'text-font': FONT, 'text-size': 10, 'text-allow-overlap': true},
            paint: {'text-color': '#ffffff'}},
        {id: 'merchants-point', type: 'circle', source: 'merchants', 'source-layer': 'merchants', filter: ['!', isCluster],
            paint: {'circle-color': ['match', ['get', 'state'], ...Object.entries(MERCHANT_COLORS).flat(), '#757575'],
                'circle-radius': ['interpolate', ['linear'], ['zoom'], 12, 2.5, 17, 6],
                'circle-stroke-color': '#ffffff', 'circle-stroke-width': 0.8}},
    ];
}

// addMerchantLayers puts the shops under the labels, shown as the toggle says.
export async function addMerchantLayers(map, source, visible) {
    map.addSource('merchants', source);
    for (const l of merchantLayers()) {
        l.layout = {...l.layout, visibility: visible ? 'visible' : 'none'};
        map.addLayer(l, 'labels-community');
    }
}

export function removeMerchantLayers(map) {
    for (const l of merchantLayers()) if (map.getLayer(l.id)) map.removeLayer(l.id);
    if (map.getSource('merchants')) map.removeSource('merchants');
}

// merchantLegend is the shops' entry in the legend.
export function merchantLegend() {
    return h('div', {class: 'legend-kinds', id: 'legend-merchants'}, h('span', {class: 'legend-item'}, h('strong', {}, t('layers.merchants'))),
        Object.entries(MERCHANT_COLORS).map(([k, c]) =>
            h('span', {class: 'legend-item'}, h('span', {class: 'dot', style: `background:${c}`}), t(`merchant.state.${k}`))));
}

// shopsNear asks for the shops at a click, nearest first; nothing for the public or on failure.
export async function shopsNear(lon, lat) {
    try {
        const fc = await api.merchantsNear(lon, lat, NEAR_M);
        return fc.features || [];
    } catch {
        return [];
    }
}

// shopView is a shop in the lookup popup: its name, who checks it and whether its pledge is in force.
export function shopView(shops) {
    if (!shops.length) return null;
    return h('div', {class: 'lookup-shops', id: 'lookup-shops'}, h('h4', {}, t('merchant.title')),
        h('ul', {class: 'lookup-areas'}, shops.slice(0, 3).map((f) => {
            const p = f.properties;
            return h('li', {dataset: {merchant: f.id}},
                h('div', {}, h('strong', {}, p.name), p.business_type && h('span', {class: 'muted'}, ` ${p.business_type}`)),
                h('div', {}, `${t('merchant.inspector')}${t('colon')}`,
                    p.inspector ? h('strong', {}, p.inspector) : h('span', {class: 'bad'}, t('merchant.noInspector'))),
                h('div', {}, `${t('merchant.pledge')}${t('colon')}`,
                    p.pledged ? h('span', {}, t('merchant.pledged')) : h('span', {class: 'bad'}, t('merchant.noPledge'))));
        })));
}
