// Browser tests of the patrols tab (巡查) against the real server and the demo city: patrols made
// through the API as the field app makes them — a lane chief's honest walk and drive, a street
// chief's walk in another community — then read as a district leader on a desktop and as the lane
// chief on a phone, in Chinese and English: the day's report and list, a suspect patrol's reasons
// in words, a track opened on the map, the patrols layer's toggle, the lane chief held to their
// communities, and a void.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';

import {Browser, apiSession, clean, mapIdle, open, signIn, startServer} from './harness.js';
import {along, patrol, serpentine, smallArea} from './patrols-fixture.js';

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

const beijingDay = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 10);

const patrolsOf = async (s, day) => {
    const list = await s.get(`/api/v1/patrols?day=${day}&limit=1000`);
    return Array.isArray(list) ? list : list.patrols;
};

async function openPatrols(page, day) {
    await page.click('#tabs [data-tab="patrols"]');
    await page.waitForSelector('#panel-patrols:not([hidden]) #patrol-list');
    if ((await page.inputValue('#patrol-day')) !== day) {
        const answered = page.waitForResponse((r) => r.url().includes(`/api/v1/patrols?day=${day}`));
        await page.fill('#patrol-day', day);
        await page.dispatchEvent('#patrol-day', 'change');
        await answered;
        await page.waitForSelector('#panel-patrols #patrol-list');
    }
}

// openTrack opens a patrol from the list and waits for its track to be drawn on the map.
async function openTrack(page, id) {
    await page.click(`#patrol-list li[data-patrol="${id}"] button.patrol-open`);
    await page.waitForSelector(`#patrol-detail[data-patrol="${id}"]`);
    await mapIdle(page);
    return page.evaluate(() => window.streetchief.map.queryRenderedFeatures({layers: ['patrol-opened-line']}).length);
}

// toggleLayer switches the patrols layer on from the map tab and counts the tracks it draws.
async function toggleLayer(page) {
    await page.click('#tabs [data-tab="map"]');
    await page.waitForSelector('#panel-map:not([hidden]) input[data-layer="patrols"]');
    assert.equal(await page.evaluate(() => window.streetchief.map.getLayoutProperty('patrols-line', 'visibility')), 'none');
    await page.check('input[data-layer="patrols"]');
    await mapIdle(page);
    const drawn = await page.evaluate(() => {
        const m = window.streetchief.map;
        return {visible: m.getLayoutProperty('patrols-suspect', 'visibility'),
            credible: m.queryRenderedFeatures({layers: ['patrols-line']}).length,
            suspect: m.queryRenderedFeatures({layers: ['patrols-suspect']}).length};
    });
    assert.ok(await page.isVisible('#legend-patrols'), 'the legend names the tracks');
    await page.uncheck('input[data-layer="patrols"]');
    return drawn;
}

// Latin words a Chinese page should not show; km/h is the unit the reasons are measured in.
const latin = (text) => text.replace(/km\/h/g, '').match(/[A-Za-z]{2,}/g) || [];
// The codes a reader must never see raw (teleport, stationary and replayed are English words too:
// in Chinese the Latin check catches them).
const CODES = /off_site|poor_accuracy|repeated_position|too_few_fixes|too_short|too_little_distance|too_fast|area_not_covered|proof\./;

describe('the patrols tab', () => {
    let leader;
    let lane;
    let chief;
    let walk;
    let drive;
    let elsewhere;
    let day;

    before(async () => {
        leader = await apiSession(server.base, 'leader', 'demo-leader-2026');
        lane = await apiSession(server.base, 'lanechief', 'demo-lanechief-2026');
        chief = await apiSession(server.base, 'streetchief', 'demo-streetchief-2026');
        const mine = lane.user.scope.communities;
        assert.ok(mine?.length, 'the demo lane chief answers for a community');

        // The lane chief walks a small area of their community honestly, then drives through it.
        // Three hours ago, earlier still if the patrols would run into the next Beijing day.
        let start = Date.now() - 3 * 3600e3;
        if (beijingDay(start) !== beijingDay(start + 45 * 60e3)) start -= 45 * 60e3;
        day = beijingDay(start);
        const area = await smallArea(lane, mine[0]);
        const w = along(serpentine(area.b, 40), 1.2, 10, 900, start);
        walk = await patrol(server.base, lane, w.fixes, [area.f.id]);
        const d = along([[area.b[0], area.b[1]], [area.b[2], area.b[3]]], 10, 5, 1800, w.endMs + 20 * 60e3);
        drive = await patrol(server.base, lane, d.fixes, [area.f.id]);
        assert.equal(walk.ended.suspect, false, `the walk is credible: ${JSON.stringify(walk.ended.reasons)}`);
        assert.equal(drive.ended.suspect, true, 'the drive is suspect');
        assert.ok(drive.ended.reasons.some((r) => r.code === 'too_fast'), JSON.stringify(drive.ended.reasons));

        // The street chief walks in a community of their subdistrict that is not the lane chief's.
        const subs = chief.user.scope.subdistricts;
        const {features: communities} = await chief.get(`/api/v1/admin-units?level=community&parent=${subs[0]}&limit=1000`);
        const other = communities.find((c) => !mine.includes(c.id));
        assert.ok(other, 'the street chief has a community beside the lane chief\'s');
        const there = await smallArea(chief, other.id);
        elsewhere = await patrol(server.base, chief, along(serpentine(there.b, 40), 1.2, 10, 600, start + 30 * 60e3).fixes);
    });

    test('a district leader on a desktop, in Chinese then English: report, reasons in words, a track on the map, the layer', async () => {
        const page = await browser.page({width: 1280, height: 800});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'leader', 'demo-leader-2026');
            await openPatrols(page, day);
            assert.equal(await page.locator('#tabs [data-tab="patrols"]').innerText(), '巡查');
            const list = await patrolsOf(leader, day);
            assert.equal(await page.locator('#patrol-list > li').count(), list.length, 'the day\'s patrols as the API lists them');
            for (const p of [walk, drive, elsewhere]) assert.equal(await page.locator(`#patrol-list li[data-patrol="${p.id}"]`).count(), 1);

            const report = await leader.get(`/api/v1/patrols/report?by=person&day=${day}`);
            assert.equal(await page.locator('#patrol-report tbody tr').count(), report.rows.length);
            const laneRow = report.rows.find((r) => r.id === lane.user.person_id);
            assert.ok(laneRow && laneRow.credible >= 1 && laneRow.suspect >= 1, JSON.stringify(laneRow));
            const cells = await page.locator(`#patrol-report tbody tr[data-id="${laneRow.id}"] td`).allInnerTexts();
            assert.deepEqual(cells.slice(1, 4), [laneRow.patrols, laneRow.credible, laneRow.suspect].map(String));

            // By community: the lane chief's community counts both of their patrols.
            const answered = page.waitForResponse((r) => r.url().includes('/api/v1/patrols/report?by=community'));
            await page.selectOption('#patrol-by', 'community');
            await answered;
            await page.waitForSelector('#patrol-report thead th');
            assert.equal(await page.locator('#patrol-report thead th').first().innerText(), '社区');
            const byCommunity = await leader.get(`/api/v1/patrols/report?by=community&day=${day}`);
            assert.equal(await page.locator('#patrol-report tbody tr').count(), byCommunity.rows.length);
            const home = byCommunity.rows.find((r) => r.id === lane.user.scope.communities[0]);
            assert.ok(home && home.patrols >= 2, JSON.stringify(byCommunity.rows));
            assert.match(await page.locator(`#patrol-report tbody tr[data-id="${home.id}"]`).innerText(), new RegExp(home.name));

            const row = page.locator(`#patrol-list li[data-patrol="${drive.id}"]`);
            assert.match(await row.getAttribute('class'), /suspect/);
            const words = await row.locator('.proof-reasons li').allInnerTexts();
            assert.equal(words.length, drive.ended.reasons.length);
            const fast = drive.ended.reasons.find((r) => r.code === 'too_fast');
            assert.ok(words.includes(`中位速度 ${Math.round(fast.figure)} km/h，超过 ${fast.limit} km/h（疑似驾车）`), words.join(' | '));
            const panel = await page.locator('#panel-patrols').innerText();
            assert.doesNotMatch(panel, CODES);
            assert.deepEqual(latin(panel), [], 'Latin words in the Chinese panel');
            assert.match(await page.locator(`#patrol-list li[data-patrol="${walk.id}"]`).innerText(), /可信/);

            assert.ok(await openTrack(page, drive.id) > 0, 'the drive\'s track is drawn');
            assert.match(page.url(), new RegExp(`#patrols/${drive.id}$`));
            assert.match(await page.locator('#patrol-detail').innerText(), /疑似驾车/);
            // A district leader reads patrols but may not void them.
            assert.equal(await page.locator('#patrol-void').count(), 0);

            const drawn = await toggleLayer(page);
            assert.equal(drawn.visible, 'visible');
            assert.ok(drawn.suspect > 0, `the drive drawn as suspect: ${JSON.stringify(drawn)}`);
            assert.ok(drawn.credible > 0, `the walk drawn as credible: ${JSON.stringify(drawn)}`);
            assert.equal(await page.evaluate(() => window.streetchief.map.getLayer('patrol-opened-line')), undefined,
                'the opened track leaves the map with its tab');
            // A track on the map opens its patrol.
            await page.check('input[data-layer="patrols"]');
            await mapIdle(page);
            const fix = drive.fixes[Math.floor(drive.fixes.length / 2)];
            const at = await page.evaluate(([lon, lat]) => {
                const p = window.streetchief.map.project([lon, lat]);
                const c = window.streetchief.map.getCanvas().getBoundingClientRect();
                return {x: c.left + p.x, y: c.top + p.y};
            }, [fix.lon, fix.lat]);
            await page.mouse.click(at.x, at.y);
            await page.waitForSelector(`#patrol-detail[data-patrol="${drive.id}"]`);
            assert.match(page.url(), new RegExp(`#patrols/${drive.id}$`));
            await page.click('#tabs [data-tab="map"]');
            await page.uncheck('input[data-layer="patrols"]');

            // 门前三包: credible and suspect check-ins apart, as the coverage JSON counts them.
            await page.click('#tabs [data-tab="coverage"]');
            await page.waitForSelector('#coverage-table');
            const heads = await page.locator('#coverage-table thead th').allInnerTexts();
            assert.ok(heads.includes('可信巡查') && heads.includes('可疑打卡'), heads.join(' | '));
            const cov = await leader.get(`/api/v1/inspections/coverage?by=community&period=day&at=${beijingDay(Date.now())}`);
            assert.equal(await page.locator('#coverage-table tfoot td.suspect').innerText(), String(cov.total.suspect));
            assert.equal(await page.locator('#coverage-table tfoot td.credible').innerText(), `${cov.total.credible_day_pct.toFixed(1)}%`);

            await page.click('#lang');
            await page.click('#tabs [data-tab="patrols"]');
            await page.waitForSelector('#panel-patrols:not([hidden]) #patrol-list');
            assert.equal(await page.locator('#tabs [data-tab="patrols"]').innerText(), 'Patrols');
            const en = await page.locator(`#patrol-list li[data-patrol="${drive.id}"] .proof-reasons`).innerText();
            assert.ok(en.includes(`median speed ${Math.round(fast.figure)} km/h over ${fast.limit} km/h (a drive?)`), en);
            assert.doesNotMatch(await page.locator('#panel-patrols').innerText(), CODES);
            assert.doesNotMatch(await page.locator('#panel-patrols').innerText(), /[\u4e00-\u9fff]{2,}.*(km\/h|min moving)/);
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('every proof reason, of patrols and check-ins, reads in words in both languages with its figure and limit', async () => {
        const page = await browser.page({width: 1280, height: 800});
        try {
            await open(page, `${server.base}/`);
            const reasons = [
                ['off_site', 'check_in', 86.4, 60, ['86', '60']], ['poor_accuracy', 'check_in', 120, 50, ['120', '50']],
                ['poor_accuracy', 'patrol', 42.5, 30, ['43', '30']], ['teleport', 'patrol', 212.3, 150, ['212', '150']],
                ['teleport', 'check_in', 1e9, 120, []], ['repeated_position', 'check_in', 0, 0, []],
                ['too_few_fixes', 'patrol', 4, 10, ['4', '10']], ['too_short', 'patrol', 3.24, 10, ['3.2', '10']],
                ['too_little_distance', 'patrol', 87.2, 200, ['87', '200']], ['too_fast', 'patrol', 32.4, 15, ['32', '15']],
                ['stationary', 'patrol', 12.6, 30, ['13', '30']], ['repeated_positions', 'patrol', 0.8, 0.5, ['80', '50']],
                ['replayed', 'patrol', 0.97, 0.5, ['97', '50']], ['area_not_covered', 'patrol', 0.12, 0.5, ['12', '50']],
            ];
            for (const lang of ['zh', 'en']) {
                if (lang === 'en') await page.click('#lang');
                const texts = await page.evaluate((rs) => rs.map(([code, kind, figure, limit]) =>
                    window.streetchief.reasonText({code, figure, limit}, kind)), reasons);
                reasons.forEach(([code, kind, , , figures], i) => {
                    const text = texts[i];
                    assert.doesNotMatch(text, CODES, `${lang} ${code}: a raw code in ${text}`);
                    assert.ok(!text.startsWith('proof.'), `${lang} ${code}: no words for ${text}`);
                    for (const f of figures) assert.ok(text.includes(f), `${lang} ${code} (${kind}): ${f} missing from ${text}`);
                    if (lang === 'zh') assert.deepEqual(latin(text), [], `${code}: Latin in ${text}`);
                    else assert.doesNotMatch(text, /[\u4e00-\u9fff]/, `${code}: Chinese in ${text}`);
                });
                assert.equal(new Set(texts).size, texts.length, `${lang}: two reasons read alike: ${texts.join(' | ')}`);
                assert.equal(texts[9], lang === 'zh' ? '中位速度 32 km/h，超过 15 km/h（疑似驾车）' : 'median speed 32 km/h over 15 km/h (a drive?)');
            }
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('an administrator, with every tab, at 1280 and 390 wide in Chinese and English: the header still fits', async () => {
        for (const [width, height] of [[1280, 800], [390, 844]]) {
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'admin', 'demo-admin-2026');
                for (const lang of ['zh', 'en']) {
                    if (lang === 'en') await page.click('#lang');
                    await openPatrols(page, day);
                    const fit = await page.evaluate(() => {
                        const box = (el) => el.getBoundingClientRect();
                        const tabs = [...document.querySelectorAll('#tabs [data-tab]')].filter((b) => !b.hidden)
                            .map((b) => ({tab: b.dataset.tab, right: box(b).right, height: box(b).height}));
                        return {scroll: document.documentElement.scrollWidth, tabs, lang: box(document.querySelector('#lang')).right,
                            signout: box(document.querySelector('#signout')).right};
                    });
                    assert.ok(fit.tabs.some((b) => b.tab === 'patrols'), `${width} ${lang}: no patrols tab`);
                    assert.ok(fit.scroll <= width, `${width} ${lang}: the page is ${fit.scroll}px wide`);
                    assert.ok(fit.lang <= width && fit.signout <= width, `${width} ${lang}: header buttons off screen ${JSON.stringify(fit)}`);
                    for (const tab of fit.tabs) assert.ok(tab.right <= width && tab.height < 40, `${width} ${lang}: tab ${JSON.stringify(tab)}`);
                }
                await page.click('#lang');
                clean(page);
            } finally {
                await page.context().close();
            }
        }
    });

    test('a lane chief on a phone, in Chinese and English: their communities\' patrols only, a track, the layer, a void', async () => {
        const page = await browser.page({width: 390, height: 844});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'lanechief', 'demo-lanechief-2026');
            await openPatrols(page, day);
            const mine = await patrolsOf(lane, day);
            assert.ok(mine.every((p) => lane.user.scope.communities.includes(p.community_id) || p.person_id === lane.user.person_id),
                'the API lists the lane chief\'s communities only');
            const shown = await page.locator('#patrol-list > li').evaluateAll((els) => els.map((e) => e.dataset.patrol));
            assert.deepEqual(shown.sort(), mine.map((p) => p.id).sort());
            assert.ok(shown.includes(walk.id) && shown.includes(drive.id));
            assert.ok(!shown.includes(elsewhere.id), 'the street chief\'s patrol in another community is not the lane chief\'s to see');

            const words = await page.locator(`#patrol-list li[data-patrol="${drive.id}"] .proof-reasons`).innerText();
            assert.match(words, /疑似驾车/);
            assert.deepEqual(latin(await page.locator('#panel-patrols').innerText()), []);
            const fit = await page.evaluate(() => ({scroll: document.documentElement.scrollWidth, panel: document.querySelector('#panel').scrollWidth,
                client: document.querySelector('#panel').clientWidth}));
            assert.ok(fit.scroll <= 390 && fit.panel <= fit.client, `the phone scrolls sideways: ${JSON.stringify(fit)}`);

            assert.ok(await openTrack(page, walk.id) > 0, 'the walk\'s track is drawn');
            const drawn = await toggleLayer(page);
            assert.ok(drawn.credible + drawn.suspect > 0, JSON.stringify(drawn));

            await page.click('#lang');
            await openPatrols(page, day);
            assert.match(await page.locator(`#patrol-list li[data-patrol="${drive.id}"] .proof-reasons`).innerText(), /\(a drive\?\)/);
            assert.equal(await page.locator('#tabs [data-tab="patrols"]').innerText(), 'Patrols');

            // The lane chief voids their own drive with a reason: it stays listed, marked, and
            // leaves the day's suspect count and the map, whose tracks are loaded before it.
            await page.click('#tabs [data-tab="map"]');
            await page.check('input[data-layer="patrols"]');
            await openPatrols(page, day);
            await page.click(`#patrol-list li[data-patrol="${drive.id}"] button.patrol-open`);
            await mapIdle(page);
            assert.ok((await page.evaluate(() => window.streetchief.map.queryRenderedFeatures({layers: ['patrols-suspect']})
                .map((f) => f.properties.id))).includes(drive.id), 'the drive is on the patrols layer before its void');
            await page.waitForSelector('#patrol-void');
            const suspectRow = async () => (await lane.get(`/api/v1/patrols/report?by=person&day=${day}`)).rows
                .find((r) => r.id === lane.user.person_id);
            const before = await suspectRow();
            await page.fill('#patrol-void-reason', 'phone left recording in the car');
            const voided = page.waitForResponse((r) => r.url().includes(`/api/v1/patrols/${drive.id}:void`));
            await page.click('#patrol-void');
            assert.equal((await voided).status(), 200);
            await page.waitForSelector(`#patrol-list li.voided[data-patrol="${drive.id}"]`);
            await page.waitForSelector('#patrol-voided');
            const after = await suspectRow();
            assert.deepEqual([after.patrols, after.suspect, after.credible], [before.patrols - 1, before.suspect - 1, before.credible],
                `${JSON.stringify(before)} → ${JSON.stringify(after)}`);
            // Its track leaves the patrols layer.
            // The layer's tiles are fetched again on the void; the map may still draw the old ones a
            // moment after it is idle, so the test waits (up to 15 s) for the new ones.
            await page.click('#tabs [data-tab="map"]');
            await mapIdle(page);
            const tracksDrawn = () => page.evaluate(() => window.streetchief.map.queryRenderedFeatures({layers: ['patrols-line', 'patrols-suspect']})
                .map((f) => f.properties.id));
            const gone = await page.waitForFunction(([walkID, driveID]) => {
                const ids = window.streetchief.map.queryRenderedFeatures({layers: ['patrols-line', 'patrols-suspect']}).map((f) => f.properties.id);
                return ids.includes(walkID) && !ids.includes(driveID);
            }, [walk.id, drive.id], {timeout: 15000, polling: 200}).then(() => true, () => false);
            const ids = await tracksDrawn();
            assert.ok(gone, `tracks drawn: ${[...new Set(ids)]} (walk ${walk.id}, drive ${drive.id})`);
            await page.click('#tabs [data-tab="patrols"]');
            await page.waitForSelector('#patrol-report');
            const cells = await page.locator(`#patrol-report tbody tr[data-id="${after.id}"] td`).allInnerTexts();
            assert.deepEqual(cells.slice(1, 4), [after.patrols, after.credible, after.suspect].map(String), 'the report reloaded after the void');
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});
