// Browser tests of the 门前三包 panel (make test-web): the coverage table, the calendar heat and the
// repeat offenders with their XLSX links, in Chinese and English, on a desktop and a 390 px phone.
// The shops are made here with SQL, so the test does not depend on the demo city having any.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';

import {Browser, apiSession, clean, open, repo, signIn, startServer} from './harness.js';

let server;
let browser;
let admin;
const SHOPS = 4;

function dbURL() {
    const adminURL = process.env.STREETCHIEF_TEST_DATABASE_URL ||
        execFileSync(join(repo, 'scripts/pg.sh'), ['admin-url'], {encoding: 'utf8'}).trim();
    const u = new URL(adminURL);
    u.pathname = `/streetchief_webtest_${process.pid}`;
    return u.toString();
}

function sql(query) {
    return execFileSync('psql', [dbURL(), '-v', 'ON_ERROR_STOP=1', '-Atqc', query], {encoding: 'utf8'}).trim();
}

before(async () => {
    browser = await Browser.launch();
    server = await startServer();
    admin = await apiSession(server.base, 'admin', 'demo-admin-2026');
    // Four shops inside the first community, which the demo's inspections may already cover.
    const ids = sql(`INSERT INTO merchant (name, location)
        SELECT '测试商户' || g, ST_Translate(ST_PointOnSurface(boundary), g * 0.0001, 0)
          FROM admin_unit, generate_series(1, ${SHOPS}) g
         WHERE id = (SELECT min(id) FROM admin_unit WHERE level = 'community')
        RETURNING id || ',' || ST_X(location) || ',' || ST_Y(location)`).split('\n').map((l) => l.split(',').map(Number));
    const at = new Date(Date.now() - 60e3).toISOString();
    // The first shop is inspected three times with a violation: a repeat offender.
    for (let k = 0; k < 3; k++) {
        const [id, lon, lat] = ids[0];
        await admin.post('/api/v1/inspections', {merchant_id: id, at, lon, lat, accuracy_m: 10,
            results: [{item: 'sanitation', ok: true}, {item: 'order', ok: false, category: 'street_occupying'}], note: '店外经营'});
    }
    const [id, lon, lat] = ids[1];
    await admin.post('/api/v1/inspections', {merchant_id: id, at, lon: lon + 0.003, lat, accuracy_m: 5,
        results: [{item: 'greenery', ok: true}]});
});

after(async () => {
    await browser?.close();
    await server?.stop();
});

async function openCoverage(page) {
    await open(page, `${server.base}/`);
    await signIn(page, 'admin', 'demo-admin-2026');
    await page.click('#tabs [data-tab="coverage"]');
    await page.waitForSelector('#coverage-table tbody tr');
    await page.waitForSelector('#repeat-table tbody tr');
}

// panelFacts reads what the panel shows.
function panelFacts(page) {
    return page.evaluate(() => {
        const total = [...document.querySelectorAll('#coverage-table tfoot td')].map((td) => td.textContent);
        const heads = [...document.querySelectorAll('#coverage-table thead th')].map((th) => th.textContent);
        return {total, heads, heatRows: document.querySelectorAll('#coverage-calendar tbody tr').length,
            repeatRows: [...document.querySelectorAll('#repeat-table tbody tr')].map((tr) => tr.textContent),
            xlsx: document.querySelector('#coverage-xlsx')?.getAttribute('href'),
            repeatXlsx: document.querySelector('#repeat-xlsx')?.getAttribute('href'),
            tab: document.querySelector('#tabs [data-tab="coverage"]').textContent,
            scroll: document.documentElement.scrollWidth, width: innerWidth,
            panel: document.querySelector('#panel').getBoundingClientRect().toJSON()};
    });
}

for (const [name, size] of [['a desktop', {width: 1280, height: 800}], ['a 390×844 phone', {width: 390, height: 844}]]) {
    describe(`on ${name}`, () => {
        test('the coverage table, the calendar and the repeat offenders, in Chinese and English', async () => {
            const page = await browser.page(size);
            try {
                await openCoverage(page);
                const api = await admin.get('/api/v1/inspections/coverage?by=community&period=day');
                let f = await panelFacts(page);
                assert.equal(f.tab, '门前三包');
                assert.equal(f.heads[0], '社区');
                assert.equal(Number(f.total[0]), api.total.shops, `total shops ${f.total}`);
                assert.ok(api.total.shops >= SHOPS && api.total.inspected_day >= 2, JSON.stringify(api.total));
                assert.equal(f.total[3], `${api.total.inspected_day_pct.toFixed(1)}%`);
                assert.ok(f.heatRows >= 1, 'no calendar rows');
                assert.ok(f.repeatRows.some((r) => r.includes('测试商户1') && r.includes('处理中')), `repeat rows ${f.repeatRows}`);
                for (const href of [f.xlsx, f.repeatXlsx]) {
                    const res = await page.request.get(server.base + href);
                    assert.equal(res.status(), 200, href);
                    assert.match(res.headers()['content-type'], /spreadsheetml/);
                }
                assert.ok(f.scroll <= f.width, `page is ${f.scroll}px wide on a ${f.width}px screen`);
                assert.ok(f.panel.left >= 0 && f.panel.right <= f.width + 0.5, `panel at ${JSON.stringify(f.panel)}`);

                // Another view of the same period, by inspector, and the language switch.
                await page.selectOption('#coverage-by', 'subdistrict');
                await page.waitForFunction(() => document.querySelector('#coverage-table thead th')?.textContent === '街道');
                await page.click('#lang');
                await page.waitForFunction(() => document.querySelector('#coverage-table thead th')?.textContent === 'Subdistrict');
                f = await panelFacts(page);
                assert.equal(f.tab, 'Shops');
                assert.ok(f.repeatRows.some((r) => r.includes('open')), `repeat rows ${f.repeatRows}`);
                assert.ok(f.scroll <= f.width, `English: page is ${f.scroll}px wide`);
                if (size.width === 390) {
                    const tabs = await page.evaluate(() => [...document.querySelectorAll('#tabs [data-tab]')].filter((b) => !b.hidden)
                        .map((b) => ({r: b.getBoundingClientRect().right, h: b.getBoundingClientRect().height})));
                    for (const tb of tabs) assert.ok(tb.r <= 390.5 && tb.h < 40, `tab ${JSON.stringify(tb)}`);
                }
                clean(page);
            } finally {
                await page.evaluate(() => localStorage.removeItem('streetchief.lang')).catch(() => {});
            }
        });
    });
}
