// The dashboard's wiring: session, tabs (#map, #incidents[/id], #overview, #gaps, #vendors), language, and the panels.
// Anonymous visitors get the map and the lookup; signed-in users also the incidents and overview.
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';

import {api, setCSRF} from './api.js';
import {GAP_ROLES, GapsPanel} from './gaps.js';
import {applyStatic, lang, onLangChange, setLang, t} from './i18n/index.js';
import {IncidentsPanel} from './incidents.js';
import {LookupPopup} from './lookup-popup.js';
import {MapView} from './map.js';
import {OverviewPanel} from './overview.js';
import {SignIn} from './signin.js';
import {VENDOR_ROLES, VendorsPanel} from './vendors.js';

const $ = (sel) => document.querySelector(sel);

const state = {session: {signed_in: false}, tab: 'map', subdistricts: [], overviewStale: true, gapsStale: true, vendorsStale: true};
let mapView;
let lookup;
let incidents;
let overview;
let gaps;
let vendors;
let signIn;
let toastTimer;

function toast(message, bad = false) {
    const el = $('#toast');
    el.textContent = message;
    el.className = bad ? 'bad' : '';
    el.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => (el.hidden = true), 4000);
}

function signedIn() {
    return !!state.session.signed_in;
}

function mayGaps() {
    return signedIn() && GAP_ROLES.includes(state.session.user?.role);
}

function mayVendors() {
    return signedIn() && VENDOR_ROLES.includes(state.session.user?.role);
}

// sheetPadding keeps the map's centre, and what it fits to, in the part a phone's sheet leaves
// uncovered.
function sheetPadding() {
    const phone = matchMedia('(max-width: 600px)').matches;
    mapView.map.setPadding({top: 0, left: 0, right: 0, bottom: phone ? $('#panel').offsetHeight : 0});
}

function showTab(tab) {
    if (!signedIn() && tab !== 'map') tab = 'map';
    if (tab === 'gaps' && !mayGaps()) tab = 'map';
    if (tab === 'vendors' && !mayVendors()) tab = 'map';
    // On a phone the popup would sit over the next tab's sheet.
    if (tab !== state.tab && matchMedia('(max-width: 600px)').matches) lookup.close();
    state.tab = tab;
    for (const b of document.querySelectorAll('#tabs [data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    for (const p of document.querySelectorAll('#panel [data-panel]')) p.hidden = p.dataset.panel !== tab;
    document.body.dataset.tab = tab;
    if (tab === 'overview' && state.overviewStale) {
        state.overviewStale = false;
        overview.load(state.subdistricts, state.session.user?.scope);
    }
    if (tab === 'gaps' && state.gapsStale) {
        state.gapsStale = false;
        gaps.load();
    }
    if (tab === 'vendors' && state.vendorsStale) {
        state.vendorsStale = false;
        vendors.load();
    }
    gaps.show(tab === 'gaps');
    requestAnimationFrame(() => {
        mapView.map.resize();
        sheetPadding();
        overview.resize();
    });
}

// route follows the address's hash, so a reload or a link opens the same view.
function route() {
    const [tab, id] = location.hash.replace(/^#/, '').split('/');
    showTab(tab || 'map');
    if (state.tab === 'incidents' && id && Number(id) > 0 && incidents.detail?.id !== Number(id)) incidents.open(Number(id));
    else if (state.tab === 'incidents' && !id && incidents.detail) incidents.close();
}

function renderUser() {
    const s = state.session;
    $('#user-name').textContent = s.signed_in ? t('user.as', {user: s.user.username, role: t(`role.${s.user.role}`)}) : '';
    $('#signin-open').hidden = !!s.signed_in;
    $('#signout').hidden = !s.signed_in;
    for (const el of document.querySelectorAll('[data-signed-in]')) el.hidden = !s.signed_in;
    for (const el of document.querySelectorAll('[data-gaps]')) el.hidden = !mayGaps();
    for (const el of document.querySelectorAll('[data-vendors]')) el.hidden = !mayVendors();
}

// openWhereTheyWork frames the map on a lane chief's communities or a street chief's subdistricts
// (the session's scope); everyone else keeps the whole district.
async function openWhereTheyWork(user) {
    const scope = user?.scope || {};
    if (scope.all) return;
    sheetPadding();
    if (user.role === 'lane_chief' && scope.communities?.length) {
        mapView.openOn(await Promise.all(scope.communities.map((id) => api.adminUnit(id))));
    } else if (user.role === 'street_chief' && scope.subdistricts?.length) {
        mapView.openOn(state.subdistricts.filter((u) => scope.subdistricts.includes(u.id)));
    }
}

async function applySession(session) {
    state.session = session;
    setCSRF(session.csrf_token);
    renderUser();
    await mapView.setSession(session);
    state.subdistricts = [];
    state.overviewStale = true;
    state.gapsStale = true;
    gaps.clear();
    state.vendorsStale = true;
    vendors.clear();
    incidents.detail = null;
    if (session.signed_in) {
        try {
            state.subdistricts = await api.adminUnits('subdistrict');
            mapView.setUnitGeometry(state.subdistricts);
        } catch (e) {
            toast(t('error.generic', {detail: e.detail}), true);
        }
        await openWhereTheyWork(session.user).catch((e) => toast(t('error.generic', {detail: e.detail}), true));
        await incidents.start(state.subdistricts).catch((e) => toast(t('error.generic', {detail: e.detail}), true));
    }
    mapView.renderPanel($('#panel-map'));
    route();
}

async function main() {
    applyStatic(document);
    state.session = await api.session().catch(() => ({signed_in: false}));
    mapView = new MapView($('#map'), {
        onIncident: (id) => {
            if (signedIn()) location.hash = `#incidents/${id}`;
        },
        onLookup: (lngLat) => lookup.show(lngLat),
        onUnits: () => mapView.renderPanel($('#panel-map')),
    });
    await mapView.start();
    // The browser tests reach the map through this handle (layers, rendered features, idle state).
    window.streetchief = {map: mapView.map, mapView};
    lookup = new LookupPopup(mapView.map);
    incidents = new IncidentsPanel($('#panel-incidents'), {mapView, session: () => state.session, toast});
    overview = new OverviewPanel($('#panel-overview'));
    gaps = new GapsPanel($('#panel-gaps'), mapView.map);
    vendors = new VendorsPanel($('#panel-vendors'));
    signIn = new SignIn($('#signin'), (s) => applySession(s));

    for (const b of document.querySelectorAll('#tabs [data-tab]')) {
        b.addEventListener('click', () => (location.hash = `#${b.dataset.tab}`));
    }
    $('#signin-open').addEventListener('click', () => signIn.open());
    $('#signout').addEventListener('click', () => signIn.signOut().then(() => (location.hash = '#map')));
    $('#lang').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
    onLangChange(() => {
        renderUser();
        mapView.relabel();
        mapView.renderPanel($('#panel-map'));
        lookup.relabel();
        if (signedIn()) {
            incidents.render();
            if (overview.rows) overview.render();
            if (gaps.rows) gaps.render();
            if (vendors.zones) vendors.render();
        }
    });
    window.addEventListener('hashchange', route);
    window.addEventListener('resize', () => {
        overview.resize();
        sheetPadding();
    });
    await applySession(state.session);
    document.body.dataset.ready = 'true';
}

main().catch((e) => {
    console.error(e); // eslint-disable-line no-console
    toast(t('error.generic', {detail: e.message}), true);
});
