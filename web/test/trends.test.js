// Browser tests of the leader's dashboard over time (make test-web): the period picker and the
// address that keeps it, the trend charts, the drill-down with its breadcrumb, the smooth incident
// heatmap, the incident tiles fetched once after sign-in, and the language of it all — each at
// 1280×800 and on a 390×844 phone. Where the server does not answer the trend endpoint (404), a
// fixture of the same contract stands in (trends-fixture.js); otherwise the server's answer is used.
import assert from 'node:assert/strict';
import {writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';

import {Browser, apiSession, changed, clean, mapIdle, mapPixels, open, signIn, startServer} from './harness.js';
import {demoUnits, serveTrend} from './trends-fixture.js';

let server;
let browser;
let units;

before(async () => {
    browser = await Browser.launch();
    server = await startServer();
    units = await demoUnits(await apiSession(server.base, 'admin', 'demo-admin-2026'));
});

after(async () => {
    await browser?.close();
    await server?.stop();
});

const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10); // Beijing
const query = (url) => new URL(url).searchParams;

// tileRequests counts the requests of each incident tile (z/x/y), whatever their filters.
function tileRequests(page) {
    const n = new Map();
    for (const u of page.seen.requests) {
        const m = /\/tiles\/incidents\/(\d+\/\d+\/\d+)\.mvt/.exec(u);
        if (m) n.set(m[1], (n.get(m[1]) || 0) + 1);
    }
    return n;
}

// fits checks that nothing is wider than the screen and nothing sticks out of the panel.
async function fits(page, who) {
    const out = await page.evaluate(() => {
        const p = document.querySelector('#panel').getBoundingClientRect();
        const bad = [];
        for (const el of document.querySelectorAll('#panel *')) {
            const r = el.getBoundingClientRect();
            if (!r.width || el.closest('[hidden]')) continue;
            if (r.left < p.left - 1 || r.right > p.right + 1) bad.push(`${el.tagName}#${el.id}.${el.className}: ${r.left}–${r.right}`);
        }
        return {scroll: document.documentElement.scrollWidth, width: innerWidth, bad: bad.slice(0, 8)};
    });
    assert.ok(out.scroll <= out.width, `${who}: the page is ${out.scroll}px wide`);
    assert.deepEqual(out.bad, [], `${who}: sticks out of the panel`);
}

// overviewShown waits for the overview to have drawn its table and its trend (or said why not).
async function overviewShown(page) {
    await page.waitForSelector('#overview-table tbody tr', {timeout: 30000});
    await page.waitForSelector('#chart-trend canvas, #trend-error', {timeout: 30000});
}

const kpiAsked = (page, test) => page.waitForRequest((r) => /\/api\/v1\/kpis\?/.test(r.url()) && test(query(r.url())));
const trendAsked = (page, test) => page.waitForRequest((r) => /\/api\/v1\/kpis\/trend\?/.test(r.url()) && test(query(r.url())));
const crumb = (page) => page.$$eval('#drill-crumbs [data-crumb]', (els) => els.map((e) => [e.dataset.crumb, e.textContent]));

// Latin words the Chinese interface may show: units and the proper names of standards and formats.
const ALLOWED = new Set(['km', 'm', 'OSM', 'MVT', 'CSV', 'XLSX', 'PDF', 'GCJ-02', 'WGS-84', 'Open311', 'HTML']);
const latin = (texts) => [...new Set(texts.join('\n').match(/[A-Za-z][A-Za-z0-9-]*/g) || [])].filter((w) => !ALLOWED.has(w));

for (const [width, height] of [[1280, 800], [390, 844]]) {
    const size = `${width}×${height}`;
    describe(`at ${size}`, () => {
        test('after sign-in each incident tile of the view is fetched once, with the period', async () => {
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'admin', 'demo-admin-2026');
                const n = tileRequests(page);
                assert.ok(n.size > 0, 'no incident tiles requested');
                const twice = [...n].filter(([, c]) => c > 1);
                assert.deepEqual(twice, [], `incident tiles fetched more than once: ${page.seen.requests.filter((u) => u.includes('/tiles/incidents/')).join('\n')}`);
                const month = `${today().slice(0, 7)}-01`;
                const first = page.seen.requests.find((u) => u.includes('/tiles/incidents/'));
                assert.equal(query(first).get('from'), new Date(Date.parse(`${month}T00:00:00+08:00`)).toISOString().replace('.000Z', 'Z'));
                assert.ok(!page.seen.requests.some((u) => u.includes('/tiles/heat_incidents/')), 'heat grid tiles requested');
                clean(page);
            } finally {
                await page.context().close();
            }
        });

        test('the period picker drives the KPIs, the trend and the map, and stays in the address', async () => {
            const page = await browser.page({width, height});
            const used = await serveTrend(page, units);
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'admin', 'demo-admin-2026');
                const month = today().slice(0, 7);
                const firstKpi = kpiAsked(page, (q) => q.get('by') === 'subdistrict');
                const firstTrend = trendAsked(page, () => true);
                await page.click('#tabs [data-tab="overview"]');
                assert.equal(query((await firstKpi).url()).get('at'), month);
                const tq = query((await firstTrend).url());
                assert.deepEqual([tq.get('interval'), tq.get('from'), tq.get('by')], ['week', `${month}-01`, 'subdistrict']);
                await overviewShown(page);
                assert.equal(await page.inputValue('#panel-overview #period-kind'), 'month');
                assert.equal(await page.inputValue('#panel-overview #period-at'), month);
                assert.match(page.url(), new RegExp(`period=month&at=${month}`));
                await fits(page, `${size} overview`);
                writeFileSync(join(tmpdir(), `streetchief-overview-${width}.png`), await page.screenshot());

                // A week: the KPIs, the daily trend and the incident tiles follow.
                const kpi = kpiAsked(page, (q) => q.get('period') === 'week');
                const trend = trendAsked(page, (q) => q.get('interval') === 'day');
                const tiles = page.waitForRequest((r) => r.url().includes('/tiles/incidents/') && query(r.url()).get('from') !== query(page.seen.requests.find((u) => u.includes('/tiles/incidents/'))).get('from'));
                await page.selectOption('#panel-overview #period-kind', 'week');
                const week = query((await kpi).url()).get('at');
                assert.match(week, /^\d{4}-W\d{2}$/);
                const wq = query((await trend).url());
                assert.equal(Date.parse(wq.get('to')) - Date.parse(wq.get('from')), 6 * 86400000);
                await tiles;
                await overviewShown(page);
                const prev = kpiAsked(page, (q) => q.get('period') === 'week' && q.get('at') !== week);
                await page.click('#panel-overview #period-prev');
                const before = query((await prev).url()).get('at');
                await overviewShown(page);
                assert.match(page.url(), new RegExp(`period=week&at=${before}`));

                // A reload opens the same period.
                const again = kpiAsked(page, (q) => q.get('period') === 'week');
                await page.reload();
                await page.waitForFunction(() => document.body.dataset.ready === 'true');
                assert.equal(query((await again).url()).get('at'), before);
                await overviewShown(page);
                assert.equal(await page.inputValue('#panel-overview #period-at'), before);

                // Custom dates.
                const custom = kpiAsked(page, (q) => q.get('from') && q.get('to'));
                await page.selectOption('#panel-overview #period-kind', 'custom');
                const cq = query((await custom).url());
                assert.ok(cq.get('from') <= cq.get('to'), cq.toString());
                await overviewShown(page);
                const from = cq.get('to'); // one day: always a valid period
                const set = kpiAsked(page, (q) => q.get('from') === from);
                await page.fill('#panel-overview #period-from', from);
                await page.locator('#panel-overview #period-from').dispatchEvent('change');
                await set;
                await overviewShown(page);
                assert.match(page.url(), new RegExp(`period=custom&from=${from}`));
                assert.ok(used.fixture || used.server, 'the trend was never asked for');
                await fits(page, `${size} overview, custom period`);
                clean(page);
            } finally {
                await page.context().close();
            }
        });

        test('the trend charts and the league with arrows against the previous period', async () => {
            const page = await browser.page({width, height});
            await serveTrend(page, units);
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'admin', 'demo-admin-2026');
                await page.click('#tabs [data-tab="overview"]');
                await overviewShown(page);
                for (const id of ['#chart-trend-totals', '#chart-trend', '#chart-counts', '#chart-rate']) {
                    assert.equal(await page.locator(`${id} canvas`).count(), 1, id);
                }
                const head = await page.$eval('#overview-table thead', (el) => el.textContent);
                for (const label of ['街道', '案件数', '结案率', '按期结案率', '返工率', '当前超期']) assert.ok(head.includes(label), `${label} in ${head}`);
                assert.ok(await page.locator('#overview-table tbody tr').count() >= 7);
                const arrows = await page.$$eval('#overview-table [data-move]', (els) => els.map((e) => e.textContent.trim()));
                assert.ok(arrows.length > 0 && arrows.every((a) => ['▲', '▼', '＝'].includes(a)), `arrows: ${arrows}`);
                const texts = await page.evaluate(() => window.streetchief.overview().charts.texts());
                for (const f of ['新增', '结案', '超期']) assert.ok(texts.includes(f), `chart lacks ${f}`);
                const names = await page.$$eval('#overview-table tbody [data-drill]', (els) => els.map((e) => e.textContent));
                assert.ok(names.some((n) => texts.includes(n)), 'the trend has no line per subdistrict');
                // A click on a subdistrict's line looks at that subdistrict.
                const key = await page.evaluate(() => {
                    const o = window.streetchief.overview();
                    o.charts.list[1].trigger('click', {seriesIndex: 0});
                    return o.trend.series[0].key;
                });
                await page.waitForFunction((k) => new URLSearchParams(location.search).get('subdistrict') === k, key);
                await overviewShown(page);
                assert.equal((await crumb(page)).at(-1)[0], 'subdistrict');
                clean(page);
            } finally {
                await page.context().close();
            }
        });

        test('drill-down: district → subdistrict → community → area and back, the map following', async () => {
            const page = await browser.page({width, height});
            await serveTrend(page, units);
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'admin', 'demo-admin-2026');
                await page.click('#tabs [data-tab="overview"]');
                await overviewShown(page);
                const zoom0 = await page.evaluate(() => window.streetchief.map.getZoom());
                const down = async (by, key) => {
                    const row = page.locator('#overview-table tbody [data-drill]').first();
                    const id = await row.getAttribute('data-drill');
                    const name = await row.textContent();
                    const k = kpiAsked(page, (q) => q.get('by') === by && (!key || q.get(key) === id));
                    await row.click();
                    await k;
                    await overviewShown(page);
                    await mapIdle(page);
                    const last = (await crumb(page)).at(-1);
                    assert.equal(last[1], name);
                    return {id: Number(id), name};
                };
                const sub = await down('community', 'subdistrict');
                const view = await page.evaluate(() => ({zoom: window.streetchief.map.getZoom(),
                    outlined: JSON.stringify(window.streetchief.map.getFilter('admin-selected'))}));
                assert.ok(view.zoom > zoom0, `zoom ${view.zoom} not closer than ${zoom0}`);
                assert.match(view.outlined, new RegExp(`${sub.id}`));
                assert.ok(units.filter((u) => u.parent === sub.id).length > 0);
                const inSub = new Set(units.filter((u) => u.parent === sub.id).map((u) => u.id));
                const listed = await page.$$eval('#overview-table tbody [data-drill]', (els) => els.map((e) => Number(e.dataset.drill)));
                assert.ok(listed.every((id) => inSub.has(id)), 'a community outside the subdistrict is listed');
                // The subdistrict's 月报, as the server prints it for the one looked at.
                const monthly = await page.getAttribute('#monthly-html', 'href');
                assert.match(monthly, new RegExp(`subdistrict=${sub.id}`));
                const printed = await page.request.get(`${server.base}${monthly}`);
                assert.equal(printed.status(), 200);
                assert.match(await printed.text(), new RegExp(sub.name.trim()));
                const com = await down('area', 'community');
                assert.ok(inSub.has(com.id));
                const area = await down('area');
                assert.deepEqual((await crumb(page)).map((c) => c[0]), ['district', 'subdistrict', 'community', 'area']);
                assert.equal(await page.locator('#overview-table tbody tr').count(), 1);
                assert.match(await page.evaluate(() => JSON.stringify(window.streetchief.map.getFilter('areas-selected'))), new RegExp(`${area.id}`));
                assert.match(page.url(), new RegExp(`subdistrict=${sub.id}&community=${com.id}&area=${area.id}`));
                await fits(page, `${size} drilled to an area`);
                writeFileSync(join(tmpdir(), `streetchief-drill-${width}.png`), await page.screenshot());

                // Back up by the breadcrumb.
                const up = kpiAsked(page, (q) => q.get('by') === 'community' && q.get('subdistrict') === String(sub.id));
                await page.click('#drill-crumbs [data-crumb="subdistrict"]');
                await up;
                await overviewShown(page);
                const top = kpiAsked(page, (q) => q.get('by') === 'subdistrict');
                await page.click('#drill-crumbs [data-crumb="district"]');
                await top;
                await overviewShown(page);
                assert.ok(await page.locator('#overview-table tbody tr').count() >= 7);
                assert.doesNotMatch(page.url(), /subdistrict=/);
                clean(page);
            } finally {
                await page.context().close();
            }
        });

        for (const [who, level, by] of [['lanechief', 'community', 'area'], ['streetchief', 'subdistrict', 'community']]) {
            test(`a ${who} starts at their ${level}`, async () => {
                const chief = await apiSession(server.base, who, `demo-${who}-2026`);
                const page = await browser.page({width, height});
                await serveTrend(page, units);
                try {
                    await open(page, `${server.base}/`);
                    await signIn(page, who, `demo-${who}-2026`);
                    const id = level === 'community' ? chief.user.scope.communities[0] : chief.user.scope.subdistricts[0];
                    const k = kpiAsked(page, (q) => q.get('by') === by && q.get(level) === String(id));
                    await page.click('#tabs [data-tab="overview"]');
                    await k;
                    await overviewShown(page);
                    const crumbs = await crumb(page);
                    assert.equal(crumbs[0][0], level, JSON.stringify(crumbs));
                    assert.equal(crumbs[0][1], units.find((u) => u.id === id).name);
                    await fits(page, `${size} ${who}`);
                    clean(page);
                } finally {
                    await page.context().close();
                }
            });
        }

        test('the incident heatmap is a smooth MapLibre heatmap over the incident points, and the legend explains it', async () => {
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'admin', 'demo-admin-2026');
                // Signing in redraws the map's style with the signed-in layers: wait for it.
                await page.waitForFunction(() => window.streetchief?.map?.getLayer('incidents-heat'), null, {timeout: 30000});
                const layer = await page.evaluate(() => {
                    const l = window.streetchief.map.getLayer('incidents-heat');
                    return {type: l.type, source: l.source};
                });
                assert.deepEqual(layer, {type: 'heatmap', source: 'incidents'});
                const without = await mapPixels(page);
                const tiles = tileRequests(page).size;
                await page.check('[data-layer="heatIncidents"]');
                await mapIdle(page);
                const heat = await mapPixels(page);
                assert.ok(changed(without, heat) > 0.02, `the heatmap changed ${(changed(without, heat) * 100).toFixed(2)}%`);
                assert.equal(tileRequests(page).size, tiles, 'the heatmap fetched tiles of its own');
                assert.ok(!page.seen.requests.some((u) => u.includes('/tiles/heat_incidents/')));
                const legend = await page.$eval('.legend', (el) => el.textContent);
                for (const label of ['已上报', '已分派', '处置中', '已上报街长', '联合执法', '已办结', '已关闭', '重新打开', '已驳回', '重复',
                    '事件聚合', '含超期事件的聚合', '事件热力图', '颜色越深']) {
                    assert.ok(legend.includes(label), `legend lacks ${label}`);
                }
                assert.equal(await page.locator('#legend-heat .ramp').count(), 1);
                await fits(page, `${size} map`);
                writeFileSync(join(tmpdir(), `streetchief-heat-${width}.png`), await page.screenshot());
                clean(page);
            } finally {
                await page.context().close();
            }
        });

        test('in Chinese no Latin words, in English English', async () => {
            const page = await browser.page({width, height});
            await serveTrend(page, units);
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'admin', 'demo-admin-2026');
                const shown = () => page.evaluate(() => {
                    const out = [];
                    for (const el of document.querySelectorAll('#bar button, #panel > :not([hidden]) *')) {
                        if (el.closest('[hidden]') || el.id === 'lang') continue;
                        if (el.matches('button, label, th, legend, summary, option, h2, h3, .legend-item, .hint, strong')) out.push(el.textContent);
                        for (const a of ['title', 'aria-label', 'placeholder']) if (el.getAttribute(a)) out.push(el.getAttribute(a));
                    }
                    return out;
                });
                const seen = [];
                for (const tab of ['map', 'incidents', 'overview']) {
                    await page.click(`#tabs [data-tab="${tab}"]`);
                    if (tab === 'overview') await overviewShown(page);
                    else await page.waitForTimeout(200);
                    seen.push(...await shown());
                }
                seen.push(...await page.evaluate(() => window.streetchief.overview().charts.texts()));
                // History rows of a case with a full history.
                const admin = await apiSession(server.base, 'admin', 'demo-admin-2026');
                const closed = (await admin.get('/api/v1/incidents?status=closed&limit=1')).incidents[0];
                await page.evaluate((id) => (location.hash = `#incidents/${id}`), closed.id);
                await page.waitForSelector(`.incident-detail[data-incident="${closed.id}"] .history li`);
                seen.push(...await page.$$eval('.incident-detail .history li, .incident-detail .fields th', (els) => els.map((e) => e.textContent)));
                for (const label of ['结案率', '按期结案率', '返工率', '已分派', '重新打开', '时段', '新增']) {
                    assert.ok(seen.some((x) => x.includes(label)), `${label} was not among the texts checked`);
                }
                assert.deepEqual(latin(seen), [], 'Latin words in the Chinese interface');
                // The browser's own week and month inputs speak the browser's language, not the page's.
                assert.equal(await page.locator('input[type="week"], input[type="month"]').count(), 0);

                await page.click('#lang');
                await page.click('#tabs [data-tab="overview"]');
                await overviewShown(page);
                const head = await page.$eval('#overview-table thead', (el) => el.textContent);
                assert.match(head, /Closure rate.*On-time closure.*Rework rate.*Overdue now/);
                assert.match(await page.textContent('#panel-overview #period'), /Period/);
                const series = await page.evaluate(() => window.streetchief.overview().charts.list[0].getOption().series.map((s) => s.name));
                assert.deepEqual(series, ['Opened', 'Closed', 'Overdue']);
                await page.click('#tabs [data-tab="map"]');
                const legend = await page.$eval('.legend', (el) => el.textContent);
                assert.doesNotMatch(legend, /[\u4e00-\u9fff]/, legend);
                assert.match(legend, /Assigned.*Reopened/);
                await page.click('#lang');
                clean(page);
            } finally {
                await page.context().close();
            }
        });
    });
}
