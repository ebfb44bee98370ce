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

async function request(method, path, {params, body} = {}) {
    const headers = {Accept: 'application/json'};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
    let res;
    try {
        res = await fetch(path + query(params), {method, headers, credentials: 'same-origin',
            body: body === undefined ? undefined : JSON.stringify(body)});
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

export const api = {
    session: () => get('/api/v1/session'),
    signIn: (username, password) => request('POST', '/api/v1/session', {body: {username, password}}),
    signOut: () => request('DELETE', '/api/v1/session'),

    lookup: (lon, lat, at) => get('/api/v1/lookup', {lon: lon.toFixed(7), lat: lat.toFixed(7), at}),
    adminUnits: (level) => allFeatures('/api/v1/admin-units', {level}),
    adminUnit: (id) => get(`/api/v1/admin-units/${id}`),
    // Areas in the caller's scope whose name contains text (any case), the first 50 by id.
    areasNamed: (text) => get('/api/v1/areas', {name: text, limit: 50}).then((c) => c.features),
    departments: () => get('/api/v1/departments').then((d) => d.departments),

    // Retired categories too: old incidents keep showing theirs (the panel is for signed-in staff).
    categories: () => get('/api/v1/incident-categories', {include_retired: 'true'}).then((d) => d.categories),
    incidents: (filter) => get('/api/v1/incidents', filter),
    incident: (id) => get(`/api/v1/incidents/${id}`),
    transition: (id, body) => request('POST', `/api/v1/incidents/${id}/transitions`, {body}),
    verify: (id, body) => request('POST', `/api/v1/incidents/${id}/verification`, {body}),
    dispatchCandidates: (id) => request('GET', `/api/v1/incidents/${id}/dispatch-candidates`),
    photoURL: (id, n) => `/api/v1/incidents/${id}/photos/${n}`,

    gaps: (format, scope = 'district') => get('/api/v1/reports/gaps', {scope, format}),

    vendorZones: () => get('/api/v1/vendor-zones').then((d) => d.zones),
    vendors: () => get('/api/v1/vendors').then((d) => d.vendors),
    vendorSightings: (day) => get('/api/v1/vendor-sightings', {day}).then((d) => d.sightings),
    vendorRepeatOffenders: () => get('/api/v1/vendor-repeat-offenders').then((d) => d.repeat_offenders),

    tileJSON: (layer) => get(`/tiles/${layer}.json`),
};
