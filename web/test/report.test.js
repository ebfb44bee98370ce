// Browser tests of reporting a problem from the street and following it (report.js, track.js), on a
// desktop (1280×800) and a phone (390×844): a citizen without signing in, and the demo lane chief.
import assert from 'node:assert/strict';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {tmpdir} from 'node:os';
import {after, before, describe, test} from 'node:test';

import {PNG} from 'pngjs';

import {Browser, apiSession, clean, open, signIn, startServer} from './harness.js';

let server;
let browser;
let admin;
let spot; // a point in the lane chief's community, and its lookup answer

before(async () => {
    browser = await Browser.launch();
    server = await startServer();
    admin = await apiSession(server.base, 'admin', 'demo-admin-2026');
    spot = await pointInLaneChiefsCommunity();
});

after(async () => {
    await browser?.close();
    await server?.stop();
});

// pointInLaneChiefsCommunity walks a grid over the community's box until the lookup places a point
// in it, so the fix the browser is given lies where the lane chief works.
async function pointInLaneChiefsCommunity() {
    const lane = await apiSession(server.base, 'lanechief', 'demo-lanechief-2026');
    const [community] = lane.user.scope.communities;
    const unit = await lane.get(`/api/v1/admin-units/${community}`);
    let [w, s, e, n] = [180, 90, -180, -90];
    const walk = (c) => (typeof c[0] === 'number'
        ? ([w, s, e, n] = [Math.min(w, c[0]), Math.min(s, c[1]), Math.max(e, c[0]), Math.max(n, c[1])])
        : c.forEach(walk));
    walk(unit.geometry.coordinates);
    for (let i = 1; i < 8; i++) {
        for (let j = 1; j < 8; j++) {
            const lon = w + ((e - w) * i) / 8;
            const lat = s + ((n - s) * j) / 8;
            const answer = await (await fetch(`${server.base}/api/v1/lookup?lon=${lon}&lat=${lat}`)).json();
            if (answer.community?.id === community) return {lon, lat, community};
        }
    }
    throw new Error(`no point found in community ${community}`);
}

// expectedRecipient is whom the routing rule gives a report at the point: an area manager of an area
// the point lies in, else the lane chief, else the street chief (internal/incidents routeAnswer).
async function expectedRecipient(lon, lat) {
    const a = await (await fetch(`${server.base}/api/v1/lookup?lon=${lon}&lat=${lat}`)).json();
    for (const area of a.areas) {
        const m = area.distance_m === 0 && area.responsible.find((p) => p.role === 'area_manager');
        if (m) return m.name;
    }
    return a.community?.lane_chief?.name || a.subdistrict?.street_chief?.name || '';
}

// bigPhoto is a PNG larger than the form keeps (2400×1800), with a gradient and some noise so that
// it does not compress to nothing.
function bigPhoto() {
    const width = 2400;
    const height = 1800;
    const png = new PNG({width, height});
    let seed = 7;
    for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
            seed = (seed * 1103515245 + 12345) & 0x7fffffff;
            const i = (y * width + x) * 4;
            png.data[i] = (x * 255) / width;
            png.data[i + 1] = (y * 255) / height;
            png.data[i + 2] = seed & 63;
            png.data[i + 3] = 255;
        }
    }
    return PNG.sync.write(png);
}

function smallPhoto(n) {
    const png = new PNG({width: 20, height: 10});
    for (let i = 0; i < png.data.length; i += 4) png.data.set([n * 30, 120, 200, 255], i);
    return PNG.sync.write(png);
}

// jpegSize reads a JPEG's width and height from its start-of-frame segment.
function jpegSize(b) {
    assert.ok(b[0] === 0xff && b[1] === 0xd8, 'not a JPEG');
    for (let i = 2; i < b.length - 9;) {
        if (b[i] !== 0xff) throw new Error(`bad JPEG marker at ${i}`);
        const marker = b[i + 1];
        const len = b.readUInt16BE(i + 2);
        if (marker >= 0xc0 && marker <= 0xc3) return {height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7)};
        i += 2 + len;
    }
    throw new Error('no frame in JPEG');
}

// fitsWidth asserts that nothing on the page, the panel's contents included, reaches past the screen.
async function fitsWidth(page, what) {
    const wide = await page.evaluate(() => {
        const out = [];
        for (const el of document.querySelectorAll('#panel *, #bar *')) {
            const r = el.getBoundingClientRect();
            if (r.width > 0 && el.offsetParent !== null && r.right > innerWidth + 0.5) out.push(`${el.tagName}#${el.id}.${el.className}: ${r.right}`);
        }
        return {scroll: document.documentElement.scrollWidth, width: innerWidth, out: out.slice(0, 5)};
    });
    assert.ok(wide.scroll <= wide.width, `${what}: page is ${wide.scroll}px wide`);
    assert.deepEqual(wide.out, [], `${what}: elements past the right edge`);
}

// fillReport picks the first 大类 with subcategories and one of its 小类, and describes the problem.
async function fillReport(page, description) {
    await page.waitForSelector('#report-parent option:nth-child(2)', {state: 'attached'});
    const parent = await page.$eval('#report-parent', (s) => s.options[1].value);
    await page.selectOption('#report-parent', parent);
    await page.waitForSelector('#report-category');
    const category = await page.$eval('#report-category', (s) => s.options[s.options.length - 1].value);
    await page.selectOption('#report-category', category);
    await page.fill('#report-description', description);
    return category;
}

// locate grants the page the position (with an accuracy) and presses "locate me".
async function locate(page, lon, lat, accuracy) {
    await page.context().setGeolocation({longitude: lon, latitude: lat, accuracy});
    await page.click('#report-locate');
    await page.waitForFunction((m) => document.querySelector('#report-accuracy')?.textContent.includes(String(m)), accuracy);
    await page.waitForSelector('#report-recipient');
}

// send presses Send and answers the receipt the server gave, and the request's headers.
async function send(page) {
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/incidents') && r.request().method() === 'POST');
    await page.click('#report-submit');
    const res = await answered;
    assert.equal(res.status(), 201, await res.text());
    await page.waitForSelector('#report-number');
    return {receipt: await res.json(), headers: res.request().headers()};
}

async function citizenPage(size) {
    const page = await browser.page(size);
    await page.context().grantPermissions(['geolocation'], {origin: server.base});
    return page;
}

for (const size of [{width: 1280, height: 800}, {width: 390, height: 844}]) {
    const phone = size.width < 600;
    describe(`reporting at ${size.width}×${size.height}`, () => {
        test('a citizen reports with a photo and a GPS fix, and follows it by the tracking number', async (t) => {
            const page = await citizenPage(size);
            try {
                await open(page, `${server.base}/#report`);
                assert.equal(await page.locator('#panel-report').isVisible(), true);
                await fillReport(page, '人行道上有人占道摆摊');

                const original = bigPhoto();
                const files = [{name: 'street.png', mimeType: 'image/png', buffer: original}];
                if (!phone) {
                    // A file that is no picture is refused with a message; a seventh photo too.
                    await page.setInputFiles('#report-photos', {name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello')});
                    await page.waitForSelector('#report-photo-error');
                    assert.match(await page.textContent('#report-photo-error'), /notes\.txt/);
                    for (let i = 0; i < 6; i++) files.push({name: `small-${i}.png`, mimeType: 'image/png', buffer: smallPhoto(i)});
                }
                await page.setInputFiles('#report-photos', files);
                await page.waitForFunction((n) => document.querySelectorAll('.report-thumbs li').length === n, phone ? 1 : 6);
                if (!phone) {
                    assert.match(await page.textContent('#report-photo-error'), /6/);
                    assert.equal(await page.locator('#report-photos').isDisabled(), true, 'a seventh photo may still be added');
                    await page.click('.report-thumbs li:last-child .thumb-remove');
                    await page.waitForFunction(() => document.querySelectorAll('.report-thumbs li').length === 5);
                    // A poor fix is warned of; a good one is not.
                    await locate(page, spot.lon, spot.lat, 250);
                    await page.waitForSelector('#report-accuracy-warning');
                }
                await locate(page, spot.lon, spot.lat, 12);
                assert.equal(await page.locator('#report-accuracy-warning').count(), 0);
                assert.match(await page.textContent('#report-accuracy'), /12/);
                const want = await expectedRecipient(spot.lon, spot.lat);
                assert.ok(want, 'nobody is responsible at the test point');
                const shown = await page.textContent('#report-recipient');
                assert.ok(shown.includes(want), `the form says "${shown}", the lookup gives ${want}`);
                if (phone) await fitsWidth(page, 'the report form');

                const {receipt, headers} = await send(page);
                assert.match(headers['idempotency-key'] || '', /^web-[0-9a-f]{32}$/);
                assert.match(headers['content-type'] || '', /^multipart\/form-data/);
                assert.equal(receipt.assignee?.name, want, 'the server routed it to someone else than the form said');
                assert.equal(receipt.photos, phone ? 1 : 5);
                assert.match(receipt.tracking_number, /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
                assert.equal(await page.textContent('#report-number'), receipt.tracking_number);
                const link = await page.inputValue('#report-link');
                assert.ok(link.includes(`#track=${receipt.tracking_number}`) && link.includes(`token=${receipt.verification_token}`), link);

                // The photo arrived made small: a JPEG, its longest side 1600, fewer bytes than the PNG.
                const res = await fetch(`${server.base}/api/v1/incidents/${receipt.id}/photos/1`, {headers: {Cookie: admin.cookie}});
                assert.equal(res.status, 200);
                assert.equal(res.headers.get('content-type'), 'image/jpeg');
                const stored = Buffer.from(await res.arrayBuffer());
                const dims = jpegSize(stored);
                assert.deepEqual(dims, {width: 1600, height: 1200});
                assert.ok(stored.length < original.length, `stored ${stored.length} bytes of a ${original.length}-byte original`);
                t.diagnostic(`photo: a ${original.length}-byte 2400×1800 PNG arrived as a ${stored.length}-byte ${dims.width}×${dims.height} JPEG`);

                // The tracking view, from the receipt's link.
                await page.click('#report-track');
                await page.waitForSelector('#track-status .badge');
                assert.match(await page.textContent('#track-status'), /已分派/);
                assert.ok((await page.textContent('#track-with')).includes(want));
                assert.ok((await page.textContent('#track-place')).length > 0);
                assert.ok(await page.locator('#track-history li').count() >= 1);
                const pin = await page.evaluate(() => {
                    const r = document.querySelector('#track-pin')?.getBoundingClientRect();
                    return r && {x: r.left + r.width / 2, y: r.bottom};
                });
                assert.ok(pin, 'the case is not marked on the map');
                if (phone) await fitsWidth(page, 'the tracking view');
                writeFileSync(join(tmpdir(), `streetchief-report-${size.width}.png`), await page.screenshot());

                if (!phone) {
                    // Anyone with the number sees it; only the link with the token may confirm.
                    const street = await apiSession(server.base, 'streetchief', 'demo-streetchief-2026');
                    for (const to of ['in_progress', 'resolved']) await street.post(`/api/v1/incidents/${receipt.id}/transitions`, {to, note: '已清理'});
                    // Typed as a person would, from the report tab's box.
                    await page.click('#tabs [data-tab="report"]');
                    await page.click('#report-another');
                    await page.fill('#track-number', receipt.tracking_number.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'o'));
                    await page.press('#track-number', 'Enter');
                    await page.waitForSelector('#track-check-hint');
                    await page.evaluate((l) => (location.href = l), link);
                    await page.waitForSelector('#track-confirm');
                    await page.click('#track-confirm');
                    await page.waitForFunction(() => /已关闭/.test(document.querySelector('#track-status')?.textContent || ''));
                    assert.match(await page.textContent('#track-history'), /报告人/);
                    // An unknown number says so.
                    await page.evaluate(() => (location.hash = '#track=ZZZZ-ZZZZ-ZZZZ'));
                    await page.waitForSelector('#track-error');
                    page.seen.failed = page.seen.failed.filter((f) => !f.includes('/api/v1/tracking/ZZZZ-ZZZZ-ZZZZ: HTTP 404'));
                    page.seen.errors = page.seen.errors.filter((e) => !/404/.test(e));
                }
                clean(page);
            } finally {
                await page.context().close();
            }
        });

        if (!phone) {
            test('a send whose answer is lost, sent again, files one case', async () => {
                const page = await citizenPage(size);
                try {
                    let first = null;
                    await page.route('**/api/v1/incidents', async (route) => {
                        if (first || route.request().method() !== 'POST') return route.continue();
                        // The server gets the report and files it; the answer never reaches the phone.
                        const res = await route.fetch();
                        first = {status: res.status(), body: await res.json(), key: route.request().headers()['idempotency-key']};
                        await route.abort('connectionreset');
                    });
                    await open(page, `${server.base}/#report`);
                    await fillReport(page, '井盖缺失');
                    // A tap on the map drops the pin there, instead of opening the lookup; dragging moves it.
                    const map = await page.locator('#map').boundingBox();
                    await page.mouse.click(map.x + map.width / 2, map.y + map.height / 2);
                    await page.waitForSelector('#report-recipient');
                    assert.equal(await page.locator('.lookup-popup').count(), 0, 'the lookup popup opened on the report tab');
                    const dropped = await page.textContent('#report-coords');
                    const pin = await page.locator('#report-pin').boundingBox();
                    await page.mouse.move(pin.x + pin.width / 2, pin.y + pin.height / 2);
                    await page.mouse.down();
                    await page.mouse.move(pin.x + pin.width / 2 + 40, pin.y + pin.height / 2 + 30, {steps: 5});
                    await page.mouse.up();
                    await page.waitForFunction((before) => document.querySelector('#report-coords')?.textContent !== before, dropped);
                    await page.waitForSelector('#report-recipient');
                    // A spot outside every subdistrict goes to the district duty desk, as the server routes it.
                    await page.evaluate(() => window.streetchief.map.jumpTo({center: [116.5, 24.5]}));
                    await page.mouse.click(map.x + map.width / 2, map.y + map.height / 2);
                    await page.waitForFunction(() => /区值班台/.test(document.querySelector('#report-recipient')?.textContent || ''));
                    await locate(page, spot.lon + 0.0001, spot.lat, 10);
                    await page.click('#report-submit');
                    await page.waitForSelector('#report-error');
                    assert.equal(first?.status, 201, 'the first send did not reach the server');
                    const {receipt, headers} = await send(page);
                    assert.equal(headers['idempotency-key'], first.key, 'the retry went with another key');
                    assert.equal(receipt.id, first.body.id, 'the retry filed a second case');
                    assert.equal(receipt.tracking_number, first.body.tracking_number);
                    const lost = (s) => /\/api\/v1\/incidents\b/.test(s) && /CONNECTION_RESET|ERR_FAILED/.test(s);
                    page.seen.failed = page.seen.failed.filter((f) => !lost(f));
                    page.seen.errors = page.seen.errors.filter((e) => !/CONNECTION_RESET|ERR_FAILED/.test(e));
                    clean(page);
                } finally {
                    await page.context().close();
                }
            });
        } else {
            test('in English the report form and the tracking box fit the phone', async () => {
                const page = await citizenPage(size);
                try {
                    await open(page, `${server.base}/#report`);
                    await page.click('#lang');
                    await fillReport(page, 'A stall blocks the pavement');
                    await page.setInputFiles('#report-photos', [0, 1, 2, 3, 4, 5].map((i) => ({name: `p${i}.png`, mimeType: 'image/png', buffer: smallPhoto(i)})));
                    await page.waitForFunction(() => document.querySelectorAll('.report-thumbs li').length === 6);
                    await locate(page, spot.lon, spot.lat, 180);
                    assert.match(await page.textContent('#report-recipient'), /This will go to/);
                    await page.waitForSelector('#report-accuracy-warning');
                    await fitsWidth(page, 'the English report form');
                    writeFileSync(join(tmpdir(), 'streetchief-report-form-390-en.png'), await page.screenshot());
                    await page.click('#lang');
                    clean(page);
                } finally {
                    await page.context().close();
                }
            });
        }

        test('the lane chief reports in their community and finds the case in their list', async () => {
            const page = await citizenPage(size);
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'lanechief', 'demo-lanechief-2026');
                await page.click('#tabs [data-tab="report"]');
                assert.match(await page.textContent('#panel-report .hint'), /lanechief/);
                await fillReport(page, '巷口垃圾堆积');
                await page.setInputFiles('#report-photos', {name: 'lane.png', mimeType: 'image/png', buffer: smallPhoto(3)});
                await page.waitForSelector('.report-thumbs li');
                // Nudged a little, so this report is not the citizen's, a few metres away.
                const lon = spot.lon + 0.00005;
                await locate(page, lon, spot.lat, 8);
                const want = await expectedRecipient(lon, spot.lat);
                assert.ok((await page.textContent('#report-recipient')).includes(want));
                const {receipt, headers} = await send(page);
                assert.ok(headers['x-csrf-token'], 'the signed-in report went without the CSRF header');
                assert.equal(receipt.assignee?.name, want);
                await page.click('#tabs [data-tab="incidents"]');
                await page.waitForSelector(`#incident-list [data-incident="${receipt.id}"]`);
                if (phone) await fitsWidth(page, 'the lane chief\'s incidents');
                clean(page);
            } finally {
                await page.context().close();
            }
        });
    });
}
