// Browser tests of the vendors panel (流动摊贩) against the real server and the demo city: the
// register and its zones as the API answers them, the repeat offender marked, a day's sightings
// with their incidents, on a desktop and a phone, in Chinese and English.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';

import {Browser, apiSession, clean, open, signIn, startServer} from './harness.js';

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

// beijingDay is the Beijing date of a time, as the API keeps sightings.
const beijingDay = (iso) => new Date(new Date(iso).getTime() + 8 * 3600e3).toISOString().slice(0, 10);

async function openVendors(page) {
    await page.click('#tabs [data-tab="vendors"]');
    await page.waitForSelector('#panel-vendors:not([hidden]) h3');
}

// showDay picks a day in the panel's date field and waits for its sightings.
async function showDay(page, day) {
    const answered = page.waitForResponse((r) => r.url().includes(`/api/v1/vendor-sightings?day=${day}`));
    await page.fill('#vendor-day', day);
    await page.dispatchEvent('#vendor-day', 'change');
    await answered;
    await page.waitForFunction(() => document.querySelector('#vendor-sightings'));
}

describe('the vendors panel', () => {
    let admin;
    let day;
    before(async () => {
        admin = await apiSession(server.base, 'admin', 'demo-admin-2026');
        // The day of the newest outside sighting: the panel lists it with its incident.
        const {repeat_offenders: offenders} = await admin.get('/api/v1/vendor-repeat-offenders');
        assert.equal(offenders.length, 1, 'the demo city has one repeat offender');
        day = beijingDay(offenders[0].record[0].at);
    });

    test('on a desktop, in Chinese then English: zones, vendors and a day of sightings as the API has them', async () => {
        const page = await browser.page({width: 1280, height: 800});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'admin', 'demo-admin-2026');
            await openVendors(page);
            const {zones} = await admin.get('/api/v1/vendor-zones');
            const {vendors} = await admin.get('/api/v1/vendors');
            assert.equal(await page.locator('#vendor-zones tbody tr').count(), zones.length);
            assert.equal(await page.locator('#vendor-list tbody tr').count(), vendors.length);
            assert.ok(vendors.length >= 4 * zones.length, `${vendors.length} vendors in ${zones.length} zones`);
            assert.equal(await page.locator('#vendor-list tr.repeat').count(), 1, 'one repeat offender marked');
            assert.match(await page.locator('#vendor-list tr.repeat').innerText(), /屡教不改/);
            assert.match(await page.locator('#vendor-zones tbody tr').first().innerText(), /\d\d:\d\d–\d\d:\d\d/);
            assert.equal(await page.locator('#panel-vendors h2').innerText(), '流动摊贩');

            await showDay(page, day);
            const {sightings} = await admin.get(`/api/v1/vendor-sightings?day=${day}`);
            assert.equal(await page.locator('#vendor-sightings li').count(), sightings.length);
            const withCase = sightings.find((s) => s.incident_id);
            assert.ok(withCase, `no outside sighting on ${day}`);
            const link = page.locator(`#vendor-sightings li[data-sighting="${withCase.id}"] a.incident-link`);
            assert.match(await link.innerText(), new RegExp(`#${withCase.incident_id}`));
            const width = await page.evaluate(() => {
                const p = document.querySelector('#panel');
                return {scroll: p.scrollWidth, client: p.clientWidth};
            });
            assert.ok(width.scroll <= width.client, `the panel scrolls sideways: ${JSON.stringify(width)}`);

            await page.click('#lang');
            assert.equal(await page.locator('#panel-vendors h2').innerText(), 'Mobile vendors');
            assert.equal(await page.locator('#vendor-list thead th').first().innerText(), 'Name');
            assert.match(await page.locator('#vendor-list tr.repeat').innerText(), /repeat offender/);
            assert.equal(await page.locator('#tabs [data-tab="vendors"]').innerText(), 'Vendors');

            await link.click();
            await page.waitForFunction((id) => location.hash === `#incidents/${id}`, withCase.incident_id);
            await page.waitForSelector('#panel-incidents:not([hidden])');
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('a street chief and a lane chief see the vendors of the zones in their scope only', async () => {
        const {vendors: all} = await admin.get('/api/v1/vendors');
        for (const who of ['streetchief', 'lanechief']) {
            const s = await apiSession(server.base, who, `demo-${who}-2026`);
            const {zones} = await s.get('/api/v1/vendor-zones');
            const {vendors} = await s.get('/api/v1/vendors');
            const mine = new Set(zones.map((z) => z.id));
            assert.deepEqual(vendors.map((v) => v.id).sort(), all.filter((v) => mine.has(v.zone.id)).map((v) => v.id).sort(),
                `${who}: the vendors of their zones, and only those`);
        }
    });

    test('on a phone, in Chinese and English: the tabs fit on one line each and the panel fits the screen', async () => {
        const page = await browser.page({width: 390, height: 844});
        try {
            await open(page, `${server.base}/`);
            // The administrator has every tab, the most a phone's header must hold.
            await signIn(page, 'admin', 'demo-admin-2026');
            const {vendors} = await admin.get('/api/v1/vendors');
            for (const lang of ['zh', 'en']) {
                if (lang === 'en') await page.click('#lang');
                await openVendors(page);
                await page.waitForTimeout(300);
                assert.equal(await page.locator('#vendor-list tbody tr').count(), vendors.length, `${lang}: the district's vendors`);
                const fit = await page.evaluate(() => {
                    const lineHeight = (el) => parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.4;
                    const tabs = [...document.querySelectorAll('#tabs [data-tab]')].filter((b) => !b.hidden)
                        .map((b) => ({tab: b.dataset.tab, height: b.getBoundingClientRect().height, line: lineHeight(b),
                            right: b.getBoundingClientRect().right}));
                    const p = document.querySelector('#panel').getBoundingClientRect();
                    return {scroll: document.documentElement.scrollWidth, tabs, panel: [p.left, p.right, p.top, p.bottom]};
                });
                assert.ok(fit.scroll <= 390, `${lang}: page is ${fit.scroll}px wide`);
                assert.ok(fit.tabs.some((b) => b.tab === 'vendors'), `${lang}: no vendors tab`);
                for (const tab of fit.tabs) {
                    assert.ok(tab.height <= 2 * tab.line + 16, `${lang}: tab wraps: ${JSON.stringify(tab)}`);
                    assert.ok(tab.right <= 390, `${lang}: tab off screen: ${JSON.stringify(tab)}`);
                }
                assert.ok(fit.panel[0] >= 0 && fit.panel[1] <= 390 && fit.panel[3] <= 844, `${lang}: panel at ${fit.panel}`);
            }
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});
