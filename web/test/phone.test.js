// Browser tests of the dashboard on a 390×844 phone (make test-web): the layout fits, the lookup
// popup stays on screen, and each chief's map opens where they work.
import assert from 'node:assert/strict';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {tmpdir} from 'node:os';
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

// fitsPhone checks a 390px-wide page: nothing wider than the screen, the tabs one line each, the
// header's buttons on screen, and the lookup popup inside the viewport after a click on the map.
async function fitsPhone(page, who) {
    const fit = await page.evaluate(() => {
        const lineHeight = (el) => parseFloat(getComputedStyle(el).lineHeight) || parseFloat(getComputedStyle(el).fontSize) * 1.4;
        const tabs = [...document.querySelectorAll('#tabs [data-tab]')].filter((b) => !b.hidden)
            .map((b) => ({tab: b.dataset.tab, height: b.getBoundingClientRect().height, line: lineHeight(b)}));
        const r = document.querySelector('#lang').getBoundingClientRect();
        const out = document.querySelector('#signout').getBoundingClientRect();
        return {scroll: document.documentElement.scrollWidth, tabs, lang: [r.left, r.top, r.right, r.bottom],
            signout: [out.left, out.right], width: innerWidth, height: innerHeight};
    });
    assert.ok(fit.scroll <= 390, `${who}: page is ${fit.scroll}px wide`);
    assert.ok(fit.tabs.length >= 3, `${who}: ${JSON.stringify(fit.tabs)}`);
    for (const tab of fit.tabs) assert.ok(tab.height <= 2 * tab.line + 16, `${who}: tab wraps: ${JSON.stringify(tab)}`);
    const [l, top, r, bottom] = fit.lang;
    assert.ok(l >= 0 && top >= 0 && r <= fit.width && bottom <= fit.height, `${who}: language button at ${fit.lang}`);
    assert.ok(fit.signout[0] >= 0 && fit.signout[1] <= fit.width, `${who}: sign-out button at ${fit.signout}`);

    // Click the part of the map the sheet leaves uncovered, near its middle but off any case's symbol
    // (a click on a case opens the case instead of asking who is responsible).
    const box = await page.evaluate(() => {
        const m = document.querySelector('#map').getBoundingClientRect();
        const p = document.querySelector('#panel').getBoundingClientRect();
        const map = window.streetchief.map;
        const canvas = map.getCanvas().getBoundingClientRect();
        const cx = m.left + m.width / 2, cy = m.top + (Math.min(m.bottom, p.top) - m.top) / 2;
        const layers = ['incidents-point', 'incidents-cluster'].filter((id) => map.getLayer(id));
        for (let r = 0; r < 120; r += 12) {
            for (const [dx, dy] of [[0, 0], [r, 0], [-r, 0], [0, r], [0, -r], [r, r], [-r, -r], [r, -r], [-r, r]]) {
                const x = cx + dx, y = cy + dy, px = x - canvas.left, py = y - canvas.top;
                const near = layers.length ? map.queryRenderedFeatures([[px - 6, py - 6], [px + 6, py + 6]], {layers}) : [];
                if (!near.length) return {x, y};
            }
        }
        return {x: cx, y: cy};
    });
    const answered = page.waitForResponse((res) => res.url().includes('/api/v1/lookup'));
    await page.mouse.click(box.x, box.y);
    await answered;
    await page.waitForSelector('.lookup-popup .lookup-areas, .lookup-popup .unit');
    const popup = await page.evaluate(() => {
        const b = document.querySelector('.lookup-popup').getBoundingClientRect();
        return [b.left, b.top, b.right, b.bottom];
    });
    assert.ok(popup[0] >= 0 && popup[1] >= 0 && popup[2] <= fit.width && popup[3] <= fit.height, `${who}: popup at ${popup}`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, `${who}: the popup widened the page`);
}

describe('on a 390×844 phone', () => {
    test('a lane chief: the layout fits, and the map opens on their community', async () => {
        const lane = await apiSession(server.base, 'lanechief', 'demo-lanechief-2026');
        const page = await browser.page({width: 390, height: 844});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'lanechief', 'demo-lanechief-2026');
            const [community] = lane.user.scope.communities;
            const unit = await lane.get(`/api/v1/admin-units/${community}`);
            const view = await page.evaluate((geom) => {
                const m = window.streetchief.map;
                let [w, s, e, n] = [180, 90, -180, -90];
                const walk = (c) => (typeof c[0] === 'number'
                    ? ([w, s, e, n] = [Math.min(w, c[0]), Math.min(s, c[1]), Math.max(e, c[0]), Math.max(n, c[1])])
                    : c.forEach(walk));
                walk(geom.coordinates);
                const centre = [(w + e) / 2, (s + n) / 2];
                const b = m.getBounds();
                const px = m.project(centre);
                const r = m.getCanvas().getBoundingClientRect();
                // How much of the visible map the community spans: community-level, not the district.
                const sw = m.project([w, s]);
                const ne = m.project([e, n]);
                return {inView: b.contains(centre), px: [px.x, px.y], size: [r.width, r.height],
                    span: Math.max((ne.x - sw.x) / r.width, (sw.y - ne.y) / r.height), zoom: m.getZoom()};
            }, unit.geometry);
            assert.ok(view.inView, JSON.stringify(view));
            assert.ok(view.span > 0.3, `the community fills only ${(view.span * 100).toFixed(0)}% of the map: ${JSON.stringify(view)}`);
            await fitsPhone(page, 'lane chief');
            writeFileSync(join(tmpdir(), 'streetchief-phone-lane.png'), await page.screenshot());
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('a street chief: the map opens on their subdistrict', async () => {
        const chief = await apiSession(server.base, 'streetchief', 'demo-streetchief-2026');
        const page = await browser.page({width: 390, height: 844});
        try {
            await open(page, `${server.base}/`);
            const before = await page.evaluate(() => window.streetchief.map.getZoom());
            await signIn(page, 'streetchief', 'demo-streetchief-2026');
            const [sub] = chief.user.scope.subdistricts;
            const unit = await chief.get(`/api/v1/admin-units/${sub}`);
            const view = await page.evaluate((geom) => {
                const m = window.streetchief.map;
                const pts = [];
                const walk = (c) => (typeof c[0] === 'number' ? pts.push(c) : c.forEach(walk));
                walk(geom.coordinates);
                const lon = pts.reduce((a, p) => a + p[0], 0) / pts.length;
                const lat = pts.reduce((a, p) => a + p[1], 0) / pts.length;
                return {inView: m.getBounds().contains([lon, lat]), zoom: m.getZoom()};
            }, unit.geometry);
            assert.ok(view.inView, JSON.stringify(view));
            assert.ok(view.zoom > before, `zoom ${view.zoom} is not closer than the district's ${before}`);
            await fitsPhone(page, 'street chief');
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('the administrator: the layout fits, in Chinese and the incidents tab too', async () => {
        const page = await browser.page({width: 390, height: 844});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'admin', 'demo-admin-2026');
            assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
            await fitsPhone(page, 'admin');
            writeFileSync(join(tmpdir(), 'streetchief-phone-admin.png'), await page.screenshot());
            await page.evaluate(() => (location.hash = '#incidents'));
            await page.waitForSelector('#incident-list [data-incident]');
            assert.equal(await page.locator('.lookup-popup').count(), 0, 'the lookup popup stayed over the incidents sheet');
            assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'the incidents tab is wider than the phone');
            assert.match(await page.textContent('#incident-count'), /已显示 100 件，还有更多/);
            writeFileSync(join(tmpdir(), 'streetchief-phone-admin-incidents.png'), await page.screenshot());
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('in English every tab fits the phone too', async () => {
        const page = await browser.page({width: 390, height: 844});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'lanechief', 'demo-lanechief-2026');
            await page.click('#lang');
            assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
            for (const tab of ['map', 'incidents', 'overview', 'gaps']) {
                await page.click(`#tabs [data-tab="${tab}"]`);
                await page.waitForTimeout(300);
                await fitsPhone(page, `lane chief, English, ${tab} tab`);
            }
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});
