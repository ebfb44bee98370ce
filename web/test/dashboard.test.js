// Browser tests of the dashboard against the real server and the demo city (make test-web).
import assert from 'node:assert/strict';
import {mkdirSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {tmpdir} from 'node:os';
import {after, before, describe, test} from 'node:test';

import {PNG} from 'pngjs';

import {Browser, apiSession, changed, clean, coloured, mapIdle, mapPixels, open, repo, signIn, startServer} from './harness.js';

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

// tinyPhoto is a 16×12 PNG in base64, for a report with a photo.
function tinyPhoto() {
    const png = new PNG({width: 16, height: 12});
    for (let i = 0; i < png.data.length; i += 4) png.data.set([200, (i / 4) % 255, 80, 255], i);
    return PNG.sync.write(png).toString('base64');
}

describe('anonymous visitor', () => {
    let page;
    before(async () => {
        page = await browser.page();
        await open(page, `${server.base}/`);
    });
    after(() => page?.context().close());

    test('the map draws the city from its own tiles, labels included, asking nobody but localhost', async () => {
        const png = await mapPixels(page);
        const share = coloured(png);
        assert.ok(share > 0.3, `only ${(share * 100).toFixed(1)}% of the map is drawn`);
        const tiles = page.seen.requests.filter((u) => /\/tiles\/(admin|areas)\/\d+\/\d+\/\d+\.mvt/.test(u));
        assert.ok(tiles.length > 0, 'no vector tiles were requested');
        // Labels are symbol layers drawn from local fonts (no glyphs server): they are placed, and
        // hiding them changes the picture.
        const placed = await page.evaluate(() => window.streetchief.map.queryRenderedFeatures({layers: ['labels-subdistrict']}).length);
        assert.ok(placed >= 3, `only ${placed} subdistrict labels placed`);
        await page.evaluate(() => {
            for (const id of ['labels-subdistrict', 'labels-community']) window.streetchief.map.setLayoutProperty(id, 'visibility', 'none');
        });
        await mapIdle(page);
        const unlabelled = await mapPixels(page);
        await page.evaluate(() => {
            for (const id of ['labels-subdistrict', 'labels-community']) window.streetchief.map.setLayoutProperty(id, 'visibility', 'visible');
        });
        await mapIdle(page);
        assert.ok(changed(png, unlabelled) > 0.003, 'labels drew nothing');
        assert.equal(await page.locator('#tabs [data-tab="incidents"]').isVisible(), false, 'incidents tab shown to a visitor');
        clean(page);
    });

    test('clicking an area shows who is responsible for it, and the date picker asks about the past', async () => {
        // Find a spot on screen whose lookup names an area with a responsible person.
        const spot = await page.evaluate(async () => {
            const m = window.streetchief.map;
            const c = m.getCanvas().getBoundingClientRect();
            for (let y = 0.3; y < 0.8; y += 0.07) {
                for (let x = 0.3; x < 0.8; x += 0.07) {
                    const px = {x: c.width * x, y: c.height * y};
                    const ll = m.unproject([px.x, px.y]);
                    const a = await (await fetch(`/api/v1/lookup?lon=${ll.lng}&lat=${ll.lat}`)).json();
                    const area = a.areas.find((ar) => ar.distance_m === 0 && ar.responsible.length);
                    if (area && a.community?.lane_chief) {
                        return {x: c.left + px.x, y: c.top + px.y, person: area.responsible[0].name, chief: a.community.lane_chief.name};
                    }
                }
            }
            return null;
        });
        assert.ok(spot, 'no covered area on screen');
        await page.mouse.click(spot.x, spot.y);
        const popup = page.locator('.lookup-popup');
        await popup.locator('.lookup-areas').waitFor();
        const text = await popup.innerText();
        assert.match(text, new RegExp(spot.person));
        assert.match(text, new RegExp(spot.chief));

        const asked = page.waitForRequest((r) => r.url().includes('/api/v1/lookup') && r.url().includes('at='));
        await page.fill('#lookup-at', '2025-01-15T09:30');
        await page.locator('#lookup-at').dispatchEvent('change');
        const req = await asked;
        assert.match(decodeURIComponent(req.url()), /at=2025-01-15T09:30:00\+08:00/);
        await popup.locator('.lookup-areas, .hint').first().waitFor();
        clean(page);
    });

    test('the language switch puts every panel into English and back', async () => {
        await page.click('#lang');
        assert.equal(await page.locator('#tabs [data-tab="map"]').innerText(), 'Map');
        assert.match(await page.locator('#panel-map').innerText(), /Layers/);
        await page.click('#lang');
        assert.equal(await page.locator('#tabs [data-tab="map"]').innerText(), '地图');
    });

    test('zooming to a subdistrict from the list moves the map there', async () => {
        const before = await page.evaluate(() => window.streetchief.map.getZoom());
        await page.locator('#panel-map [data-unit]').first().click();
        await page.waitForFunction((z) => window.streetchief.map.getZoom() > z + 0.3, before);
        await mapIdle(page);
        // The outline selects by the tile's feature id: the unit list and the filter must agree.
        const outlined = await page.evaluate(() => window.streetchief.map.queryRenderedFeatures({layers: ['admin-selected']}).length);
        assert.ok(outlined > 0, 'the chosen unit is not outlined');
    });

    test('an area can be found by name', async () => {
        const name = await page.evaluate(() => window.streetchief.map.querySourceFeatures('areas', {sourceLayer: 'areas'})[0]?.properties.name);
        assert.ok(name, 'no areas loaded');
        await page.fill('#area-search', name);
        await page.locator(`#area-results [data-area]`).first().waitFor();
        assert.match(await page.locator('#area-results').innerText(), new RegExp(name));
        await page.locator(`#area-results [data-area]`).first().click();
        await mapIdle(page);
        const outlined = await page.evaluate(() => window.streetchief.map.queryRenderedFeatures({layers: ['areas-selected']}).length);
        assert.ok(outlined > 0, 'the area found is not outlined');
        clean(page);
    });
});

describe('signed in as the administrator', () => {
    let page;
    before(async () => {
        page = await browser.page();
        await open(page, `${server.base}/`);
        await signIn(page, 'admin', 'demo-admin-2026');
    });
    after(() => page?.context().close());

    test('signed in, the area search covers the whole scope, not only the loaded map', async () => {
        // The newest area: where the map is not necessarily looking.
        const area = await page.evaluate(async () => {
            const ids = [];
            let after = '';
            for (;;) {
                const c = await (await fetch(`/api/v1/areas?limit=1000${after}`)).json();
                ids.push(...c.features.map((f) => ({id: f.id, name: f.properties.name})));
                if (!c.next) return ids.at(-1);
                after = `&after=${c.next}`;
            }
        });
        assert.ok(area, 'no areas');
        const view = await page.evaluate(() => ({center: window.streetchief.map.getCenter(), zoom: window.streetchief.map.getZoom()}));
        const asked = page.waitForRequest((r) => r.url().includes('/api/v1/areas?') && r.url().includes('name='));
        await page.fill('#area-search', area.name);
        await asked;
        const hit = page.locator(`#area-results [data-area="${area.id}"]`);
        await hit.waitFor();
        await hit.click();
        await mapIdle(page);
        const outlined = await page.evaluate((id) => window.streetchief.map.queryRenderedFeatures({layers: ['areas-selected']})
            .filter((f) => f.id === id).length, area.id);
        assert.ok(outlined > 0, 'the area found through the API is not outlined');
        await page.fill('#area-search', '');
        await page.evaluate((v) => window.streetchief.map.jumpTo(v), view); // where the tests below expect the map
        await mapIdle(page);
        clean(page);
    });

    test('toggling the incident heatmap changes the picture', async () => {
        const without = await mapPixels(page);
        await page.check('[data-layer="heatIncidents"]');
        await mapIdle(page);
        const withHeat = await mapPixels(page);
        assert.ok(changed(without, withHeat) > 0.05, `heatmap changed only ${(changed(without, withHeat) * 100).toFixed(2)}%`);
        // The heatmap draws the incident points' own tiles (trends.test.js checks it fetches none of its own).
        assert.equal(await page.evaluate(() => window.streetchief.map.getLayer('incidents-heat').source), 'incidents');
        await page.uncheck('[data-layer="heatIncidents"]');
        await mapIdle(page);
        clean(page);
    });

    test('filtering incidents by a subdistrict changes the list and the map', async () => {
        await page.click('#tabs [data-tab="incidents"]');
        await page.locator('#incident-list [data-incident]').first().waitFor();
        const ids = () => page.$$eval('#incident-list [data-incident]', (els) => els.map((e) => Number(e.dataset.incident)));
        const all = await ids();
        const sub = await page.$$eval('#filter-subdistrict option', (os) => os.map((o) => o.value).filter(Boolean)[1]);
        const listed = page.waitForResponse((r) => r.url().includes(`/api/v1/incidents?`) && r.url().includes(`subdistrict=${sub}`));
        await page.selectOption('#filter-subdistrict', sub);
        await listed;
        await page.waitForFunction(() => !document.querySelector('#incident-count').textContent.includes('…'));
        const some = await ids();
        assert.notDeepEqual(some, all);
        const want = await page.evaluate(async (s) => {
            const open = 'reported,assigned,in_progress,escalated,joint_enforcement,reopened';
            const r = await (await fetch(`/api/v1/incidents?subdistrict=${s}&status=${open}&limit=100`)).json();
            return r.incidents.map((i) => i.id);
        }, sub);
        assert.deepEqual(some, want);
        const filter = await page.evaluate(() => JSON.stringify(window.streetchief.map.getFilter('incidents-point')));
        assert.match(filter, /within/, 'map incidents not filtered to the subdistrict');
        await page.selectOption('#filter-subdistrict', '');
        clean(page);
    });

    test('clicking a listed incident opens its history and flies the map to it', async () => {
        await page.locator('#incident-list [data-incident]').first().click();
        await page.locator('.incident-detail .history li').first().waitFor();
        await mapIdle(page);
        const zoom = await page.evaluate(() => window.streetchief.map.getZoom());
        assert.ok(zoom >= 16, `map at zoom ${zoom}`);
        await page.click('#incident-back');
        clean(page);
    });

    test('signed in, the legend names every open status and both cluster colours', async () => {
        await page.click('#tabs [data-tab="map"]');
        const legend = await page.$eval('.legend', (el) => el.textContent);
        for (const label of ['已上报', '已分派', '处置中', '已上报街长', '联合执法', '重新打开', '事件聚合', '含超期事件的聚合']) {
            assert.ok(legend.includes(label), `legend lacks ${label}: ${legend}`);
        }
        clean(page);
    });

    test('a reworked case reads in Chinese: routing by name and post, the failed check, the rework', async () => {
        const admin = await apiSession(server.base, 'admin', 'demo-admin-2026');
        const list = (await admin.get('/api/v1/incidents?status=closed&limit=500')).incidents;
        let reworked;
        for (const i of list) {
            const d = await admin.get(`/api/v1/incidents/${i.id}`);
            if (d.events.some((e) => e.kind === 'verification' && e.params?.outcome === 'failed')) {
                reworked = d;
                break;
            }
        }
        assert.ok(reworked, 'no reworked case among the closed ones');
        await page.evaluate((id) => (location.hash = `#incidents/${id}`), reworked.id);
        await page.waitForSelector(`.incident-detail[data-incident="${reworked.id}"] .history li`);
        const history = await page.$eval('.incident-detail .history', (el) => el.textContent);
        assert.match(history, /核查未通过，返工/);
        assert.match(history, /派给 /);
        assert.doesNotMatch(history, /[A-Za-z]{3,}/, history);
        const place = await page.$eval('.incident-detail .fields', (el) => el.textContent);
        assert.match(place, /位置.+社区 · .+街道/, 'the detail does not say where the case is');
        await page.click('#incident-back');
        clean(page);
    });

    test('the overview counts incidents by subdistrict in a table and charts', async () => {
        await page.click('#tabs [data-tab="overview"]');
        await page.locator('#overview-table tbody tr').first().waitFor({timeout: 20000});
        const rows = await page.locator('#overview-table tbody tr').count();
        assert.ok(rows >= 7, `${rows} rows`);
        assert.equal(await page.locator('#chart-counts canvas').count(), 1);
        assert.equal(await page.locator('#chart-rate canvas').count(), 1);
        clean(page);
    });

    test('the gaps tab tabulates gaps by subdistrict and flies the map to a listed gap', async () => {
        await page.click('#tabs [data-tab="gaps"]');
        await page.locator('#gaps-table tbody tr').first().waitFor({timeout: 30000});
        const rows = await page.locator('#gaps-table tbody tr').count();
        assert.ok(rows >= 7, `${rows} rows`);
        assert.match(await page.locator('#gaps-xlsx').getAttribute('href'), /format=xlsx/);
        assert.match(await page.locator('#gaps-html').getAttribute('href'), /format=html/);
        assert.ok(await page.evaluate(() => !!window.streetchief.map.getLayer('gaps-fill')), 'no gap layer');
        await mapIdle(page);
        const before = await page.evaluate(() => window.streetchief.map.getCenter().toArray());
        await page.locator('#gap-list [data-gap] button').first().click();
        await page.waitForFunction((c) => {
            const n = window.streetchief.map.getCenter();
            return Math.abs(n.lng - c[0]) + Math.abs(n.lat - c[1]) > 1e-6;
        }, before);
        await mapIdle(page);
        const filter = await page.evaluate(() => JSON.stringify(window.streetchief.map.getFilter('gaps-selected')));
        assert.doesNotMatch(filter, /-1/, 'the gap is not highlighted');
        clean(page);
    });

    test('a screenshot for the README', async () => {
        await page.click('#tabs [data-tab="map"]');
        await page.evaluate(async () => {
            const b = (await (await fetch('/tiles/admin.json')).json()).bounds;
            window.streetchief.map.jumpTo({center: [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2], zoom: 14.3});
        });
        await mapIdle(page);
        const m = await page.evaluate(() => {
            const c = window.streetchief.map.getCanvas().getBoundingClientRect();
            return {x: c.left + c.width * 0.62, y: c.top + c.height * 0.58};
        });
        await page.mouse.click(m.x, m.y);
        await page.locator('.lookup-popup .lookup-areas, .lookup-popup .hint').first().waitFor();
        await page.waitForTimeout(300);
        // The README's picture is refreshed on request only, so a test run leaves the tree clean.
        const shot = process.env.STREETCHIEF_UPDATE_SCREENSHOT === '1'
            ? join(repo, 'docs/dashboard.png') : join(tmpdir(), 'streetchief-dashboard.png');
        mkdirSync(dirname(shot), {recursive: true});
        writeFileSync(shot, await page.screenshot());
        clean(page);
    });
});

describe('signed in as a lane chief', () => {
    let page;
    let lane;
    let admin;
    before(async () => {
        lane = await apiSession(server.base, 'lanechief', 'demo-lanechief-2026');
        admin = await apiSession(server.base, 'admin', 'demo-admin-2026');
        page = await browser.page({width: 768, height: 1024});
        await open(page, `${server.base}/`);
        await signIn(page, 'lanechief', 'demo-lanechief-2026');
    });
    after(() => page?.context().close());

    test('an incident of their community moves to in progress, and stays so after a reload', async () => {
        // A fresh report in the lane chief's community (the demo history's own assigned cases may be
        // escalated by the overdue job at any minute), assigned on intake or else by the administrator.
        const spot = (await lane.get('/api/v1/incidents?limit=1000')).incidents
            .find((i) => lane.user.scope.communities.includes(i.community_id));
        assert.ok(spot, 'the lane chief sees no incident of their community');
        const res = await fetch(`${server.base}/api/v1/incidents`, {method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({category: 'random_piling', description: '浏览器测试：楼道口堆放杂物', lon: spot.lon, lat: spot.lat,
                photos: [tinyPhoto()]})});
        assert.equal(res.status, 201, await res.clone().text());
        const mine = await res.json();
        if (mine.status === 'reported') { // intake routes to whoever holds the post, when someone does
            await admin.post(`/api/v1/incidents/${mine.id}/transitions`, {to: 'assigned', assignee_person_id: lane.user.person_id});
        }
        assert.ok(lane.user.scope.communities.includes((await admin.get(`/api/v1/incidents/${mine.id}`)).community_id));
        await page.evaluate((id) => (location.hash = `#incidents/${id}`), mine.id);
        await page.waitForFunction(() => document.querySelector('.photos img')?.naturalWidth > 0);
        await page.locator('#incident-actions [data-to="in_progress"]').click();
        await page.waitForSelector('#incident-status[data-status="in_progress"]');
        await page.reload();
        await page.waitForFunction(() => document.body.dataset.ready === 'true');
        await page.waitForSelector(`.incident-detail[data-incident="${mine.id}"] #incident-status[data-status="in_progress"]`);
        const after = await admin.get(`/api/v1/incidents/${mine.id}`);
        assert.equal(after.status, 'in_progress');
        clean(page);
    });

    test("another community's incident is not shown", async () => {
        const theirs = (await admin.get('/api/v1/incidents?limit=500')).incidents
            .find((i) => i.community_id && !lane.user.scope.communities.includes(i.community_id) && i.assignee_person_id !== lane.user.person_id);
        assert.ok(theirs);
        await page.evaluate((id) => (location.hash = `#incidents/${id}`), theirs.id);
        await page.waitForSelector('#incident-error');
        // The 404 is the point: the browser reports it as a failed load, which this test expects.
        page.seen.failed = page.seen.failed.filter((f) => !f.includes(`/api/v1/incidents/${theirs.id}: HTTP 404`));
        page.seen.errors = page.seen.errors.filter((e) => !/status of 404/.test(e));
        await page.click('#incident-back');
        const answered = page.waitForResponse((r) => r.url().includes('/api/v1/incidents?'));
        await page.selectOption('#filter-status', '');
        await answered;
        await page.waitForFunction(() => !document.querySelector('#incident-count').textContent.includes('…'));
        const listed = await page.$$eval('#incident-list [data-incident]', (els) => els.map((e) => Number(e.dataset.incident)));
        assert.ok(listed.length > 0);
        assert.ok(!listed.includes(theirs.id));
        clean(page);
    });

    test('the layout fits a 768×1024 portrait screen', async () => {
        const fit = await page.evaluate(() => ({scroll: document.documentElement.scrollWidth, map: document.querySelector('#map').getBoundingClientRect().height,
            panel: document.querySelector('#panel').getBoundingClientRect().height}));
        assert.ok(fit.scroll <= 768, `page is ${fit.scroll}px wide`);
        assert.ok(fit.map > 300 && fit.panel > 300, JSON.stringify(fit));
    });
});

