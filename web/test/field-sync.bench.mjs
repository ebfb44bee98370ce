// The field app's outbox under load: a phone that was offline all morning holds 1,000 inspections
// (the multipart records its inspection screen makes, without photos) and syncs them when the
// network returns. Prints the time from "online" to an empty outbox, and checks via the API that
// every record arrived once. Run: node test/field-sync.bench.mjs (from web/, after make build).
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {join} from 'node:path';

import {Browser, apiSession, repo, startServer} from './harness.js';

const RECORDS = Number(process.env.STREETCHIEF_BENCH_RECORDS || 1000);

const server = await startServer();
const browser = await Browser.launch();
try {
    const inspector = await apiSession(server.base, 'inspector', 'demo-inspector-2026');
    const shops = (await inspector.get('/api/v1/merchants?limit=100')).features;
    assert.ok(shops.length > 0, 'the demo inspector has shops');
    const page = await browser.page({width: 390, height: 844, isMobile: true, hasTouch: true, permissions: ['geolocation'],
        geolocation: {longitude: shops[0].geometry.coordinates[0], latitude: shops[0].geometry.coordinates[1], accuracy: 6}});
    await page.goto(`${server.base}/field/`);
    await page.fill('#signin-username', 'inspector');
    await page.fill('#signin-password', 'demo-inspector-2026');
    await page.tap('#signin-submit');
    await page.waitForSelector('#tabs:not([hidden])');
    await page.waitForFunction(() => navigator.serviceWorker?.controller, null, {timeout: 30000});
    await page.context().setOffline(true);

    // The records, as the inspection screen files them: one every 20 s from 7:00, round the shops.
    const start = Date.now() - RECORDS * 20e3 - 60e3;
    const records = Array.from({length: RECORDS}, (_, i) => {
        const shop = shops[i % shops.length];
        const [lon, lat] = shop.geometry.coordinates;
        const at = new Date(start + i * 20e3).toISOString();
        return {key: `bench-${i}-${Math.random().toString(36).slice(2)}`, idempotent: true, kind: 'inspection', label: shop.properties.name,
            merchant_id: shop.id, method: 'POST', path: '/api/v1/inspections', photoEncoding: 'multipart', made_at: at,
            position: {lon, lat, accuracy_m: 8},
            fields: {merchant_id: String(shop.id), at, lon: String(lon), lat: String(lat), accuracy_m: '8',
                results: [{item: 'sanitation', ok: true}, {item: 'order', ok: true}, {item: 'greenery', ok: true}], refused: 'false', note: ''}};
    });
    await page.evaluate(async (recs) => {
        const db = await new Promise((resolve, reject) => {
            const req = indexedDB.open('streetchief-field');
            req.onsuccess = () => resolve(req.result);
            req.onerror = () => reject(req.error);
        });
        await new Promise((resolve, reject) => {
            const tx = db.transaction('outbox', 'readwrite');
            for (const r of recs) tx.objectStore('outbox').add(r);
            tx.oncomplete = resolve;
            tx.onerror = () => reject(tx.error);
        });
    }, records);

    const t0 = Date.now();
    await page.context().setOffline(false);
    // (waitForFunction would take the async predicate's promise for a truthy answer.)
    const waiting = () => page.evaluate(async () => {
        const db = await new Promise((resolve) => {
            const req = indexedDB.open('streetchief-field');
            req.onsuccess = () => resolve(req.result);
        });
        return new Promise((resolve) => {
            const req = db.transaction('outbox').objectStore('outbox').count();
            req.onsuccess = () => resolve(req.result);
        });
    });
    while (await waiting() > 0) {
        if (Date.now() - t0 > 600e3) throw new Error('the outbox did not empty in 10 minutes');
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const seconds = (Date.now() - t0) / 1000;
    const refused = await page.evaluate(async () => {
        const db = await new Promise((resolve) => {
            const req = indexedDB.open('streetchief-field');
            req.onsuccess = () => resolve(req.result);
        });
        return new Promise((resolve) => {
            const req = db.transaction('attention').objectStore('attention').getAll();
            req.onsuccess = () => resolve(req.result.map((r) => r.problem));
        });
    });
    assert.deepEqual(refused.slice(0, 3), [], 'none refused');
    // Once each, in the order made: the server's ids follow the records' times.
    const u = new URL(process.env.STREETCHIEF_TEST_DATABASE_URL ||
        execFileSync(join(repo, 'scripts/pg.sh'), ['admin-url'], {encoding: 'utf8'}).trim());
    u.pathname = `/streetchief_webtest_${process.pid}`;
    const [n, distinct, ordered] = execFileSync('psql', [u.toString(), '-Atc', `SELECT count(*), count(DISTINCT idempotency_key),
        bool_and(at >= prev) FROM (SELECT idempotency_key, at, lag(at, 1, '-infinity') OVER (ORDER BY id) AS prev
        FROM merchant_inspection WHERE idempotency_key LIKE 'bench-%') x`], {encoding: 'utf8'}).trim().split('|');
    assert.equal(Number(n), RECORDS, 'every record arrived');
    assert.equal(Number(distinct), RECORDS, 'none twice');
    assert.equal(ordered, 't', 'in the order made');
    // The server's share: the mean of its own latency histogram for the route.
    const metrics = await (await fetch(`${server.base}/metrics`)).text();
    const sum = (name) => metrics.split('\n').filter((l) => l.startsWith(name) && l.includes('route="/api/v1/inspections"') && l.includes('POST'))
        .reduce((a, l) => a + Number(l.split(' ').pop()), 0);
    const serverMs = 1000 * sum('streetchief_http_request_seconds_sum') / sum('streetchief_http_request_seconds_count');
    console.log(`field outbox: ${RECORDS} inspections synced in ${seconds.toFixed(1)} s (${(seconds * 1000 / RECORDS).toFixed(1)} ms each, strictly in order), each once; the server's mean time per inspection ${serverMs.toFixed(1)} ms`);
} finally {
    await browser.close();
    await server.stop();
}
