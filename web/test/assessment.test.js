// Browser tests of the assessment tab (考评) against the real server and the demo city's published
// months and quarters: an assessor enters a mark (with a photo) and draws a spot-check sample on this
// month's draft; the district leader reads a published quarter's ranking and outcomes with their
// reasons, sees a draft refused publication with the server's reason, amends a quarter (its new
// revision and reason shown); a street chief sees only their own row of a draft; the map colours the
// subdistricts by score — at 1280×800 and on a 390×844 phone, in Chinese and English.
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

// A 2×2 PNG: a photo the browser can decode and compress.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');

const beijing = () => new Date(Date.now() + 8 * 3600e3);
const thisMonth = () => beijing().toISOString().slice(0, 7);

// Latin words the Chinese interface may show: formats' names, and the accounts' user names, which
// are data (who marked or published), not words of the interface.
const ALLOWED = new Set(['XLSX', 'PDF', 'demo', 'leader', 'assessor', 'admin', 'streetchief']);
const latin = (text) => [...new Set(text.match(/[A-Za-z][A-Za-z0-9-]*/g) || [])].filter((w) => !ALLOWED.has(w));

async function openTab(page, kind, label) {
    await page.click('#tabs [data-tab="assessment"]');
    await page.waitForSelector('#panel-assessment:not([hidden]) #assess-ranking');
    if (kind && (await page.inputValue('#assess-kind')) !== kind) {
        await page.selectOption('#assess-kind', kind);
        await page.waitForFunction((k) => document.querySelector('#assess-period option') && document.querySelector('#assess-kind').value === k
            && document.querySelector('#assess-ranking'), kind);
    }
    if (label) {
        await page.waitForSelector(`#assess-period option[value="${label}"]`, {state: 'attached'});
        const shown = page.waitForResponse((r) => r.url().includes(`/api/v1/assessments/${kind}/${label}`));
        await page.selectOption('#assess-period', label);
        await shown;
        await page.waitForFunction((l) => document.querySelector('#assess-period').value === l && document.querySelector('#assess-ranking'), label);
    }
}

async function fits(page, width, what) {
    const fit = await page.evaluate(() => {
        const p = document.querySelector('#panel');
        return {page: document.documentElement.scrollWidth, panel: p.scrollWidth - p.clientWidth};
    });
    assert.ok(fit.page <= width && fit.panel <= 0, `${what}: ${JSON.stringify(fit)}`);
}

const panelText = (page) => page.$eval('#panel-assessment', (el) => el.innerText);

for (const [i, [width, height]] of [[1280, 800], [390, 844]].entries()) {
    describe(`the assessment tab at ${width}×${height}`, () => {
        test('an assessor enters a mark with a photo and draws a spot-check sample on this month\'s draft', async () => {
            const assessor = await apiSession(server.base, 'assessor', 'demo-assessor-2026');
            const label = thisMonth();
            const before = await assessor.get(`/api/v1/assessments/month/${label}`);
            assert.equal(before.state, 'draft');
            const row = before.rows[i];
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'assessor', 'demo-assessor-2026');
                await openTab(page, 'month', label);
                assert.match(await page.textContent('#assess-state'), /草稿/);
                await page.click(`#assess-ranking tr[data-subdistrict="${row.subdistrict_id}"] button`);
                const item = `#assess-sheet li[data-item="sanitation"]`;
                await page.click(`${item} [data-action="mark"]`);
                await page.fill(`${item} [name=points]`, '8.5');
                await page.fill(`${item} [name=note]`, '主街路面保洁良好，两处垃圾桶满溢');
                await page.setInputFiles(`${item} [name=photo]`, {name: 'check.png', mimeType: 'image/png', buffer: PNG});
                const saved = page.waitForResponse((r) => r.url().endsWith(`/month/${label}/marks`) && r.request().method() === 'POST');
                await page.click(`${item} button[type=submit]`);
                assert.equal((await saved).status(), 201);
                await page.waitForSelector(`${item} .assess-mark`);
                assert.match(await page.textContent(`${item} .assess-mark`), /评分 8\.50.*主街路面保洁良好.*照片 1 张/s);
                const sample = `#assess-sheet li[data-item="spot_check"]`;
                await page.fill(`${sample} .assess-count`, '3');
                await page.click(`${sample} [data-action="draw"]`);
                await page.waitForSelector(`${sample} .assess-sample li`);
                assert.equal(await page.locator(`${sample} .assess-sample li`).count(), 3);
                const after = await assessor.get(`/api/v1/assessments/month/${label}`);
                const line = after.rows.find((r) => r.subdistrict_id === row.subdistrict_id).items.find((x) => x.code === 'sanitation');
                assert.equal(line.points, 8.5);
                assert.equal(line.mark.photos, 1);
                assert.deepEqual(latin(await panelText(page)), [], 'Latin words in the Chinese tab');
                await fits(page, width, 'zh');
                await page.click('#lang');
                await page.waitForFunction(() => /Draft/.test(document.querySelector('#assess-state')?.textContent));
                assert.match(await page.textContent(`${item} .assess-mark`), /Marked 8\.50 by assessor/);
                assert.match(await page.textContent(`${sample}`), /spot check/);
                await fits(page, width, 'en');
                // A mark entered by mistake is voided with a reason: the item is missing again, the mark kept on record.
                await page.click(`${item} [data-action="mark"]`);
                await page.fill(`${item} [name=reason]`, 'entered for the wrong subdistrict');
                const voided = page.waitForResponse((r) => r.url().includes(`/marks/${line.mark.id}:void`));
                await page.click(`${item} [data-action="void"]`);
                assert.equal((await voided).status(), 204);
                await page.waitForFunction((sel) => !document.querySelector(`${sel} .assess-mark`), item);
                const gone = await assessor.get(`/api/v1/assessments/month/${label}`);
                assert.equal(gone.rows.find((r) => r.subdistrict_id === row.subdistrict_id).items.find((x) => x.code === 'sanitation').points, null);
                clean(page);
            } finally {
                await page.context().close();
            }
        });

        test('the district leader reads a published quarter\'s ranking, outcomes and reasons, sees the map coloured by score, and amends it', async () => {
            const leader = await apiSession(server.base, 'leader', 'demo-leader-2026');
            const quarters = (await leader.get('/api/v1/assessments/periods?kind=quarter')).periods.filter((p) => p.state === 'published');
            const label = quarters[1 + i].label; // each size amends a quarter of its own
            const res = await leader.get(`/api/v1/assessments/quarter/${label}`);
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'leader', 'demo-leader-2026');
                await openTab(page, 'quarter', label);
                assert.equal(await page.textContent('#assess-state'), `已发布 修订 ${res.revision}`);
                const shown = await page.$$eval('#assess-ranking tbody tr', (trs) => trs.map((tr) =>
                    [...tr.querySelectorAll('td')].slice(0, 5).map((td) => td.textContent.trim())));
                assert.deepEqual(shown, res.rows.map((r) => [String(r.rank), r.name, r.score.toFixed(2), r.sheet_total.toFixed(2), r.months_average.toFixed(2)]));
                const reward = res.rows.flatMap((r) => r.outcomes).find((o) => o.kind === 'reward' || o.kind === 'penalty');
                if (reward) {
                    const chip = `#assess-ranking [data-outcome="${reward.id}"]`;
                    const word = reward.kind === 'reward' ? '奖励' : '扣减';
                    assert.equal(await page.textContent(chip), `${word} ${Math.abs(reward.yuan).toLocaleString('zh-CN')} 元`);
                    await page.click(chip);
                    assert.equal(await page.textContent(`${chip} + .assess-reason`), reward.text_zh);
                    assert.ok(await page.isVisible('#assess-funds'), 'the outcomes link to the funds tab');
                }
                // The choropleth: each subdistrict's band by its score, drawn on the map's admin tiles.
                const colour = (s) => (s < 70 ? '#e53935' : s > 85 ? '#43a047' : '#f9a825');
                const style = await page.evaluate(() => window.streetchief.map.getPaintProperty('assessment-choropleth', 'fill-color'));
                assert.deepEqual(style, ['match', ['id'], ...res.rows.flatMap((r) => [r.subdistrict_id, colour(r.score)]), 'rgba(0,0,0,0)']);
                await page.waitForFunction(() => window.streetchief.map.queryRenderedFeatures({layers: ['assessment-choropleth']}).length > 0, null, {timeout: 15000});
                const drawn = await page.evaluate(() => [...new Set(window.streetchief.map.queryRenderedFeatures({layers: ['assessment-choropleth']}).map((f) => f.id))]);
                assert.ok(drawn.length > 0 && drawn.every((id) => res.rows.some((r) => r.subdistrict_id === id)), `coloured: ${drawn}`);
                assert.equal(await page.locator('#assess-legend [data-band]').count(), 3);
                await page.waitForSelector('#assess-trend canvas');
                assert.deepEqual(latin(await panelText(page)), [], 'Latin words in the Chinese tab');
                await fits(page, width, 'zh ranking');

                // Amend: the first item of the first row gets new points, with the reason on record.
                const target = res.rows[res.rows.length - 1];
                const itemCode = res.sheet.items[0].code;
                const old = target.items.find((x) => x.code === itemCode).points;
                const next = old >= 1 ? old - 1 : old + 1;
                const reason = `复核${target.name}实地检查记录，更正${label}得分`;
                await page.click('#assess-amend-open');
                await page.selectOption('#assess-amend [name=sub]', String(target.subdistrict_id));
                await page.selectOption('#assess-amend [name=item]', itemCode);
                await page.fill('#assess-amend [name=points]', String(next));
                await page.fill('#assess-amend-reason', reason);
                const amended = page.waitForResponse((r) => r.url().endsWith(`/quarter/${label}:amend`));
                await page.click('#assess-amend-save');
                assert.equal((await amended).status(), 201);
                await page.waitForFunction((n) => document.querySelector('#assess-state')?.textContent === `已发布 修订 ${n}`, res.revision + 1);
                const rev = `#assess-revisions li[data-revision="${res.revision + 1}"]`;
                assert.match(await page.textContent(rev), new RegExp(`修订 ${res.revision + 1}：.*leader.*${reason}`));
                const now = await leader.get(`/api/v1/assessments/quarter/${label}`);
                assert.equal(now.revision, res.revision + 1);
                assert.equal(now.rows.find((r) => r.subdistrict_id === target.subdistrict_id).items.find((x) => x.code === itemCode).points, next);
                await page.click('#lang');
                await page.waitForFunction((n) => document.querySelector('#assess-state')?.textContent === `Published, revision ${n}`, res.revision + 1);
                assert.match(await page.textContent(rev), new RegExp(`Revision ${res.revision + 1}: .* by leader ${reason}`));
                await fits(page, width, 'en ranking');
                clean(page);
            } finally {
                await page.context().close();
            }
        });

        test('a draft that is not over is refused publication with the server\'s reason', async () => {
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'leader', 'demo-leader-2026');
                await openTab(page, 'month', thisMonth());
                const refused = page.waitForResponse((r) => r.url().endsWith(`/month/${thisMonth()}:publish`));
                await page.click('#assess-publish');
                const r = await refused;
                assert.equal(r.status(), 409);
                const {detail} = await r.json();
                await page.waitForFunction(() => document.querySelector('#assess-publish-error')?.textContent);
                assert.equal(await page.textContent('#assess-publish-error'), `未能发布：${detail}`);
                assert.equal(await page.textContent('#assess-state'), '草稿');
                page.seen.failed = page.seen.failed.filter((f) => !f.includes(':publish: HTTP 409'));
                page.seen.errors = page.seen.errors.filter((e) => !e.includes('409'));
                clean(page);
            } finally {
                await page.context().close();
            }
        });

        test('a street chief sees only their own subdistrict\'s row of a draft', async () => {
            const chief = await apiSession(server.base, 'streetchief', 'demo-streetchief-2026');
            const draft = await chief.get(`/api/v1/assessments/month/${thisMonth()}`);
            assert.equal(draft.rows.length, 1, 'the server gives a street chief one row of a draft');
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'streetchief', 'demo-streetchief-2026');
                await openTab(page, 'month', thisMonth());
                const names = await page.$$eval('#assess-ranking tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
                assert.deepEqual(names, [draft.rows[0].name]);
                if (draft.rows[0].missing?.length) {
                    // A draft's score with marks still missing is not a score yet: the map leaves it uncoloured.
                    const shown = await page.evaluate(() => {
                        const m = window.streetchief.map;
                        return !!m.getLayer('assessment-choropleth') && m.getLayoutProperty('assessment-choropleth', 'visibility') !== 'none';
                    });
                    assert.equal(shown, false, 'no choropleth for a draft with missing marks');
                }
                assert.equal(await page.locator('#assess-publish, #assess-sim, [data-action="mark"]').count(), 0, 'a street chief neither marks, publishes nor simulates');
                assert.deepEqual(latin(await panelText(page)), [], 'Latin words in the Chinese tab');
                await fits(page, width, 'street chief');
                clean(page);
            } finally {
                await page.context().close();
            }
        });
    });
}

describe('the rules simulator', () => {
    test('an assessor runs the last quarters\' scores through the rules and reads the answer as tables', async () => {
        const page = await browser.page({width: 1280, height: 800});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'assessor', 'demo-assessor-2026');
            await openTab(page, 'quarter');
            await page.click('#assess-sim summary');
            const input = JSON.parse(await page.inputValue('#assess-sim-input'));
            assert.ok(input.quarters.length >= 1, 'prefilled with published quarters');
            const doc = {quarters: [{period: '2026-Q1', scores: {东城街道: 85, 西城街道: 85.01, 南城街道: 69.99, 北城街道: 90}}]};
            await page.fill('#assess-sim-input', JSON.stringify(doc));
            await page.click('#assess-sim-run');
            await page.waitForSelector('#assess-sim-output [data-period="2026-Q1"]');
            const rows = await page.$$eval('#assess-sim-output tbody tr', (trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
            assert.deepEqual(rows, [['1', '北城街道', '90.00', '500,000', ''], ['2', '西城街道', '85.01', '300,000', ''],
                ['3', '东城街道', '85.00', '', ''], ['4', '南城街道', '69.99', '', '200,000']]);
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});
