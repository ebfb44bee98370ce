// Browser tests of the 物业 panel against the real server and the demo city: the lane chief sees
// their community's compounds with their property managers, teams and building representatives, in
// the panel and in a compound's lookup popup; the district leader sees every community's summary on
// a phone, and the compounds with neither a manager nor a team among the gaps; in Chinese and English.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';

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

const ACCOUNTS = new Set(['leader', 'lanechief']);
const latin = (texts) => [...new Set(texts.join('\n').match(/[A-Za-z][A-Za-z0-9-]*/g) || [])].filter((w) => !ACCOUNTS.has(w));
const panelTexts = (page, sel) => page.$$eval(`${sel} *`, (els) => els.filter((e) => !e.closest('[hidden]'))
    .flatMap((e) => [e.children.length === 0 ? e.textContent : '', e.getAttribute('placeholder') || '', e.getAttribute('title') || '']));

const fits = async (page, width) => {
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `${width}px: the page is ${scroll}px wide`);
};

async function openPartners(page) {
    await page.click('#tabs [data-tab="partners"]');
    await page.waitForSelector('#panel-partners:not([hidden]) #partners-summary');
}

describe('the 物业 panel', () => {
    let lane;

    before(async () => {
        lane = await apiSession(server.base, 'lanechief', 'demo-lanechief-2026');
    });

    for (const size of [{width: 1280, height: 800}, {width: 390, height: 844, isMobile: true, hasTouch: true}]) {
        test(`at ${size.width}: the lane chief sees their community's compounds and a compound's partners in its popup`, async () => {
            const com = lane.user.scope.communities[0];
            const {compounds} = await lane.get('/api/v1/compounds');
            assert.ok(compounds.length > 0 && compounds.every((c) => c.community_id === com), 'the API lists only the lane chief\'s community');
            const managed = compounds.find((c) => c.manager);
            assert.ok(managed, 'a compound of the lane chief\'s community is managed');
            const page = await browser.page(size);
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'lanechief', 'demo-lanechief-2026');
                await openPartners(page);
                assert.equal(await page.locator('#panel-partners h2').innerText(), '小区物业与居民自治');
                assert.equal(await page.locator('#partners-summary tbody tr').count(), 1, 'one community in the summary');
                await page.waitForSelector(`#partners-compounds[data-community="${com}"] li[data-compound]`);
                assert.equal(await page.locator('#partners-compounds li[data-compound]').count(), compounds.length);
                const row = await page.locator(`#partners-compounds li[data-compound="${managed.id}"]`).innerText();
                assert.ok(row.includes(managed.manager.company) && row.includes('合同至'), `the managed compound: ${row}`);
                assert.deepEqual(latin(await panelTexts(page, '#panel-partners')), [], 'Latin text in the Chinese panel');
                await fits(page, size.width);

                await page.click('#lang');
                await page.waitForFunction(() => document.querySelector('#panel-partners h2')?.textContent === 'Property managers and residents');
                assert.ok((await page.locator(`#partners-compounds li[data-compound="${managed.id}"]`).innerText()).includes('contract to'));
                await fits(page, size.width);
                await page.click('#lang');

                // The compound's popup on the map names its manager.
                const area = await lane.get(`/api/v1/areas/${managed.id}`);
                const ring = area.geometry.type === 'MultiPolygon' ? area.geometry.coordinates[0][0] : area.geometry.coordinates[0];
                const xs = ring.map((p) => p[0]);
                const ys = ring.map((p) => p[1]);
                const centre = [(Math.min(...xs) + Math.max(...xs)) / 2, (Math.min(...ys) + Math.max(...ys)) / 2];
                await page.click('#tabs [data-tab="map"]');
                await page.evaluate((c) => window.streetchief.map.jumpTo({center: c, zoom: 17.5}), centre);
                await mapIdle(page);
                const at = await page.evaluate((c) => {
                    const p = window.streetchief.map.project(c);
                    const r = window.streetchief.map.getCanvas().getBoundingClientRect();
                    return {x: r.left + p.x, y: r.top + p.y};
                }, centre);
                await page.mouse.click(at.x, at.y);
                await page.waitForSelector(`.lookup-popup .compound-partners[data-compound="${managed.id}"]`);
                const popup = await page.locator('.lookup-popup .compound-partners').first().innerText();
                assert.ok(popup.includes(managed.manager.company), `popup: ${popup}`);
                clean(page);
            } finally {
                await page.context().close();
            }
        });
    }

    test('at 390 the lane chief signs a manager on for an unmanaged compound in Chinese, and changes a manager with its reason in English', async () => {
        const {compounds} = await lane.get('/api/v1/compounds');
        const bare = compounds.find((c) => !c.manager);
        const managed = compounds.find((c) => c.manager);
        assert.ok(bare && managed, 'the lane chief\'s community has a compound without a manager and one with');
        const companies = (await lane.get('/api/v1/property-companies')).companies;
        assert.ok(companies.length >= 2, 'the demo has property companies');
        const page = await browser.page({width: 390, height: 844, isMobile: true, hasTouch: true});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'lanechief', 'demo-lanechief-2026');
            await openPartners(page);
            await page.waitForSelector(`#partners-compounds li[data-compound="${bare.id}"] .partner-sign`);
            await page.tap(`.partner-sign[data-compound="${bare.id}"]`);
            await page.waitForSelector(`#partner-form[data-compound="${bare.id}"] #partner-company option`, {state: 'attached'});
            assert.equal(await page.locator('#partner-reason').count(), 0, 'no reason asked when nobody is replaced');
            assert.deepEqual(latin(await panelTexts(page, '#partner-form')), [], 'Latin text in the Chinese form');
            await fits(page, 390);
            const company = await page.$eval('#partner-company', (el) => el.selectedOptions[0].textContent);
            await page.tap('#partner-submit');
            await page.waitForFunction((id) => !document.querySelector('#partner-form') &&
                document.querySelector(`#partners-compounds li[data-compound="${id}"] .partner-manager`)?.textContent.includes('合同至'), bare.id);
            const signed = (await lane.get(`/api/v1/compounds/${bare.id}`));
            assert.equal(signed.manager?.company, company, 'the API has the company signed on');

            // A handover needs its reason, and the running contract ends with the new one's start.
            await page.click('#lang');
            await page.waitForFunction(() => document.querySelector('#panel-partners h2')?.textContent === 'Property managers and residents');
            await page.tap(`.partner-sign[data-compound="${managed.id}"]`);
            await page.waitForSelector(`#partner-form[data-compound="${managed.id}"] #partner-reason`);
            assert.equal(await page.locator('#partner-form h4').innerText(),
                `A new property manager for ${managed.name} (the running contract ends when the new one starts)`);
            const next = await page.$eval('#partner-company', (el) => el.selectedOptions[0].textContent);
            assert.notEqual(next, managed.manager.company, 'the company in place is not offered again');
            await page.tap('#partner-submit');
            assert.equal((await lane.get(`/api/v1/compounds/${managed.id}`)).manager.company, managed.manager.company, 'no handover without a reason');
            await page.fill('#partner-reason', 'contract not renewed after complaints');
            await fits(page, 390);
            await page.tap('#partner-submit');
            await page.waitForSelector('#partner-form', {state: 'detached'});
            const after = await lane.get(`/api/v1/compounds/${managed.id}`);
            assert.equal(after.manager.company, next);
            const old = after.history.find((p) => p.company === managed.manager.company && p.kind === 'property_manager');
            assert.ok(old?.ended, 'the running contract was ended, and kept');
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('at 390 the district leader sees every community, and the compounds with neither among the gaps', async () => {
        const page = await browser.page({width: 390, height: 844, isMobile: true, hasTouch: true});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'leader', 'demo-leader-2026');
            await openPartners(page);
            assert.equal(await page.locator('.partner-sign').count(), 0, 'a district leader records no partners');
            const rows = await page.locator('#partners-summary tbody tr').count();
            assert.ok(rows > 10, `${rows} communities`);
            const neither = Number(await page.locator('#partners-summary tfoot td').nth(3).innerText());
            assert.ok(neither > 0, 'the demo has compounds with neither');
            await fits(page, 390);
            await page.locator('#partners-summary tbody tr button').nth(1).click();
            await page.waitForSelector('#partners-compounds li[data-compound]');
            await fits(page, 390);
            await page.click('#lang');
            await page.waitForFunction(() => document.querySelector('#partners-summary th')?.textContent === 'Community');
            await fits(page, 390);
            await page.click('#lang');

            await page.click('#tabs [data-tab="gaps"]');
            await page.waitForSelector('#gap-list');
            const gaps = await page.locator('#gap-list li').allInnerTexts();
            assert.ok(gaps.some((g) => g.includes('无物业、无自治组织的小区')), 'no compound without a partner among the gaps');
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});
