// Browser tests of the joint operations panel (联合执法行动) against the real server and the demo city:
// the street chief plans an operation with departments, people and targets, records its outcome,
// finds it in the month's calendar and prints its report; a department liaison taking part sees it
// read-only; on a desktop and a phone, in Chinese and English.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';

import {PNG} from 'pngjs';

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

// beijingLocal is a time as a datetime-local field takes it, in Beijing time.
const beijingLocal = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 16);

// Latin words the Chinese interface may show (as the trends test allows).
const ALLOWED = new Set(['km', 'm', 'PDF', 'HTML']);
const latin = (texts) => [...new Set(texts.join('\n').match(/[A-Za-z][A-Za-z0-9-]*/g) || [])].filter((w) => !ALLOWED.has(w));

async function openOperations(page) {
    await page.click('#tabs [data-tab="operations"]');
    await page.waitForSelector('#panel-operations:not([hidden]) #operation-calendar');
}

const panelTexts = (page) => page.$$eval('#panel-operations *', (els) => els.filter((e) => !e.closest('[hidden]'))
    .flatMap((e) => [e.children.length === 0 ? e.textContent : '', e.getAttribute('placeholder') || '', e.getAttribute('title') || '']));

describe('the joint operations panel', () => {
    let liaison;
    let planned;

    before(async () => {
        liaison = await apiSession(server.base, 'liaison', 'demo-liaison-2026');
    });

    test('on a desktop the street chief plans an operation with targets, records its outcome, finds it in the calendar and prints it', async () => {
        const chief = await apiSession(server.base, 'streetchief', 'demo-streetchief-2026');
        const sub = chief.user.scope.subdistricts[0];
        const dept = liaison.user.scope.departments[0];
        assert.ok(liaison.user.scope.subdistricts.includes(sub), 'the demo liaison works in the street chief\'s subdistrict');
        const page = await browser.page({width: 1280, height: 800});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'streetchief', 'demo-streetchief-2026');
            await openOperations(page);
            assert.equal(await page.locator('#panel-operations h2').innerText(), '联合执法行动');
            // The demo's operations of this month, each in the list with its state.
            const {days} = await chief.get('/api/v1/operations/calendar');
            const mine = new Set(days.flatMap((d) => d.operations.map((o) => o.id)));
            assert.equal(await page.locator('#operation-list tbody tr').count(), mine.size);

            await page.click('#operation-plan');
            await page.waitForSelector('#op-dept input');
            await page.fill('#op-title', '夜间占道经营联合整治');
            await page.selectOption('#op-kind', 'short_notice');
            // Under way from an hour ago, so its outcome may be recorded at once.
            await page.fill('#op-starts', beijingLocal(Date.now() - 3600e3));
            await page.fill('#op-ends', beijingLocal(Date.now() + 2 * 3600e3));
            await page.check(`#op-dept input[value="${dept}"]`);
            await page.fill('#op-person-q', '');
            await page.click('#op-person-search');
            await page.waitForSelector('#op-found button[data-role="commander"]');
            await page.locator('#op-found button[data-role="commander"]').first().click();
            await page.waitForSelector('#op-people li');
            await page.waitForFunction(() => document.querySelectorAll('#op-merchant input, #op-case input').length > 0);
            const shops = await page.locator('#op-merchant input').count();
            if (shops > 0) await page.locator('#op-merchant input').first().check();
            await page.locator('#op-case input').first().check();
            await page.fill('#op-briefing', '城管、市场监管联合检查夜市周边');
            await page.click('#op-submit');
            await page.waitForSelector('#operation-detail[data-state="under_way"]');
            planned = Number(await page.locator('#operation-detail').getAttribute('data-operation'));
            const op = await chief.get(`/api/v1/operations/${planned}`);
            assert.equal(op.title, '夜间占道经营联合整治');
            assert.equal(op.kind, 'short_notice');
            assert.deepEqual(op.department_ids, [dept]);
            assert.equal(op.people.length, 1);
            assert.equal(op.people[0].role, 'commander');
            assert.equal(op.cases_linked.length, 1);

            await page.click('#operation-on-map');
            await page.waitForFunction(() => window.streetchief.map.getSource('operation-targets'));
            if (shops > 0) await page.selectOption('#operation-outcome-form select', 'fined');
            await page.fill('#operation-notes', '当场查处，处罚一户');
            await page.setInputFiles('#operation-photos', {name: 'scene.png', mimeType: 'image/png', buffer: PNG.sync.write(new PNG({width: 4, height: 3}))});
            await page.click('#operation-outcome-submit');
            await page.waitForSelector('#operation-detail[data-state="done"]');
            assert.match(await page.locator('#operation-outcome').innerText(), /当场查处/);
            await page.waitForFunction(() => document.querySelector('#operation-outcome img')?.naturalWidth === 4);
            assert.match(await page.locator('#operation-counts').innerText(), /涉及案件 1 件/);
            const texts = await panelTexts(page);

            // The calendar shows it on today's date, done.
            await page.click('#operation-back');
            await page.waitForSelector(`#operation-calendar .op-chip.op-done[data-operation="${planned}"]`);
            texts.push(...await panelTexts(page));
            // The account that recorded the outcome is named as it signs in: data, not the interface's words.
            assert.deepEqual(latin(texts).filter((w) => w !== 'streetchief'), [], 'Latin words in the Chinese interface');

            const href = await page.evaluate((id) => `/api/v1/operations/${id}/report`, planned);
            await page.click(`#operation-list a[href="#operations/${planned}"]`);
            await page.waitForSelector(`#operation-detail[data-operation="${planned}"]`);
            assert.equal(await page.locator('#operation-report').getAttribute('href'), href);
            const report = await page.context().request.get(server.base + href);
            assert.equal(report.status(), 200);
            const html = await report.text();
            assert.match(html, /联合执法行动报告：夜间占道经营联合整治/);
            assert.match(html, /当场查处，处罚一户/);
            assert.match(html, /<svg/);

            await page.click('#lang');
            assert.match(await page.locator('#operation-detail h2').innerText(), /done/);
            assert.equal(await page.locator('#tabs [data-tab="operations"]').innerText(), 'Ops');
            await page.click('#operation-back');
            await page.waitForSelector('#operation-calendar');
            assert.equal(await page.locator('#panel-operations h2').innerText(), 'Joint operations');
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('the liaison of a department taking part sees the operation read-only, at 1280 and 390 px', async () => {
        assert.ok(planned, 'the plan test ran first');
        for (const [width, height] of [[1280, 800], [390, 844]]) {
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'liaison', 'demo-liaison-2026');
                await openOperations(page);
                assert.equal(await page.locator('#operation-plan').count(), 0, 'a liaison plans nothing');
                await page.click(`#operation-list a[href="#operations/${planned}"]`);
                await page.waitForSelector(`#operation-detail[data-operation="${planned}"]`);
                for (const sel of ['#operation-outcome-form', '#operation-cancel', '#operation-link-case']) {
                    assert.equal(await page.locator(sel).count(), 0, `${width}px: the liaison sees ${sel}`);
                }
                assert.match(await page.locator('#operation-outcome').innerText(), /当场查处/);
                const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
                assert.ok(scroll <= width, `${width}px: the page is ${scroll}px wide`);
                clean(page);
            } finally {
                await page.context().close();
            }
        }
    });

    test('on a phone, in Chinese and English, every tab of an administrator fits and so does the calendar', async () => {
        const page = await browser.page({width: 390, height: 844});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'admin', 'demo-admin-2026');
            for (const lang of ['zh', 'en']) {
                if (lang === 'en') await page.click('#lang');
                await openOperations(page);
                const fit = await page.evaluate(() => {
                    const tabs = [...document.querySelectorAll('#tabs [data-tab]')].filter((b) => !b.hidden)
                        .map((b) => ({tab: b.dataset.tab, right: b.getBoundingClientRect().right, height: b.getBoundingClientRect().height}));
                    const p = document.querySelector('#panel');
                    return {scroll: document.documentElement.scrollWidth, panel: p.scrollWidth - p.clientWidth, tabs};
                });
                assert.ok(fit.scroll <= 390, `${lang}: the page is ${fit.scroll}px wide`);
                assert.ok(fit.panel <= 0, `${lang}: the panel scrolls sideways by ${fit.panel}px`);
                for (const tab of fit.tabs) assert.ok(tab.right <= 390 && tab.height < 48, `${lang}: tab does not fit: ${JSON.stringify(tab)}`);
            }
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});
