// The API client: JSON in and out, problem+json errors as ApiError, the session's CSRF token sent
// with every change. Everything is same-origin; the session cookie rides along by itself.
let csrfToken = '';

export class ApiError extends Error {
    constructor(status, detail) {
        super(detail);
        this.status = status;
        this.detail = detail;
    }
}

export function setCSRF(token) {
    csrfToken = token || '';
}

function query(params) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
        if (v !== undefined && v !== null && v !== '') q.set(k, v);
    }
    const s = q.toString();
    return s ? `?${s}` : '';
}

async function request(method, path, {params, body, headers: extra} = {}) {
    const headers = {Accept: 'application/json', ...extra};
    // A FormData body sets its own multipart Content-Type with the boundary.
    const form = typeof FormData !== 'undefined' && body instanceof FormData;
    if (body !== undefined && !form) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
    let res;
    try {
        res = await fetch(path + query(params), {method, headers, credentials: 'same-origin',
            body: body === undefined || form ? body : JSON.stringify(body)});
    } catch (e) {
        throw new ApiError(0, e.message);
    }
    if (res.status === 204) return null;
    const type = res.headers.get('Content-Type') || '';
    const doc = type.includes('json') ? await res.json() : await res.text();
    if (!res.ok) throw new ApiError(res.status, (doc && (doc.detail || doc.title)) || `${res.status}`);
    return doc;
}

const get = (path, params) => request('GET', path, {params});

// pages follows keyset pagination (the answer's next → after=) and gathers the features.
async function allFeatures(path, params) {
    const features = [];
    let after;
    for (let i = 0; i < 100; i++) {
        const page = await get(path, {...params, limit: 1000, after});
        features.push(...page.features);
        if (!page.next) break;
        after = page.next;
    }
    return features;
}

// offered tells whether the server has a route (its OpenAPI document lists every one), so the
// dashboard asks a newer endpoint only of a server that has it, rather than meeting a 404.
let routes;
function offered(path) {
    routes ||= get('/api/openapi.json').then((doc) => new Set(Object.keys(doc.paths || {}))).catch(() => null);
    return routes.then((set) => !set || set.has(path));
}

export const api = {
    session: () => get('/api/v1/session'),
    signIn: (username, password) => request('POST', '/api/v1/session', {body: {username, password}}),
    signOut: () => request('DELETE', '/api/v1/session'),

    lookup: (lon, lat, at) => get('/api/v1/lookup', {lon: lon.toFixed(7), lat: lat.toFixed(7), at}),
    adminUnits: (level) => allFeatures('/api/v1/admin-units', {level}),
    adminUnit: (id) => get(`/api/v1/admin-units/${id}`),
    adminUnitsIn: (level, parent) => allFeatures('/api/v1/admin-units', {level, parent}),
    area: (id) => get(`/api/v1/areas/${id}`),
    areasIn: (community) => allFeatures('/api/v1/areas', {community}),
    // Areas in the caller's scope whose name contains text (any case), the first 50 by id.
    areasNamed: (text) => get('/api/v1/areas', {name: text, limit: 50}).then((c) => c.features),
    departments: () => get('/api/v1/departments').then((d) => d.departments),

    // Retired categories too: old incidents keep showing theirs (the panel is for signed-in staff).
    categories: () => get('/api/v1/incident-categories', {include_retired: 'true'}).then((d) => d.categories),
    incidents: (filter) => get('/api/v1/incidents', filter),
    // The catalogue as the public sees it: active categories only.
    publicCategories: () => get('/api/v1/incident-categories').then((d) => d.categories),
    // A report as multipart (photos as files); the key makes a repeated send file one case.
    report: (form, key) => request('POST', '/api/v1/incidents', {body: form, headers: {'Idempotency-Key': key}}),
    tracking: (number, token) => get(`/api/v1/tracking/${encodeURIComponent(number)}`, {token}),
    stopMessages: (number, token) => request('POST', `/api/v1/tracking/${encodeURIComponent(number)}:stop-messages`, {body: {token}}),
    incident: (id) => get(`/api/v1/incidents/${id}`),
    transition: (id, body) => request('POST', `/api/v1/incidents/${id}/transitions`, {body}),
    verify: (id, body) => request('POST', `/api/v1/incidents/${id}/verification`, {body}),
    dispatchCandidates: (id) => request('GET', `/api/v1/incidents/${id}/dispatch-candidates`),
    // Joint enforcement: a department acknowledges a case (the case comes back), records an action.
    acknowledgeJoint: (id, dept) => request('POST', `/api/v1/incidents/${id}/departments/${dept}:acknowledge`),
    jointAction: (id, body) => request('POST', `/api/v1/incidents/${id}/actions`, {body}),
    voidJointAction: (id, action, reason) => request('POST', `/api/v1/incidents/${id}/actions/${action}:void`, {body: {reason}}),
    addJointDepartment: (id, dept) => request('POST', `/api/v1/incidents/${id}/departments`, {body: {department_id: dept}}),
    withdrawJointDepartment: (id, dept, reason) => request('POST', `/api/v1/incidents/${id}/departments/${dept}:withdraw`, {body: {reason}}),
    photoURL: (id, n) => `/api/v1/incidents/${id}/photos/${n}`,

    // The league table (docs/kpis.md) and the trend per interval, narrowed by subdistrict or community.
    kpis: (params) => get('/api/v1/kpis', params),
    kpiTrend: async (params) => {
        if (!(await offered('/api/v1/kpis/trend'))) throw new ApiError(404, 'not offered');
        return get('/api/v1/kpis/trend', params);
    },

    gaps: (format, scope = 'district') => get('/api/v1/reports/gaps', {scope, format}),

    inspectionCoverage: (q) => get('/api/v1/inspections/coverage', q),
    inspectionCalendar: (q) => get('/api/v1/inspections/calendar', q),
    repeatOffenders: () => get('/api/v1/repeat-offenders').then((d) => d.offenders),
    inbox: (params) => get('/api/v1/inbox', params),
    readNotification: (id) => request('POST', `/api/v1/inbox/${id}:read`),
    vendorZones: () => get('/api/v1/vendor-zones').then((d) => d.zones),
    vendors: () => get('/api/v1/vendors').then((d) => d.vendors),
    vendorSightings: (day) => get('/api/v1/vendor-sightings', {day}).then((d) => d.sightings),
    departmentPosts: (at) => get('/api/v1/department-posts', {at}),
    vendorRepeatOffenders: () => get('/api/v1/vendor-repeat-offenders').then((d) => d.repeat_offenders),

    // The assessment (考评): periods, a period's result, marks, samples, publication, amendment, trend, simulator.
    assessmentPeriods: (kind) => get('/api/v1/assessments/periods', {kind}).then((d) => d.periods),
    assessmentResult: (kind, label) => get(`/api/v1/assessments/${kind}/${label}`),
    assessmentTrend: (kind, from, to) => get('/api/v1/assessments/trend', {kind, from, to}),
    assessmentMark: (kind, label, body) => request('POST', `/api/v1/assessments/${kind}/${label}/marks`, {body}),
    assessmentVoidMark: (id, reason) => request('POST', `/api/v1/assessments/marks/${id}:void`, {body: {reason}}),
    assessmentSample: (kind, label, body) => request('POST', `/api/v1/assessments/${kind}/${label}/samples`, {body}),
    assessmentPublish: (kind, label) => request('POST', `/api/v1/assessments/${kind}/${label}:publish`),
    assessmentAmend: (kind, label, body) => request('POST', `/api/v1/assessments/${kind}/${label}:amend`, {body}),
    assessmentSimulate: (body) => request('POST', '/api/v1/assessments:simulate', {body}),
    // The funds ledger (资金): a year's balances and entries in scope.
    fundsBalances: (year) => get('/api/v1/funds/balances', {year}),
    fundsEntries: (year) => get('/api/v1/funds/entries', {year}).then((d) => d.entries),
    // Linked cadres (挂钩干部): the year's bonus-basis table, the opinions and their corrections.
    cadreTable: (year) => get('/api/v1/cadres/bonus-basis', {year}),
    cadreOpinions: (year) => get('/api/v1/cadres/opinions', {year}).then((d) => d.opinions),
    recordCadreOpinion: (body) => request('POST', '/api/v1/cadres/opinions', {body}),
    correctCadreOpinion: (id, body) => request('POST', `/api/v1/cadres/opinions/${id}:supersede`, {body}),
    people: (name) => get('/api/v1/people', {name, limit: 20}).then((d) => d.people),
    operationCalendar: (month) => get('/api/v1/operations/calendar', {month}),
    operation: (id) => get(`/api/v1/operations/${id}`),
    createOperation: (body) => request('POST', '/api/v1/operations', {body}),
    cancelOperation: (id, reason) => request('POST', `/api/v1/operations/${id}:cancel`, {body: {reason}}),
    linkOperationCase: (id, incidentID) => request('POST', `/api/v1/operations/${id}/cases`, {body: {incident_id: incidentID}}),
    recordOperationOutcome: (id, body) => request('POST', `/api/v1/operations/${id}/outcomes`, {body}),
    tasks: () => get('/api/v1/tasks'),
    overdueTasks: () => get('/api/v1/tasks', {overdue: 'true'}),
    task: (id) => get(`/api/v1/tasks/${id}`),
    issueTask: (body) => request('POST', '/api/v1/tasks', {body}),
    breakDownTask: (id, sub, items) => request('POST', `/api/v1/tasks/${id}/parts/${sub}/items`, {body: {items}}),
    reportTaskProgress: (item, body) => request('POST', `/api/v1/task-items/${item}/progress`, {body}),
    acceptTaskItem: (item, note) => request('POST', `/api/v1/task-items/${item}:accept`, {body: {note}}),
    returnTaskItem: (item, reason) => request('POST', `/api/v1/task-items/${item}:return`, {body: {reason}}),

    // Patrols (巡街): a day's list and report in scope, one patrol's track, its void; the tile layer
    // only from a server that has it.
    patrols: (params) => get('/api/v1/patrols', params),
    patrolReport: (params) => get('/api/v1/patrols/report', params),
    patrol: (id) => get(`/api/v1/patrols/${encodeURIComponent(id)}`),
    voidPatrol: (id, reason) => request('POST', `/api/v1/patrols/${encodeURIComponent(id)}:void`, {body: {reason}}),
    patrolTilesOffered: () => offered('/tiles/patrols.json'),

    // Volunteer services (志愿服务): contracts, totals, activities in scope, payments and records.
    volunteerOrgs: () => get('/api/v1/volunteer-orgs').then((d) => d.organisations),
    volunteerContracts: (year) => get('/api/v1/volunteer-contracts', {year}).then((d) => d.contracts),
    volunteerContract: (id) => get(`/api/v1/volunteer-contracts/${id}`),
    volunteerTotals: (year) => get('/api/v1/volunteer-totals', {year}),
    volunteerActivities: (params) => get('/api/v1/volunteer-activities', params).then((d) => d.activities),
    volunteerActivityPoints: (params) => get('/api/v1/volunteer-activities', {...params, format: 'geojson'}),
    volunteerList: () => get('/api/v1/volunteers', {active: 'true'}).then((d) => d.volunteers),
    recordVolunteerActivity: (body) => request('POST', '/api/v1/volunteer-activities', {body}),
    payVolunteerContract: (id, body) => request('POST', `/api/v1/volunteer-contracts/${id}/payments`, {body}),
    // Compounds' partners (物业): the summary per community, a community's compounds, one compound.
    compoundSummary: (at) => get('/api/v1/compounds/summary', {at}).then((d) => d.communities),
    compounds: (params) => get('/api/v1/compounds', params).then((d) => d.compounds),
    compound: (id, at) => get(`/api/v1/compounds/${id}`, {at}),
    // A compound by its area, or none (out of scope answers an empty list, not an error).
    compoundOf: (area, at) => get('/api/v1/compounds', {area, at}).then((d) => d.compounds[0]),
    propertyCompanies: () => get('/api/v1/property-companies').then((d) => d.companies),
    signCompoundContract: (compound, body) => request('POST', `/api/v1/compounds/${compound}/contracts`, {body}),

    tileJSON: (layer) => get(`/tiles/${layer}.json`),
    servicePointTypes: () => get('/api/v1/service-point-types').then((d) => d.types),
    servicePoints: (params) => get('/api/v1/service-points', params),
    servicePoint: (id) => get(`/api/v1/service-points/${id}`),
    servicePointGaps: () => get('/api/v1/reports/gaps', {scope: 'district', format: 'json', kinds: 'service_point_gaps'}),
    merchantsNear: (lon, lat, m) => get('/api/v1/merchants', {near: `${lon.toFixed(7)},${lat.toFixed(7)}`, within_m: m, limit: 3}),

    // Duties (履职): members, pledges, records and their confirmation, summaries, evaluations.
    dutyKinds: () => get('/api/v1/duty-kinds'),
    dutyMembers: (params) => get('/api/v1/duty-members', params),
    dutyMember: (id) => get(`/api/v1/duty-members/${id}`),
    dutyPledges: (id) => get(`/api/v1/duty-members/${id}/pledges`),
    dutyRecords: (params) => get('/api/v1/duty-records', params),
    dutyRecordsGeoJSON: (params) => get('/api/v1/duty-records', {...params, format: 'geojson'}),
    enterDutyRecord: (body) => request('POST', '/api/v1/duty-records', {body}),
    decideDutyRecord: (id, action, reason) => request('POST', `/api/v1/duty-records/${id}:${action}`, {body: reason ? {reason} : {}}),
    dutySummary: (params) => get('/api/v1/duties/summary', params),
    dutyTemplate: (year) => get('/api/v1/duty-templates', {year}),
    dutyEvaluation: (id, year) => get(`/api/v1/duty-members/${id}/evaluations/${year}`),
    evaluateDutyMember: (body) => request('POST', '/api/v1/duty-evaluations', {body}),
};
