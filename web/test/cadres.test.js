// Browser tests of the linked cadres panel (挂钩干部) against the real server and the demo city: the
// street chief records last year's opinion on a cadre of their subdistrict and corrects it, the
// district leader reads the whole district's table and downloads its XLSX; at 1280×800 and on a
// 390×844 phone, in Chinese and English; a department liaison has no such tab.
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

const lastYear = new Date(Date.now() + 8 * 3600e3).getUTCFullYear() - 1;

async function openCadres(page) {
    await page.click('#tabs [data-tab="cadres"]');
    await page.waitForSelector('#panel-cadres:not([hidden]) #cadre-table');
}

// fitsTheScreen: nothing scrolls the page or the panel sideways, and the cadres tab is on screen.
async function fitsTheScreen(page, width, what) {
    const fit = await page.evaluate(() => {
        const p = document.querySelector('#panel');
        const tab = document.querySelector('#tabs [data-tab="cadres"]').getBoundingClientRect();
        return {page: document.documentElement.scrollWidth, panel: p.scrollWidth - p.clientWidth, tab: tab.right};
    });
    assert.ok(fit.page <= width && fit.panel <= 0 && fit.tab <= width, `${what}: ${JSON.stringify(fit)}`);
}

describe('the linked cadres panel', () => {
    test('the street chief records an opinion and corrects it, at 1280×800 in Chinese, then reads it in English', async () => {
        const chief = await apiSession(server.base, 'streetchief', 'demo-streetchief-2026');
        const table = await chief.get(`/api/v1/cadres/bonus-basis?year=${lastYear}`);
        const row = table.rows.find((r) => !r.opinion);
        assert.ok(row, 'the demo leaves the street chief posts without an opinion');
        assert.ok(table.rows.some((r) => r.opinion), 'the demo has opinions in the street chief\'s subdistrict');
        const key = `${row.person_id}:${row.subdistrict_id}:${row.role}:${row.department_id || 0}:${row.level}`;
        const page = await browser.page({width: 1280, height: 800});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'streetchief', 'demo-streetchief-2026');
            await openCadres(page);
            assert.equal(await page.locator('#panel-cadres h2').innerText(), '挂钩干部');
            assert.equal(await page.locator('#cadre-table tbody tr').count(), table.rows.length);
            const tr = page.locator(`#cadre-table tr[data-post="${key}"]`);
            assert.match(await tr.innerText(), /未填写/);

            await tr.locator('[data-action="record"]').click();
            await page.selectOption('#cadre-rating', 'basically_competent');
            await page.click('#cadre-save');
            assert.match(await page.locator('#cadre-form-error').innerText(), /须填写意见说明/);
            await page.fill('#cadre-text', '两次联合执法行动未到岗');
            const recorded = page.waitForResponse((r) => r.url().endsWith('/api/v1/cadres/opinions') && r.request().method() === 'POST');
            await page.click('#cadre-save');
            assert.equal((await recorded).status(), 201);
            await page.waitForSelector(`#cadre-table tr[data-post="${key}"] [data-action="correct"]`);
            assert.match(await tr.innerText(), /基本称职[\s\S]*两次联合执法行动未到岗/);

            await tr.locator('[data-action="correct"]').click();
            await page.selectOption('#cadre-rating', 'competent');
            await page.click('#cadre-save');
            assert.match(await page.locator('#cadre-form-error').innerText(), /更正须填写理由/);
            await page.fill('#cadre-reason', '核实考勤，缺席一次为公务请假');
            const corrected = page.waitForResponse((r) => r.url().includes(':supersede'));
            await page.click('#cadre-save');
            assert.equal((await corrected).status(), 201);
            await page.waitForFunction((k) => /已更正/.test(document.querySelector(`#cadre-table tr[data-post="${k}"]`)?.innerText), key);
            assert.match(await tr.innerText(), /称职/);
            assert.doesNotMatch(await tr.innerText(), /基本称职/);
            assert.match(await page.locator('#cadre-history').innerText(), /基本称职 → 称职，理由：核实考勤/);

            // Both records stay: the first superseded by the correction.
            const opinions = (await chief.get(`/api/v1/cadres/opinions?year=${lastYear}`)).opinions
                .filter((o) => o.person_id === row.person_id && o.role === row.role && (o.department_id || 0) === (row.department_id || 0));
            assert.equal(opinions.length, 2);
            assert.equal(opinions[0].superseded_by, opinions[1].id);
            assert.equal(opinions[1].reason, '核实考勤，缺席一次为公务请假');

            await page.click('#lang');
            assert.equal(await page.locator('#panel-cadres h2').innerText(), 'Linked cadres');
            assert.equal(await page.locator('#cadre-table thead th').first().innerText(), 'Cadre');
            assert.match(await tr.innerText(), /Competent[\s\S]*\(corrected\)/);
            assert.equal(await page.locator('#tabs [data-tab="cadres"]').innerText(), 'Cadres');
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('the district leader reads the district\'s table on a 390×844 phone, in Chinese and English, and downloads the XLSX', async () => {
        const leader = await apiSession(server.base, 'leader', 'demo-leader-2026');
        const table = await leader.get(`/api/v1/cadres/bonus-basis?year=${lastYear}`);
        assert.ok(new Set(table.rows.filter((r) => r.opinion).map((r) => r.subdistrict_id)).size >= 3, 'opinions in three subdistricts');
        const page = await browser.page({width: 390, height: 844});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'leader', 'demo-leader-2026');
            for (const lang of ['zh', 'en']) {
                if (lang === 'en') await page.click('#lang');
                await openCadres(page);
                await page.waitForTimeout(300);
                assert.equal(await page.locator('#cadre-table tbody tr').count(), table.rows.length, `${lang}: the district's cadre posts`);
                assert.equal(await page.locator('#cadre-table [data-action]').count(), 0, `${lang}: the leader may not write opinions`);
                assert.match(await page.locator('#cadres-basis').innerText(), lang === 'zh' ? /已发布各季度考评得分/ : /published quarterly scores/);
                await fitsTheScreen(page, 390, lang);
                const href = await page.getAttribute('#cadres-xlsx', 'href');
                assert.equal(href, `/api/v1/cadres/bonus-basis?year=${lastYear}&format=xlsx&lang=${lang}`);
            }
            const download = page.waitForEvent('download');
            await page.click('#cadres-xlsx');
            const file = await (await download).path();
            const bytes = readFileSync(file);
            assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'the download is an XLSX (zip) workbook');
            assert.ok(bytes.length > 4000, `the workbook is ${bytes.length} bytes`);
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('a department liaison has no cadres tab and the API refuses them', async () => {
        const liaison = await apiSession(server.base, 'liaison', 'demo-liaison-2026');
        await assert.rejects(liaison.get(`/api/v1/cadres/opinions?year=${lastYear}`), /403/);
        const page = await browser.page({width: 1280, height: 800});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'liaison', 'demo-liaison-2026');
            assert.equal(await page.isVisible('#tabs [data-tab="cadres"]'), false);
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});
