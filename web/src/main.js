// The dashboard's wiring: session, tabs (#map, #report, #incidents[/id], #overview, #gaps, #coverage, #vendors,
// #operations[/id], #tasks[/id], #patrols[/id], #duties[/id], #volunteers, #cadres, #funds, #assessment,
// #inbox, #partners, #points, and #track=<number> from a receipt), language, and the panels. The
// period and the unit the overview looks at are in the query (period.js), the tab in the hash.
// Anonymous visitors get the map, the lookup, the report form, the service points and the tracking of
// a report; signed-in users also the incidents and overview.
import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';

import {api, setCSRF} from './api.js';
import {replace} from './dom.js';
import {GAP_ROLES, GapsPanel} from './gaps.js';
import {applyStatic, lang, onLangChange, setLang, t} from './i18n/index.js';
import {IncidentsPanel} from './incidents.js';
import {COVERAGE_ROLES, CoveragePanel} from './merchant-coverage.js';
import {LookupPopup} from './lookup-popup.js';
import {MapView} from './map.js';
import {OperationsPanel, OPERATION_ROLES} from './operations.js';
import {TASK_ROLES, TasksPanel} from './tasks.js';
import {OverviewPanel} from './overview.js';
import {ReportPanel} from './report.js';
import {periodPicker} from './period-picker.js';
import {readQuery, tileParams, writeQuery} from './period.js';
import {SignIn} from './signin.js';
import {PostsMatrixPanel} from './posts-matrix.js';
import {VENDOR_ROLES, VendorsPanel} from './vendors.js';
import {CADRE_ROLES, CadresPanel} from './cadres.js';
import {FUNDS_ROLES, FundsPanel} from './funds.js';
import {ASSESSMENT_ROLES, AssessmentPanel} from './assessment.js';
import {TrackPanel} from './track.js';
import {PATROL_ROLES, PatrolsPanel} from './patrols.js';
import {VOLUNTEER_ROLES, VolunteersPanel} from './volunteers.js';
import {DUTY_ROLES, DutiesPanel} from './duties.js';
import {reasonText} from './patrols-proof.js';
import {InboxPanel} from './inbox.js';
import {PARTNER_ROLES, PartnersPanel} from './partners.js';
import {ServicePointsPanel} from './service-points.js';
import {ServicePointPopup, servicePointAt, servicePointStyle} from './service-points-layer.js';

const $ = (sel) => document.querySelector(sel);

const state = {session: {signed_in: false}, tab: 'map', subdistricts: [], overviewStale: true, gapsStale: true, coverageStale: true, vendorsStale: true, view: readQuery()};
let mapView;
let lookup;
let incidents;
let overview;
let gaps;
let report;
let track;
let coverage;
let vendors;
let cadres;
let fundsPanel;
let assessment;
let inbox;
let operations;
let tasksPanel;
let patrols;
let volunteersPanel;
let posts; // 定岗定人
let partners; // 物业
let duties; // 履职
let servicePoints; // 便民服务点: the panel, the map's popup and the kinds
let pointPopup;
let pointTypes = [];
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

function mayCoverage() {
    return signedIn() && COVERAGE_ROLES.includes(state.session.user?.role);
}

function mayOperations() {
    return signedIn() && OPERATION_ROLES.includes(state.session.user?.role);
}

function mayTasks() {
    return signedIn() && TASK_ROLES.includes(state.session.user?.role);
}

function mayVendors() {
    return signedIn() && VENDOR_ROLES.includes(state.session.user?.role);
}

function mayCadres() {
    return signedIn() && CADRE_ROLES.includes(state.session.user?.role);
}

function mayAssessment() {
    return signedIn() && ASSESSMENT_ROLES.includes(state.session.user?.role);
}

function mayPatrols() {
    return signedIn() && PATROL_ROLES.includes(state.session.user?.role);
}

function mayVolunteers() {
    return signedIn() && VOLUNTEER_ROLES.includes(state.session.user?.role);
}

function mayPartners() {
    return signedIn() && PARTNER_ROLES.includes(state.session.user?.role);
}

function mayDuties() {
    return signedIn() && DUTY_ROLES.includes(state.session.user?.role);
}

function mayFunds() {
    return signedIn() && FUNDS_ROLES.includes(state.session.user?.role);
}

// sheetPadding keeps the map's centre, and what it fits to, in the part a phone's sheet leaves
// uncovered.
function sheetPadding() {
    const phone = matchMedia('(max-width: 600px)').matches;
    const bottom = phone ? $('#panel').offsetHeight : 0;
    // Setting the same padding again would still move the map, and redraw it.
    if (mapView.map.getPadding().bottom !== bottom) mapView.map.setPadding({top: 0, left: 0, right: 0, bottom});
}

// isStaff: a signed-in official. A participant (a deputy or party member with their own account)
// answers for no territory, so the cases, the overview and the posts would show them nothing.
function isStaff() {
    return signedIn() && state.session.user?.role !== 'participant';
}

function showTab(tab) {
    if (!signedIn() && !['map', 'report', 'track', 'points'].includes(tab)) tab = 'map';
    if (signedIn() && !isStaff() && ['incidents', 'overview', 'posts'].includes(tab)) tab = 'duties';
    if (tab === 'gaps' && !mayGaps()) tab = 'map';
    if (tab === 'coverage' && !mayCoverage()) tab = 'map';
    if (tab === 'vendors' && !mayVendors()) tab = 'map';
    if (tab === 'cadres' && !mayCadres()) tab = 'map';
    if (tab === 'funds' && !mayFunds()) tab = 'map';
    if (tab === 'assessment' && !mayAssessment()) tab = 'map';
    if (tab === 'inbox' && !state.session.user?.person_id) tab = 'map';
    if (tab === 'operations' && !mayOperations()) tab = 'map';
    if (tab === 'tasks' && !mayTasks()) tab = 'map';
    if (tab === 'patrols' && !mayPatrols()) tab = 'map';
    if (tab === 'volunteers' && !mayVolunteers()) tab = 'map';
    if (tab === 'partners' && !mayPartners()) tab = 'map';
    if (tab === 'duties' && !mayDuties()) tab = 'map';
    // On a phone the popup would sit over the next tab's sheet.
    if (tab !== state.tab && matchMedia('(max-width: 600px)').matches) lookup.close();
    state.tab = tab;
    for (const b of document.querySelectorAll('#tabs [data-tab]')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    for (const p of document.querySelectorAll('#panel [data-panel]')) p.hidden = p.dataset.panel !== tab;
    document.body.dataset.tab = tab;
    if (tab === 'overview' && state.overviewStale) {
        state.overviewStale = false;
        overview.load();
    }
    if (tab === 'gaps' && state.gapsStale) {
        state.gapsStale = false;
        gaps.load();
    }
    if (tab === 'cadres' && cadres.stale) {
        cadres.stale = false;
        cadres.load();
    }
    if (tab === 'assessment' && assessment.stale) {
        assessment.stale = false;
        assessment.load();
    }
    assessment.show(tab === 'assessment');
    if (tab === 'funds' && fundsPanel.stale) {
        fundsPanel.stale = false;
        fundsPanel.load();
    }
    if (tab === 'volunteers' && volunteersPanel.stale) {
        volunteersPanel.stale = false;
        volunteersPanel.load();
    }
    volunteersPanel.show(tab === 'volunteers');
    if (tab === 'inbox') inbox.load();
    if (tab === 'vendors' && state.vendorsStale) {
        state.vendorsStale = false;
        vendors.load();
    }
    if (tab === 'posts' && !posts.matrix) posts.load();
    if (tab === 'partners' && partners.stale) {
        partners.stale = false;
        partners.load();
    }
    if (tab === 'points') {
        // Looking at the service points shows them on the map.
        if (!mapView.visible.servicePoints) {
            mapView.toggle('servicePoints', true);
            mapView.renderPanel($('#panel-map'));
        }
        if (servicePoints.stale) servicePoints.load();
    }
    gaps.show(tab === 'gaps');
    report.show(tab === 'report');
    track.show(tab === 'track');
    if (tab === 'coverage' && state.coverageStale) {
        state.coverageStale = false;
        coverage.load();
    }
    requestAnimationFrame(() => {
        mapView.fitContainer();
        sheetPadding();
        overview.resize();
    });
}

// route follows the address's hash, so a reload or a link opens the same view.
function route() {
    const hash = location.hash.replace(/^#/, '');
    if (hash.startsWith('track=')) {
        const q = new URLSearchParams(hash);
        showTab('track');
        track.open(q.get('track') || '', q.get('token') || '');
        return;
    }
    const [tab, id] = hash.split('/');
    showTab(tab || 'map');
    if (state.tab === 'operations') {
        if (id && Number(id) > 0) operations.open(Number(id));
        else if (operations.detail || operations.form || !operations.calendar) {
            operations.clear();
            operations.load();
        }
    }
    if (state.tab === 'tasks') {
        if (id && Number(id) > 0) tasksPanel.open(Number(id));
        else {
            tasksPanel.clear();
            tasksPanel.load();
        }
    } else tasksPanel.hideOnMap();
    if (state.tab === 'patrols') patrols.route(id);
    else patrols.hideOnMap();
    if (state.tab === 'duties') duties.route(id);
    else duties.hideOnMap();
    if (state.tab === 'incidents' && id && Number(id) > 0 && incidents.detail?.id !== Number(id)) incidents.open(Number(id));
    else if (state.tab === 'incidents' && !id && incidents.detail) incidents.close();
}

function renderUser() {
    const s = state.session;
    $('#user-name').textContent = s.signed_in ? t('user.as', {user: s.user.username, role: t(`role.${s.user.role}`)}) : '';
    $('#signin-open').hidden = !!s.signed_in;
    $('#signout').hidden = !s.signed_in;
    for (const el of document.querySelectorAll('[data-staff]')) el.hidden = !isStaff();
    for (const el of document.querySelectorAll('[data-gaps]')) el.hidden = !mayGaps();
    for (const el of document.querySelectorAll('[data-coverage]')) el.hidden = !mayCoverage();
    for (const el of document.querySelectorAll('[data-vendors]')) el.hidden = !mayVendors();
    for (const el of document.querySelectorAll('[data-cadres]')) el.hidden = !mayCadres();
    for (const el of document.querySelectorAll('[data-funds]')) el.hidden = !mayFunds();
    for (const el of document.querySelectorAll('[data-assessment]')) el.hidden = !mayAssessment();
    for (const el of document.querySelectorAll('[data-operations]')) el.hidden = !mayOperations();
    for (const el of document.querySelectorAll('[data-tasks]')) el.hidden = !mayTasks();
    for (const el of document.querySelectorAll('[data-patrols]')) el.hidden = !mayPatrols();
    for (const el of document.querySelectorAll('[data-volunteers]')) el.hidden = !mayVolunteers();
    for (const el of document.querySelectorAll('[data-partners]')) el.hidden = !mayPartners();
    for (const el of document.querySelectorAll('[data-duties]')) el.hidden = !mayDuties();
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

// setView follows the period or unit the overview (or the map's picker) moved to.
function setView(view) {
    state.view = view;
    writeQuery(view);
    mapView.setPeriod(tileParams(view.period));
    renderMapPeriod();
}

function mapPeriodPicker() {
    return periodPicker(state.view.period, (period) => {
        overview.view = {...overview.view, period};
        state.overviewStale = true;
        setView(overview.view);
    }, 'map-period');
}

function renderMapPeriod() {
    const el = $('#map-period');
    if (el) replace(el, mapPeriodPicker());
}

// applySession frames the map and sets the incident filters before the incident layers are added,
// so each incident tile of the view is fetched once, with the filters it is drawn with.
async function applySession(session) {
    state.session = session;
    setCSRF(session.csrf_token);
    renderUser();
    state.subdistricts = [];
    state.overviewStale = true;
    state.gapsStale = true;
    state.coverageStale = true;
    gaps.clear();
    state.vendorsStale = true;
    vendors.clear();
    cadres.clear();
    fundsPanel.clear();
    assessment.clear();
    inbox.start(session);
    operations.clear();
    posts.clear();
    partners.clear();
    patrols.clear();
    volunteersPanel.clear();
    duties.clear();
    servicePoints.clear();
    pointPopup.close();
    incidents.detail = null;
    if (session.signed_in) {
        try {
            state.subdistricts = await api.adminUnits('subdistrict');
            mapView.setUnitGeometry(state.subdistricts);
        } catch (e) {
            toast(t('error.generic', {detail: e.detail}), true);
        }
        const asked = Object.keys(state.view.unit).length > 0;
        overview.start(session, state.subdistricts, state.view);
        setView(overview.view);
        incidents.syncMap();
        const framed = asked ? overview.frame(true) : openWhereTheyWork(session.user);
        await framed.catch((e) => toast(t('error.generic', {detail: e.detail}), true));
    }
    await mapView.setSession(session);
    if (session.signed_in) {
        await incidents.start(state.subdistricts).catch((e) => toast(t('error.generic', {detail: e.detail}), true));
    }
    mapView.renderPanel($('#panel-map'));
    report.render();
    route();
}

async function main() {
    applyStatic(document);
    state.session = await api.session().catch(() => ({signed_in: false}));
    mapView = new MapView($('#map'), {
        onIncident: (id) => {
            if (signedIn()) location.hash = `#incidents/${id}`;
        },
        // A track of the patrols layer opens its patrol in the patrols tab (the report form still
        // takes the click for its pin).
        onPatrol: (id, lngLat) => {
            if (state.tab === 'report') report.setPoint(lngLat.lng, lngLat.lat);
            else if (mayPatrols()) location.hash = `#patrols/${id}`;
        },
        // A click on the map places the pin of a form waiting for one, else asks who is responsible.
        onLookup: (lngLat) => {
            if (state.tab === 'report') report.setPoint(lngLat.lng, lngLat.lat);
            else if (state.tab === 'volunteers' && volunteersPanel.picking) volunteersPanel.setPoint(lngLat.lng, lngLat.lat);
            else if (state.tab === 'duties' && duties.wantsPoint()) duties.setPoint(lngLat.lng, lngLat.lat);
            else lookup.show(lngLat);
        },
        // A service point's dot opens its popup (the report form still takes the click for its pin).
        onFeatureClick: (e) => {
            const id = state.tab === 'report' ? 0 : servicePointAt(mapView.map, e.point);
            if (id) pointPopup.show(id, e.lngLat);
            return id > 0;
        },
        onUnits: () => mapView.renderPanel($('#panel-map')),
        periodControl: mapPeriodPicker,
    });
    // The service points' kinds and TileJSON are fetched while the map starts, and their layer is in
    // its first style.
    const pointTypesFetch = api.servicePointTypes().catch(() => []);
    const pointTiles = api.tileJSON('service_points').catch((e) => {
        console.warn('service points layer: not served', e); // eslint-disable-line no-console
        return null;
    });
    await mapView.start(Promise.all([pointTypesFetch, pointTiles]).then(([types, tj]) =>
        servicePointStyle(types, tj, mapView.visible.servicePoints)));
    // The browser tests reach the map through this handle (layers, rendered features, idle state).
    window.streetchief = {map: mapView.map, mapView, overview: () => overview, reasonText};
    pointTypes = await pointTypesFetch;
    pointPopup = new ServicePointPopup(mapView.map, () => pointTypes);
    servicePoints = new ServicePointsPanel($('#panel-points'), {mayGaps});
    lookup = new LookupPopup(mapView.map, signedIn, mayPartners);
    incidents = new IncidentsPanel($('#panel-incidents'), {mapView, session: () => state.session, toast});
    overview = new OverviewPanel($('#panel-overview'), {
        onView: setView,
        frame: (f, layer, instant) => mapView.frame(f, layer, instant),
        frameDistrict: (instant) => mapView.frameDistrict(instant),
    });
    gaps = new GapsPanel($('#panel-gaps'), mapView.map);
    report = new ReportPanel($('#panel-report'), {map: mapView.map, session: () => state.session, toast, onReported: () => {
        // Staff who report see the new case in their list and on their map at once.
        if (!signedIn()) return;
        state.overviewStale = true;
        mapView.refreshIncidents();
        incidents.load().catch((e) => toast(t('error.generic', {detail: e.detail}), true));
    }});
    track = new TrackPanel($('#panel-track'), {map: mapView.map, toast, categories: () => report.categories});
    coverage = new CoveragePanel($('#panel-coverage'));
    vendors = new VendorsPanel($('#panel-vendors'));
    cadres = new CadresPanel($('#panel-cadres'), {session: () => state.session, toast});
    fundsPanel = new FundsPanel($('#panel-funds'));
    assessment = new AssessmentPanel($('#panel-assessment'), {session: () => state.session, toast, map: () => mapView});
    inbox = new InboxPanel($('#panel-inbox'), $('#inbox-open'), {toast});
    operations = new OperationsPanel($('#panel-operations'), {map: mapView.map, session: () => state.session, subdistricts: () => state.subdistricts, toast});
    tasksPanel = new TasksPanel($('#panel-tasks'), {map: mapView.map, session: () => state.session, subdistricts: () => state.subdistricts, toast});
    posts = new PostsMatrixPanel($('#panel-posts'));
    partners = new PartnersPanel($('#panel-partners'), {session: () => state.session, toast});
    patrols = new PatrolsPanel($('#panel-patrols'), {map: mapView.map, session: () => state.session, toast,
        onVoided: () => mapView.refreshPatrols()});
    volunteersPanel = new VolunteersPanel($('#panel-volunteers'), {map: mapView.map, session: () => state.session, toast});
    duties = new DutiesPanel($('#panel-duties'), {map: mapView.map, session: () => state.session, toast});
    signIn = new SignIn($('#signin'), (s) => applySession(s));

    for (const b of document.querySelectorAll('#tabs [data-tab]')) {
        b.addEventListener('click', () => (location.hash = `#${b.dataset.tab}`));
    }
    $('#signin-open').addEventListener('click', () => signIn.open());
    $('#inbox-open').addEventListener('click', () => (location.hash = '#inbox'));
    $('#signout').addEventListener('click', () => signIn.signOut().then(() => (location.hash = '#map')));
    $('#lang').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
    onLangChange(() => {
        renderUser();
        mapView.relabel();
        mapView.renderPanel($('#panel-map'));
        lookup.relabel();
        report.render();
        track.render();
        if (servicePoints.points) servicePoints.render();
        if (signedIn()) {
            incidents.render();
            if (overview.view) overview.render();
            if (gaps.rows) gaps.render();
            if (coverage.coverage) coverage.render();
            if (vendors.zones) vendors.render();
            if (cadres.table) cadres.render();
            if (fundsPanel.balances) fundsPanel.render();
            if (assessment.result || assessment.error) assessment.render();
            inbox.renderButton();
            if (state.tab === 'inbox') inbox.load();
            if (mayOperations()) operations.render();
            if (mayTasks()) tasksPanel.render();
            if (posts.matrix) posts.render();
            if (partners.summary || partners.error) partners.render();
            if (mayPatrols() && !patrols.stale) patrols.render();
            if (mayVolunteers() && !volunteersPanel.stale) volunteersPanel.render();
            if (state.tab === 'duties') duties.render();
        }
    });
    window.addEventListener('hashchange', route);
    window.addEventListener('resize', () => {
        overview.resize();
        sheetPadding();
    });
    await report.start();
    await applySession(state.session);
    document.body.dataset.ready = 'true';
}

main().catch((e) => {
    console.error(e); // eslint-disable-line no-console
    toast(t('error.generic', {detail: e.message}), true);
});
