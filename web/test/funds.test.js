// Browser tests of the funds panel (资金) against the real server and the demo city: the district
// leader reads every subdistrict's balances by fund and payer with the totals, the entries with the
// demo's correction linked both ways, and downloads the XLSX; the street chief sees their own
// subdistrict only; both at 1280×800 and on a 390×844 phone, in Chinese and English. A department
// liaison has no such tab.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
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

const year = new Date(Date.now() + 8 * 3600e3).getUTCFullYear();

async function openFunds(page) {
    await page.click('#tabs [data-tab="funds"]');
    await page.waitForSelector('#panel-funds:not([hidden]) #funds-balances');
}

// fitsTheScreen: nothing scrolls the page or the panel sideways, and the funds tab is on screen.
async function fitsTheScreen(page, width, what) {
    const fit = await page.evaluate(() => {
        const p = document.querySelector('#panel');
        const tab = document.querySelector('#tabs [data-tab="funds"]').getBoundingClientRect();
        return {page: document.documentElement.scrollWidth, panel: p.scrollWidth - p.clientWidth, tab: tab.right};
    });
    assert.ok(fit.page <= width && fit.panel <= 0 && fit.tab <= width, `${what}: ${JSON.stringify(fit)}`);
}

const yuanText = (x, lang) => Number(x).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', {minimumFractionDigits: 2, maximumFractionDigits: 2});

for (const [width, height] of [[1280, 800], [390, 844]]) {
    describe(`the funds panel at ${width}×${height}`, () => {
        test('the district leader reads every subdistrict, the district-wide budget, the totals and the correction, in Chinese and English', async () => {
            const leader = await apiSession(server.base, 'leader', 'demo-leader-2026');
            const balances = await leader.get(`/api/v1/funds/balances?year=${year}`);
            const entries = (await leader.get(`/api/v1/funds/entries?year=${year}`)).entries;
            const subs = new Set(balances.rows.map((r) => r.subdistrict_id));
            assert.ok(subs.size >= 8 && subs.has(0), `the demo's subdistricts and the district budget: ${[...subs]}`);
            const correction = entries.find((e) => e.kind === 'correction');
            assert.ok(correction, 'the demo holds a correction this year');
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'leader', 'demo-leader-2026');
                for (const lang of ['zh', 'en']) {
                    if (lang === 'en') await page.click('#lang');
                    await openFunds(page);
                    await page.waitForTimeout(200);
                    assert.equal(await page.locator('#panel-funds h2').innerText(), lang === 'zh' ? '资金' : 'Funds');
                    assert.equal(await page.locator('#funds-balances tbody tr').count(), subs.size, `${lang}: a row per subdistrict and the district`);
                    assert.match(await page.locator('#funds-balances tbody tr[data-subdistrict="0"]').innerText(), lang === 'zh' ? /全区/ : /District-wide/);
                    const grand = balances.totals[balances.totals.length - 1].balance;
                    assert.match(await page.locator('#funds-total').innerText(), new RegExp(yuanText(grand, lang).replace(/[.,]/g, '\\$&')));
                    assert.equal(await page.locator('#funds-entries tbody tr').count(), entries.length);
                    const c = page.locator(`#funds-entry-${correction.id}`);
                    assert.match(await c.innerText(), lang === 'zh' ? new RegExp(`更正[\\s\\S]*更正 #${correction.corrects}`) : new RegExp(`Correction[\\s\\S]*Corrects #${correction.corrects}`));
                    assert.match(await page.locator(`#funds-entry-${correction.corrects}`).innerText(),
                        lang === 'zh' ? new RegExp(`已被 #${correction.id} 更正`) : new RegExp(`Corrected by #${correction.id}`));
                    assert.match(await page.locator('#funds-entries').innerText(), /新罗区志愿服务中心/);
                    assert.equal(await page.getAttribute('#funds-xlsx', 'href'), `/api/v1/funds/balances?year=${year}&format=xlsx&lang=${lang}`);
                    if (width < 600) await fitsTheScreen(page, width, lang);
                }
                const download = page.waitForEvent('download');
                await page.click('#funds-xlsx');
                const bytes = readFileSync(await (await download).path());
                assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'the download is an XLSX (zip) workbook');
                await page.selectOption('#funds-year', String(year - 1));
                await page.waitForFunction(() => document.querySelectorAll('#funds-balances tbody tr').length > 0);
                assert.equal(await page.locator('#funds-entries tbody tr').count(), (await leader.get(`/api/v1/funds/entries?year=${year - 1}`)).entries.length);
                await page.click('#lang');
                clean(page);
            } finally {
                await page.context().close();
            }
        });

        test('the street chief sees their own subdistrict only, in Chinese and English', async () => {
            const chief = await apiSession(server.base, 'streetchief', 'demo-streetchief-2026');
            const balances = await chief.get(`/api/v1/funds/balances?year=${year}`);
            const mine = new Set(balances.rows.map((r) => r.subdistrict_id));
            assert.equal(mine.size, 1, `one subdistrict: ${[...mine]}`);
            assert.ok(!mine.has(0), 'not the district-wide budget');
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'streetchief', 'demo-streetchief-2026');
                for (const lang of ['zh', 'en']) {
                    if (lang === 'en') await page.click('#lang');
                    await openFunds(page);
                    await page.waitForTimeout(200);
                    const rows = page.locator('#funds-balances tbody tr');
                    assert.equal(await rows.count(), 1, lang);
                    assert.equal(await rows.first().getAttribute('data-subdistrict'), String([...mine][0]));
                    assert.equal(await page.locator('#funds-entries tbody tr').count(), balances.rows.reduce((n, r) => n + r.entries, 0));
                    assert.doesNotMatch(await page.locator('#panel-funds').innerText(), /新罗区志愿服务中心/);
                    if (width < 600) await fitsTheScreen(page, width, lang);
                }
                await page.click('#lang');
                clean(page);
            } finally {
                await page.context().close();
            }
        });
    });
}

describe('the funds panel for others', () => {
    test('a department liaison has no funds tab and the API refuses them', async () => {
        const liaison = await apiSession(server.base, 'liaison', 'demo-liaison-2026');
        await assert.rejects(liaison.get(`/api/v1/funds/balances?year=${year}`), /403/);
        const page = await browser.page({width: 1280, height: 800});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'liaison', 'demo-liaison-2026');
            assert.equal(await page.isVisible('#tabs [data-tab="funds"]'), false);
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});
