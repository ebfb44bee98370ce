// Browser tests of the volunteer tab (志愿) against the real server and the demo city: the district
// leader reads the organisation's contracts with their paid/remaining bars, the monthly chart and the
// totals, sees the activities on the map and books a payment; the lane chief records an activity in
// their community with a photo and a point from the map, and sees no payment form; at 1280×800 and on
// a 390×844 phone, in Chinese and English. A department liaison has no such tab.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';

import {PNG} from 'pngjs';

import {Browser, apiSession, clean, mapIdle, open, signIn, startServer} from './harness.js';

let server;
let browser;

before(async () => {
    browser = await Browser.launch();
    server = await startServer();
});

after(async () => {
    await browser?.close();
    await server?.stop();
});

const year = new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
const ACCOUNTS = new Set(['leader', 'lanechief']);
const latin = (texts) => [...new Set(texts.join('\n').match(/[A-Za-z][A-Za-z0-9-]*/g) || [])].filter((w) => !ACCOUNTS.has(w));
const panelTexts = (page) => page.$$eval('#panel-volunteers *', (els) => els.filter((e) => !e.closest('[hidden]'))
    .flatMap((e) => [e.children.length === 0 ? e.textContent : '', e.getAttribute('placeholder') || '', e.getAttribute('aria-label') || '']));

async function openVolunteers(page) {
    await page.click('#tabs [data-tab="volunteers"]');
    await page.waitForSelector('#panel-volunteers:not([hidden]) #vol-activities');
}

async function fitsTheScreen(page, width, what) {
    const fit = await page.evaluate(() => {
        const p = document.querySelector('#panel');
        return {page: document.documentElement.scrollWidth, panel: p.scrollWidth - p.clientWidth};
    });
    assert.ok(fit.page <= width && fit.panel <= 0, `${what}: ${JSON.stringify(fit)}`);
}

// renderedActivities counts the activity points MapLibre has drawn in the view.
const renderedActivities = (page) => page.evaluate(() => {
    const m = window.streetchief.map;
    return m.getLayer('volunteer-activities-point') ? m.queryRenderedFeatures({layers: ['volunteer-activities-point']}).length : -1;
});

for (const [width, height] of [[1280, 800], [390, 844]]) {
    describe(`the volunteer tab at ${width}×${height}`, () => {
        test('the district leader reads contracts, totals and the map layer and books a payment, in Chinese and English', async () => {
            const leader = await apiSession(server.base, 'leader', 'demo-leader-2026');
            const contracts = (await leader.get(`/api/v1/volunteer-contracts?year=${year}`)).contracts;
            assert.equal(contracts.length, 1, 'the demo holds this year\'s contract');
            const c = contracts[0];
            assert.equal(c.org_name, '新罗区志愿服务中心');
            assert.equal(c.yuan, 1000000);
            assert.equal(c.paid + c.remaining, c.yuan);
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'leader', 'demo-leader-2026');
                for (const lang of ['zh', 'en']) {
                    if (lang === 'en') await page.click('#lang');
                    await openVolunteers(page);
                    assert.equal(await page.locator('#panel-volunteers h2').innerText(), lang === 'zh' ? '志愿服务' : 'Volunteer services');
                    const row = page.locator(`.vol-contract[data-contract="${c.id}"]`);
                    assert.match(await row.innerText(), /新罗区志愿服务中心/);
                    const bar = await row.locator('.vol-bar-paid').evaluate((e) => e.style.width);
                    assert.equal(Number.parseFloat(bar).toFixed(1), ((c.paid / c.yuan) * 100).toFixed(1), 'the bar is the share paid');
                    assert.equal(await page.locator('#vol-chart .vol-chart-bar').count(), 12);
                    assert.ok(await page.locator('#vol-totals tbody tr').count() > 7, 'rows per community and month');
                    assert.equal(await page.locator('#vol-record').count(), 0, 'a district leader records no activity');
                    assert.equal(await page.getAttribute('#vol-xlsx', 'href'), `/api/v1/volunteer-totals?year=${year}&format=xlsx&lang=${lang}`);
                    await mapIdle(page);
                    await page.waitForFunction(() => window.streetchief.map.getLayer('volunteer-activities-point'));
                    if (lang === 'zh') {
                        assert.deepEqual(latin(await panelTexts(page)), [], 'no Latin system text in Chinese');
                        await page.evaluate(() => window.streetchief.mapView.frameDistrict(true));
                        await mapIdle(page);
                        assert.ok(await renderedActivities(page) > 0, 'the activities are drawn on the map');
                    }
                    await fitsTheScreen(page, width, lang);
                }
                // A payment of 1,000.50 yuan, in English.
                await page.fill('#vol-pay-yuan', '1000.50');
                await page.fill('#vol-pay-note', `季度服务费${width}`);
                await page.click('#vol-pay-submit');
                await page.waitForFunction((paid) => document.querySelector('.vol-contract .vol-paid')?.textContent.includes(paid),
                    (c.paid + 1000.5).toLocaleString('en-GB', {minimumFractionDigits: 2}));
                const after = (await leader.get(`/api/v1/volunteer-contracts/${c.id}`));
                assert.equal(Math.round(after.paid * 100), Math.round(c.paid * 100) + 100050);
                assert.equal(Math.round((after.paid + after.remaining) * 100), 100000000);
                const entries = (await leader.get(`/api/v1/funds/entries?year=${year}&source=volunteer_payment`)).entries;
                const last = after.payments[after.payments.length - 1];
                assert.deepEqual(entries.filter((e) => last.ledger_entries.includes(e.id)).map((e) => e.yuan).sort(), [-500.25, -500.25]);
                // Leaving the tab takes the layer off the map.
                await page.click('#tabs [data-tab="map"]');
                assert.equal(await page.evaluate(() => !!window.streetchief.map.getLayer('volunteer-activities-point')), false);
                await page.click('#lang');
                clean(page);
            } finally {
                await page.context().close();
            }
        });

        test('the lane chief records an activity with a photo and a point on the map, in Chinese and English', async () => {
            const lane = await apiSession(server.base, 'lanechief', 'demo-lanechief-2026');
            const com = lane.user.scope.communities[0];
            const mine = await lane.get('/api/v1/volunteer-activities?format=geojson');
            let point = mine.features[0]?.geometry.coordinates;
            if (!point) {
                const unit = await lane.get(`/api/v1/admin-units/${com}`);
                const ring = unit.geometry.coordinates.flat(2);
                point = [ring.reduce((s, p) => s + p[0], 0) / ring.length, ring.reduce((s, p) => s + p[1], 0) / ring.length];
            }
            const before = mine.features.length;
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'lanechief', 'demo-lanechief-2026');
                const texts = [];
                for (const lang of ['zh', 'en']) {
                    if (lang === 'en') await page.click('#lang');
                    await openVolunteers(page);
                    assert.equal(await page.locator('#vol-pay').count(), 0, 'a lane chief books no payment');
                    await page.click('#vol-record');
                    await page.waitForSelector('#vol-form');
                    if (lang === 'zh') texts.push(...await panelTexts(page));
                    await fitsTheScreen(page, width, `${lang} form`);
                    if (lang === 'zh') {
                        await page.click('#vol-cancel');
                        continue;
                    }
                    await page.fill('#vol-description', '清理小巷垃圾');
                    await page.fill('#vol-head', '4');
                    await page.fill('#vol-hours', '1.5');
                    const first = page.locator('#vol-people input').first();
                    if (await first.count()) await first.check();
                    await page.setInputFiles('#vol-photos', {name: 'lane.png', mimeType: 'image/png', buffer: PNG.sync.write(new PNG({width: 4, height: 3}))});
                    await page.evaluate((p) => window.streetchief.map.jumpTo({center: p, zoom: 16}), point);
                    await mapIdle(page);
                    if (width >= 600) {
                        // A click on the map places it.
                        const xy = await page.evaluate((p) => window.streetchief.map.project(p), point);
                        const box = await page.locator('#map').boundingBox();
                        await page.mouse.click(box.x + xy.x, box.y + xy.y);
                    } else {
                        await page.click('#vol-centre');
                    }
                    await page.waitForFunction(() => /\d/.test(document.querySelector('#vol-place').textContent));
                    await page.click('#vol-submit');
                    await page.waitForSelector('#vol-activities li img');
                }
                assert.deepEqual(latin(texts), [], 'no Latin system text in Chinese');
                const now = await lane.get('/api/v1/volunteer-activities?format=geojson');
                assert.equal(now.features.length, before + 1);
                const recorded = (await lane.get('/api/v1/volunteer-activities?limit=1')).activities[0];
                assert.equal(recorded.community_id, com);
                assert.equal(recorded.photos, 1);
                assert.equal(recorded.hours_each, 1.5);
                await page.click('#lang');
                clean(page);
            } finally {
                await page.context().close();
            }
        });
    });
}

describe('the volunteer tab for others', () => {
    test('a department liaison has no volunteer tab and the API refuses them', async () => {
        const liaison = await apiSession(server.base, 'liaison', 'demo-liaison-2026');
        await assert.rejects(liaison.get('/api/v1/volunteer-activities'), /403/);
        const page = await browser.page({width: 1280, height: 800});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'liaison', 'demo-liaison-2026');
            assert.equal(await page.isVisible('#tabs [data-tab="volunteers"]'), false);
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});
