// Browser tests of the field app (/field/) on an emulated phone (390×844, touch, geolocation):
// an inspection round and a patrol along a scripted path, with the network cut in the middle and
// the page reloaded while offline; every record must reach the server once, in the order it was
// made, with the time and position it was made at. Prints the shell's gzipped size and the time
// to interactive for docs/benchmarks.md.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {after, before, describe, test} from 'node:test';

import {PNG} from 'pngjs';

import {Browser, apiSession, repo, startServer} from './harness.js';

let server;
let browser;
let admin;

before(async () => {
    browser = await Browser.launch();
    server = await startServer();
    admin = await apiSession(server.base, 'admin', 'demo-admin-2026');
});

after(async () => {
    await browser?.close();
    await server?.stop();
});

const PHONE = {width: 390, height: 844, isMobile: true, hasTouch: true, permissions: ['geolocation']};
const beijingDay = (d = new Date()) => new Date(d.getTime() + 8 * 3600e3).toISOString().slice(0, 10);

async function phone(at) {
    const page = await browser.page({...PHONE, geolocation: {longitude: at[0], latitude: at[1], accuracy: 6}});
    return page;
}

async function signIn(page, username) {
    await page.goto(`${server.base}/field/`);
    await page.fill('#signin-username', username);
    await page.fill('#signin-password', `demo-${username}-2026`);
    await page.tap('#signin-submit');
    await page.waitForSelector('#tabs:not([hidden])');
    // The service worker controls the page once it has claimed it: from then on the shell is cached.
    // On a busy machine its first install (the shell precached) has taken over 30 s once.
    try {
        await page.waitForFunction(() => navigator.serviceWorker?.controller, null, {timeout: 90000});
    } catch (err) {
        const state = await page.evaluate(async () => {
            const reg = await navigator.serviceWorker.getRegistration('/field/');
            return reg ? {installing: reg.installing?.state, waiting: reg.waiting?.state, active: reg.active?.state} : 'no registration';
        }).catch((e) => `unreadable: ${e.message}`);
        console.log(`the service worker never took control; its registration: ${JSON.stringify(state)}`);
        throw err;
    }
}

async function sentAll(page) {
    // The chip is redrawn at most every 150 ms after a change: give it time to show what was just
    // queued before taking its empty look for "all sent".
    await page.waitForTimeout(500);
    await page.waitForFunction(() => {
        const el = document.querySelector('#queue-count');
        return el.hidden || el.dataset.waiting === '0';
    }, null, {timeout: 60000, polling: 200});
}

async function moveTo(page, [lon, lat], accuracy = 6) {
    await page.context().setGeolocation({longitude: lon, latitude: lat, accuracy});
}

// inspect goes through the form: every duty ok but the ones in bad, then one tap to send.
async function inspect(page, shop, {bad = [], refused = false, photo = false, note = ''} = {}) {
    await page.tap('[data-tab="today"]');
    await page.tap(`[data-merchant="${shop.id}"]`);
    await page.waitForSelector('#fix button');
    await page.waitForFunction(() => /\d/.test(document.querySelector('#fix span')?.textContent || '') &&
        !document.querySelector('#fix .bad'), null, {timeout: 20000});
    for (const item of ['sanitation', 'order', 'greenery']) await page.tap(bad.includes(item) ? `[data-bad="${item}"]` : `[data-ok="${item}"]`);
    if (photo) {
        const png = new PNG({width: 64, height: 48});
        png.data.fill(180);
        await page.setInputFiles('.photo-input', {name: 'shop.png', mimeType: 'image/png', buffer: PNG.sync.write(png)});
        await page.waitForSelector('.thumb img');
    }
    if (note) await page.fill('#inspect-note', note);
    await page.tap(refused ? '#inspect-refused' : '#inspect-submit');
    await page.waitForSelector('#shops');
}

// shell measures what the page loads before it is interactive, gzipped, from the built files.
function shellBytes(requests) {
    let total = 0;
    for (const url of new Set(requests)) {
        const path = new URL(url).pathname;
        let file;
        if (path === '/field/') file = join(repo, 'web/dist/field/index.html');
        else if (path.startsWith('/assets/')) file = join(repo, 'web/dist', path);
        else continue;
        total += gzipSync(readFileSync(file), {level: 9}).length;
    }
    return total;
}

describe('the field app on a phone', () => {
    test('a shell fetch failing during the first install: the app installs its offline shell again by itself', async () => {
        const page = await phone([117.03, 25.08]);
        try {
            let refused = 0;
            await page.context().route('**/field/manifest.webmanifest', (route) =>
                route.request().serviceWorker() && refused++ === 0 ? route.abort() : route.continue());
            await page.goto(`${server.base}/field/`);
            await page.waitForFunction(() => navigator.serviceWorker?.controller, null, {timeout: 60000});
            assert.equal(refused, 2, 'the worker fetched the manifest once refused, then again');
        } finally {
            await page.context().close();
        }
    });

    test('an inspection round, cut off and reloaded offline: each record arrives once, in order, with its time and place', async () => {
        const inspector = await apiSession(server.base, 'inspector', 'demo-inspector-2026');
        const today = beijingDay();
        const shops = (await inspector.get('/api/v1/merchants?limit=1000&status=open')).features
            .filter((f) => !f.properties.last_inspected_at || beijingDay(new Date(f.properties.last_inspected_at)) !== today)
            .sort((a, b) => a.id - b.id).slice(0, 3);
        assert.equal(shops.length, 3, 'the demo inspector has three shops not inspected today');
        const at = shops.map((s) => s.geometry.coordinates.map((x) => Math.round(x * 1e7) / 1e7));

        const page = await phone(at[0]);
        const ctx = page.context();
        try {
            // The first visit, nothing cached: the sign-in screen is what must answer.
            await page.goto(`${server.base}/field/`);
            await page.waitForFunction(() => performance.getEntriesByName('field-interactive').length > 0);
            const cold = await page.evaluate(() => performance.getEntriesByName('field-interactive')[0].startTime);
            await signIn(page, 'inspector');
            // A second load, as from the home screen: the shell from the service worker's cache.
            const loaded = [];
            page.on('request', (r) => loaded.push(r.url()));
            await page.reload();
            await page.waitForFunction(() => performance.getEntriesByName('field-interactive').length > 0);
            const tti = await page.evaluate(() => performance.getEntriesByName('field-interactive')[0].startTime);
            const shellGz = shellBytes(loaded.filter((u) => !/\/api\/|\/tiles\//.test(u)));
            // And with the CPU slowed four times, a mid-range phone's share of a desktop's.
            const cdp = await ctx.newCDPSession(page);
            await cdp.send('Emulation.setCPUThrottlingRate', {rate: 4});
            await page.reload();
            await page.waitForFunction(() => performance.getEntriesByName('field-interactive').length > 0);
            const slow = await page.evaluate(() => performance.getEntriesByName('field-interactive')[0].startTime);
            await cdp.send('Emulation.setCPUThrottlingRate', {rate: 1});
            await cdp.detach();
            console.log(`field app: shell ${(shellGz / 1024).toFixed(1)} KiB gzipped; interactive ${cold.toFixed(0)} ms after navigation on the first visit, ` +
                `${tti.toFixed(0)} ms from the service worker's cache, ${slow.toFixed(0)} ms so with the CPU slowed 4× (390×844 emulated phone)`);
            assert.ok(shellGz < 300 * 1024, `shell is ${shellGz} bytes gzipped`);
            assert.ok(cold < 2000 && tti < 2000, `interactive after ${cold} ms (first visit), ${tti} ms (cached)`);
            assert.ok(!loaded.some((u) => /field-chunk/.test(u) && readFileSync(join(repo, 'web/dist', new URL(u).pathname)).length > 500e3),
                'the shell loaded the map chunk');

            await page.waitForSelector(`[data-merchant="${shops[0].id}"]`);
            const made = [];
            made.push(Date.now());
            await inspect(page, shops[0], {note: 'field-test round 1'});
            await sentAll(page);

            // The network goes; the next records wait on the phone.
            await ctx.setOffline(true);
            await moveTo(page, at[1]);
            made.push(Date.now());
            await inspect(page, shops[1], {bad: ['order'], refused: true, photo: true, note: 'field-test round 2'});
            await moveTo(page, at[2], 9);
            made.push(Date.now());
            await inspect(page, shops[2], {note: 'field-test round 3'});
            const spot = [at[2][0] + 0.0002, at[2][1]];
            await moveTo(page, spot, 12);
            made.push(Date.now());
            await page.tap('#act-report');
            await page.waitForFunction(() => document.querySelectorAll('#report-category option').length > 1);
            await page.selectOption('#report-category', '01-01');
            await page.waitForFunction(() => !document.querySelector('#fix .bad') && /\d/.test(document.querySelector('#fix span')?.textContent || ''));
            await page.fill('#quick-note', 'field-test: garbage by the kerb');
            await page.tap('#quick-submit');
            await page.waitForSelector('#shops');
            await page.waitForFunction(() => document.querySelector('#queue-count').dataset.waiting === '3', null, {timeout: 5000});
            assert.match(await page.textContent('#queue-count'), /3 条待发送/);
            const done = await page.$$eval('#shops .tag.waiting', (els) => els.length);
            assert.equal(done, 2, 'the shops inspected offline show as waiting to send');

            // Reloaded with no network: the app opens from the cache, signed in, the queue intact.
            await page.reload();
            await page.waitForSelector('#tabs:not([hidden])');
            await page.waitForFunction(() => document.querySelector('#queue-count').dataset.waiting === '3');
            await page.waitForFunction(() => document.querySelector('#net').textContent === '离线', null, {timeout: 5000});
            await page.tap('[data-tab="queue"]');
            await page.waitForSelector('#waiting');
            assert.equal(await page.$$eval('#waiting li', (els) => els.length), 3);
            assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'the outbox is wider than the phone');

            // Long enough offline that a record's own time and its receipt differ by more than a second.
            await page.waitForTimeout(1500);
            await ctx.setOffline(false);
            await sentAll(page);
            assert.equal(await page.$eval('#queue-count', (el) => el.dataset.attention), '0', 'the server refused a record');

            // The outbox shows what went, with the server's verdict on each check-in.
            await page.waitForFunction(() => document.querySelectorAll('#sent li').length === 4);
            assert.doesNotMatch(await page.textContent('#sent'), /proof\./);
            const visits = (await admin.get(`/api/v1/inspections?person=${inspector.user.person_id}&from=${today}&to=${today}&limit=500`)).visits;
            const records = visits.flatMap((v) => v.records).filter((r) => /^field-test round/.test(r.note));
            assert.equal(records.length, 3, `each inspection arrived once: ${JSON.stringify(records.map((r) => r.note))}`);
            records.sort((a, b) => Date.parse(a.received_at) - Date.parse(b.received_at));
            assert.deepEqual(records.map((r) => r.merchant_id), shops.map((s) => s.id), 'in the order they were made');
            records.forEach((r, i) => {
                assert.deepEqual([r.lon, r.lat], at[i], `inspection ${i + 1} where it was made`);
                const t = Date.parse(r.at);
                assert.ok(t >= made[i] - 2000 && t <= made[i] + 20000, `inspection ${i + 1} at ${r.at}, made from ${new Date(made[i]).toISOString()}`);
            });
            assert.equal(records[1].refused, true);
            assert.equal(records[1].photos.length, 1);
            assert.ok(Date.parse(records[1].received_at) - Date.parse(records[1].at) > 1000, 'the offline inspection kept the time it was made');

            const cases = (await admin.get('/api/v1/incidents?limit=50')).incidents.filter((c) => c.description === 'field-test: garbage by the kerb');
            assert.equal(cases.length, 1, 'the report arrived once');
            const [c] = cases;
            assert.ok(Math.abs(c.lon - spot[0]) < 1e-6 && Math.abs(c.lat - spot[1]) < 1e-6, `report at ${c.lon},${c.lat}`);
            const full = await admin.get(`/api/v1/incidents/${c.id}`);
            const observed = Date.parse(full.observed_at ?? full.incident?.observed_at);
            assert.ok(observed >= made[3] - 2000 && observed <= made[3] + 20000, `report observed at ${full.observed_at}`);
            assert.ok(Date.parse(c.reported_at) - observed > 1000, 'the report kept the time it was seen, before it was received');
            assert.deepEqual(page.seen.foreign, [], 'requests left localhost');
            assert.deepEqual(page.seen.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(e)), []);
        } finally {
            await ctx.close();
        }
    });

    test('a patrol along a scripted path, cut off, paused and reloaded offline: the track arrives whole and in order', async (t) => {
        const routes = Object.keys((await admin.get('/api/openapi.json')).paths);
        if (!routes.includes('/api/v1/patrols/{id}')) {
            t.skip('this server has no patrols API');
            return;
        }
        const lane = await apiSession(server.base, 'lanechief', 'demo-lanechief-2026');
        const unit = await lane.get(`/api/v1/admin-units/${lane.user.scope.communities[0]}`);
        let [w, s, e, n] = [180, 90, -180, -90];
        const walk = (c) => (typeof c[0] === 'number' ? ([w, s, e, n] = [Math.min(w, c[0]), Math.min(s, c[1]), Math.max(e, c[0]), Math.max(n, c[1])]) : c.forEach(walk));
        walk(unit.geometry.coordinates);
        // Sixteen steps of about 10 m eastwards across the middle of the lane chief's community.
        const path = Array.from({length: 16}, (_, i) => [Math.round((w + (e - w) * 0.2 + i * 0.0001) * 1e7) / 1e7, Math.round(((s + n) / 2) * 1e7) / 1e7]);
        const page = await phone(path[0]);
        const ctx = page.context();
        const step = async (i) => {
            await moveTo(page, path[i]);
            await page.waitForFunction((k) => document.querySelector('#patrol-fixes')?.textContent === String(k), i + 1, {timeout: 15000});
        };
        try {
            await signIn(page, 'lanechief');
            await page.tap('[data-tab="patrol"]');
            await page.tap('#patrol-start');
            for (let i = 0; i < 5; i++) await step(i);
            await ctx.setOffline(true);
            for (let i = 5; i < 8; i++) await step(i);
            await page.tap('#patrol-pause');
            await page.waitForSelector('#patrol-resume');
            await page.tap('#patrol-resume');
            for (let i = 8; i < 11; i++) await step(i);
            // A case reported on the way, offline.
            await page.tap('#patrol-report');
            await page.waitForFunction(() => document.querySelectorAll('#report-category option').length > 1);
            await page.selectOption('#report-category', '05-02');
            await page.waitForFunction(() => /\d/.test(document.querySelector('#fix span')?.textContent || '') && !document.querySelector('#fix .bad'));
            await page.fill('#quick-note', 'field-test: stall on the pavement');
            await page.tap('#quick-submit');
            await page.waitForSelector('#patrol-fixes');
            const id = await page.evaluate(() => window.streetchiefField.patrol.state.id);

            // Reloaded offline: the patrol goes on recording where it was.
            await page.reload();
            await page.waitForSelector('#tabs:not([hidden])');
            await page.tap('[data-tab="patrol"]');
            await page.waitForFunction(() => document.querySelector('#patrol-fixes')?.textContent === '11');
            for (let i = 11; i < 16; i++) await step(i);
            const shown = await page.textContent('#patrol-distance');
            await ctx.setOffline(false);
            await page.tap('#patrol-end');
            await page.waitForSelector('#patrol-start');
            await sentAll(page);
            assert.equal(await page.$eval('#queue-count', (el) => el.dataset.attention), '0', 'the server refused a record');

            // The server's verdict, in words: a walk of seconds is too short to be a patrol.
            await page.waitForFunction(() => /核验通过|<li>|太短|太少/.test(document.querySelector('#patrol-result')?.innerHTML || ''));
            const verdict = await page.textContent('#patrol-result');
            assert.doesNotMatch(verdict, /proof\./, 'a reason without its words');
            assert.match(verdict, /时间太短/);
            await page.tap('[data-tab="today"]');
            await page.waitForSelector(`#patrols [data-patrol="${id}"] .tag.bad`);
            const doc = await admin.get(`/api/v1/patrols/${id}`);
            assert.deepEqual(doc.geometry.coordinates.map(([x, y]) => [Math.round(x * 1e7) / 1e7, Math.round(y * 1e7) / 1e7]), path,
                'the track is the path walked, each point once, in order');
            const events = doc.properties.events || [];
            assert.equal(events.filter((ev) => ev.kind === 'incident').length, 1, `one case tied to the track: ${JSON.stringify(events)}`);
            assert.match(shown, /米|km|公里/);
            const list = await admin.get(`/api/v1/patrols?person=${lane.user.person_id}`);
            assert.equal(list.patrols.filter((p) => p.id === id).length, 1, 'the patrol was filed once');
            assert.deepEqual(page.seen.foreign, [], 'requests left localhost');
        } finally {
            await ctx.close();
        }
    });

    test('a shop closed while the phone was offline: the refused inspection is shown with its reason until dismissed, the rest goes on', async () => {
        const inspector = await apiSession(server.base, 'inspector', 'demo-inspector-2026');
        const due = (await inspector.get('/api/v1/merchants?due=today&limit=1000')).features.sort((a, b) => b.id - a.id).slice(0, 2);
        assert.equal(due.length, 2);
        const page = await phone(due[0].geometry.coordinates);
        const ctx = page.context();
        try {
            await signIn(page, 'inspector');
            await page.waitForSelector(`[data-merchant="${due[0].id}"]`);
            // English on the switch, and back.
            await page.tap('#lang');
            assert.equal(await page.textContent('[data-tab="today"]'), 'Today');
            assert.match(await page.textContent('#shops h3'), /Shops to inspect today/);
            await page.tap('#lang');
            assert.equal(await page.textContent('[data-tab="today"]'), '今日');
            // One hand on a phone: big targets, nothing wider than the screen.
            const small = await page.$$eval('#bar button, #screen button, #tabs button', (els) => els.filter((b) => b.getClientRects().length && b.getBoundingClientRect().height < 44)
                .map((b) => b.textContent));
            assert.deepEqual(small, [], 'tap targets under 44 px');
            assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390);
            await ctx.setOffline(true);
            await inspect(page, due[0], {note: 'field-test closed meanwhile'});
            await moveTo(page, due[1].geometry.coordinates);
            await inspect(page, due[1], {note: 'field-test after the refused one'});
            await admin.post(`/api/v1/merchants/${due[0].id}/status`, {status: 'closed', since: beijingDay(), note: 'field test'});
            await ctx.setOffline(false);
            await sentAll(page);
            await page.waitForFunction(() => document.querySelector('#queue-count').dataset.attention === '1');
            assert.match(await page.textContent('#queue-count'), /1 条需处理/);

            // Kept on the device, reload or not, with the server's reason in the user's language first.
            await page.reload();
            await page.tap('#queue-count');
            await page.waitForSelector('#attention li.refused');
            const text = await page.textContent('#attention li.refused');
            assert.match(text, /门前三包检查/);
            assert.match(text, /服务器未接受/);
            assert.match(text, /closed/);
            const visits = (await admin.get(`/api/v1/inspections?person=${inspector.user.person_id}&from=${beijingDay()}&to=${beijingDay()}&limit=500`)).visits;
            const notes = visits.flatMap((v) => v.records).map((r) => r.note);
            assert.equal(notes.filter((n) => n === 'field-test after the refused one').length, 1, 'the record after the refused one was sent');
            assert.equal(notes.filter((n) => n === 'field-test closed meanwhile').length, 0);
            await page.tap('[data-dismiss]');
            await page.waitForFunction(() => document.querySelector('#queue-count').hidden);

            // A vendor seen, with a photo: JSON with the photo in base64, the route's only form.
            const stall = [due[1].geometry.coordinates[0] + 0.0003, due[1].geometry.coordinates[1]];
            await moveTo(page, stall, 15);
            await page.tap('[data-tab="today"]');
            await page.tap('#act-sighting');
            await page.waitForFunction(() => /\d/.test(document.querySelector('#fix span')?.textContent || '') && !document.querySelector('#fix .bad'));
            const png = new PNG({width: 40, height: 30});
            png.data.fill(90);
            await page.setInputFiles('.photo-input', {name: 'stall.png', mimeType: 'image/png', buffer: PNG.sync.write(png)});
            await page.waitForSelector('.thumb img');
            await page.fill('#quick-note', 'field-test: a fruit cart');
            await page.tap('#quick-submit');
            await page.waitForSelector('#shops');
            // The queue chip is redrawn at most every 150 ms, so an empty chip may predate the record:
            // the server is asked until the sighting is there.
            const seen = async () => (await admin.get(`/api/v1/vendor-sightings?day=${beijingDay()}`)).sightings.filter((x) => x.note === 'field-test: a fruit cart');
            for (let i = 0; i < 100 && (await seen()).length === 0; i++) await new Promise((r) => setTimeout(r, 300));
            await sentAll(page);
            assert.equal(await page.$eval('#queue-count', (el) => el.dataset.attention), '0', 'the server refused the sighting');
            const sightings = await seen();
            assert.equal(sightings.length, 1, 'the sighting arrived once');
            assert.ok(Math.abs(sightings[0].lon - stall[0]) < 1e-6 && Math.abs(sightings[0].lat - stall[1]) < 1e-6 && sightings[0].accuracy_m === 15);
            assert.equal(sightings[0].photos, 1);

            // The session ends (cookies gone): a report waits for the user to sign in again rather than
            // go as an anonymous citizen's, and goes once they have.
            await ctx.clearCookies();
            await page.tap('#act-report');
            await page.waitForFunction(() => document.querySelectorAll('#report-category option').length > 1);
            await page.selectOption('#report-category', '01-03');
            await page.waitForFunction(() => /\d/.test(document.querySelector('#fix span')?.textContent || '') && !document.querySelector('#fix .bad'));
            await page.fill('#quick-note', 'field-test: after the session ended');
            await page.tap('#quick-submit');
            await page.waitForSelector('#signin-password');
            assert.equal(await page.inputValue('#signin-username'), 'inspector');
            // The chip is redrawn a moment after the queue changes (the app coalesces its redraws).
            await page.waitForFunction(() => document.querySelector('#queue-count').dataset.waiting === '1', null, {timeout: 5000});
            await page.fill('#signin-password', 'demo-inspector-2026');
            await page.tap('#signin-submit');
            await page.waitForSelector('#shops');
            await sentAll(page);
            const late = (await admin.get('/api/v1/incidents?limit=50')).incidents.filter((c) => c.description === 'field-test: after the session ended');
            assert.equal(late.length, 1, 'the report arrived once');
            const [first] = (await admin.get(`/api/v1/incidents/${late[0].id}`)).events;
            assert.match(first.actor, /inspector/, `reported by ${first.actor}`);

            // The map: its chunk only now, the city's own tiles, and the patch kept for offline.
            const chunks = [];
            page.on('request', (r) => /field-chunk/.test(r.url()) && chunks.push(r.url()));
            await page.tap('[data-tab="map"]');
            await page.waitForFunction(() => {
                const m = window.streetchiefFieldMap;
                return m && m.loaded() && m.areTilesLoaded();
            }, null, {timeout: 30000});
            assert.ok(chunks.length > 0 || page.seen.requests.some((u) => /field-chunk/.test(u)), 'the map came as its own chunk');
            await page.tap('#save-patch');
            await page.waitForFunction(() => /已保存 \d+ 张/.test(document.querySelector('#patch-progress')?.textContent || ''), null, {timeout: 120000});
            const saved = await page.evaluate(async () => (await (await caches.open('field-tiles')).keys()).length);
            assert.ok(saved > 50, `${saved} tiles kept`);
            assert.ok(await page.evaluate(() => !!window.streetchiefFieldMap.getLayer('patrols')), 'the patrols layer of this server');

            // Offline and reloaded, the map draws the patch from what was kept.
            await ctx.setOffline(true);
            await page.reload();
            await page.waitForSelector('#tabs:not([hidden])');
            await page.tap('[data-tab="map"]');
            await page.waitForFunction(() => {
                const m = window.streetchiefFieldMap;
                return m && m.loaded() && m.areTilesLoaded() && !m.isMoving();
            }, null, {timeout: 30000});
            await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
            const shot = PNG.sync.read(await page.locator('#map canvas').screenshot());
            let drawn = 0;
            for (let i = 0; i < shot.data.length; i += 4) {
                if (Math.abs(shot.data[i] - 0xf4) + Math.abs(shot.data[i + 1] - 0xf1) + Math.abs(shot.data[i + 2] - 0xea) > 24) drawn++;
            }
            assert.ok(drawn / (shot.width * shot.height) > 0.2, `offline, the map drew ${drawn} of ${shot.width * shot.height} pixels`);
            await ctx.setOffline(false);
            assert.deepEqual(page.seen.foreign, [], 'requests left localhost');
        } finally {
            await ctx.close();
        }
    });
});
