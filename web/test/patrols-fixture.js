// The patrols browser test's fixtures: patrols made through the API as the field app makes them —
// a path over an area, walked or driven with a fix every few seconds and a receiver's jitter — and
// the area of a community small enough for an honest walk to cover.
import assert from 'node:assert/strict';
import {randomUUID} from 'node:crypto';

// send is a JSON request to the server at base as a signed-in session makes it.
async function send(base, s, method, path, body) {
    const r = await fetch(base + path, {method, body: JSON.stringify(body),
        headers: {Cookie: s.cookie, 'X-CSRF-Token': s.csrf, 'Content-Type': 'application/json'}});
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return r.json();
}

// bbox of a GeoJSON geometry: [minLon, minLat, maxLon, maxLat].
function bbox(geometry) {
    const b = [Infinity, Infinity, -Infinity, -Infinity];
    const walk = (c) => {
        if (typeof c[0] === 'number') {
            b[0] = Math.min(b[0], c[0]);
            b[1] = Math.min(b[1], c[1]);
            b[2] = Math.max(b[2], c[0]);
            b[3] = Math.max(b[3], c[1]);
        } else c.forEach(walk);
    };
    walk(geometry.coordinates);
    return b;
}

const metresPerDegLat = 110540;
const metresPerDegLon = (lat) => 111320 * Math.cos((lat * Math.PI) / 180);

// serpentine is a path over a box in rows `spacing` metres apart, so every point of the box lies
// within spacing/2 of it.
export function serpentine(b, spacing) {
    const rows = Math.max(2, Math.ceil(((b[3] - b[1]) * metresPerDegLat) / spacing) + 1);
    const path = [];
    for (let i = 0; i < rows; i++) {
        const lat = b[1] + ((b[3] - b[1]) * i) / (rows - 1);
        path.push(i % 2 ? [b[2], lat] : [b[0], lat], i % 2 ? [b[0], lat] : [b[2], lat]);
    }
    return path;
}

// along walks a path at speed (m/s), a fix every step seconds, back and forth until at least
// minM metres, each fix a little off the line as real receivers are.
export function along(path, speed, step, minM, startMs) {
    const fixes = [];
    let walked = 0;
    let t = startMs;
    let pts = path;
    const jitter = () => (Math.random() - 0.5) * 3;
    const push = (lon, lat) => {
        fixes.push({seq: fixes.length, lon: lon + jitter() / metresPerDegLon(lat), lat: lat + jitter() / metresPerDegLat,
            accuracy_m: 5 + Math.round(Math.random() * 4), at: new Date(t).toISOString()});
    };
    push(...pts[0]);
    for (;;) {
        for (let i = 1; i < pts.length; i++) {
            const [x0, y0] = pts[i - 1];
            const [x1, y1] = pts[i];
            const d = Math.hypot((x1 - x0) * metresPerDegLon(y0), (y1 - y0) * metresPerDegLat);
            const n = Math.max(1, Math.round(d / (speed * step)));
            for (let k = 1; k <= n; k++) {
                t += (d / n / speed) * 1000;
                push(x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n);
            }
            walked += d;
        }
        if (walked >= minM) break;
        pts = [...pts].reverse();
    }
    return {fixes, endMs: t};
}

// patrol starts, sends and ends one patrol of session s as the field app does, and answers it as ended.
export async function patrol(base, s, fixes, areaIDs) {
    const id = randomUUID();
    const start = {started_at: fixes[0].at};
    if (areaIDs) start.area_ids = areaIDs;
    await send(base, s, 'PUT', `/api/v1/patrols/${id}`, start);
    await send(base, s, 'POST', `/api/v1/patrols/${id}/fixes`, {fixes});
    const ended = await send(base, s, 'POST', `/api/v1/patrols/${id}:end`, {ended_at: fixes.at(-1).at, pauses: []});
    return {id, ended, fixes};
}

// The smallest area of a community that is still some 60 m across: an honest walk covers it.
export async function smallArea(s, community) {
    const {features} = await s.get(`/api/v1/areas?community=${community}&limit=1000`);
    const sized = features.map((f) => {
        const b = bbox(f.geometry);
        const lat = (b[1] + b[3]) / 2;
        return {f, b, w: (b[2] - b[0]) * metresPerDegLon(lat), h: (b[3] - b[1]) * metresPerDegLat};
    }).filter((a) => a.w >= 60 && a.h >= 60 && a.w <= 400 && a.h <= 400);
    sized.sort((a, b) => a.w * a.h - b.w * b.h);
    assert.ok(sized.length, `no area of a walkable size in community ${community}`);
    return sized[0];
}
