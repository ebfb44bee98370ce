// Browser tests of the 门前三包 shops on the map (node --test test/merchants.test.js): at 1280×800
// and on a 390×844 phone the merchants layer draws for a signed-in user, has its toggle and legend,
// and a click on a shop puts it — name, inspector, pledge — in the lookup popup.
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

async function shopOnTheMap(size) {
    const admin = await apiSession(server.base, 'admin', 'demo-admin-2026');
    const fc = await admin.get('/api/v1/merchants?limit=1&status=open');
    assert.equal(fc.features.length, 1, 'the demo city has shops');
    const shop = fc.features[0];
    const page = await browser.page(size);
    try {
        await open(page, `${server.base}/`);
        // The public sees no shops.
        assert.equal(await page.evaluate(() => !!window.streetchief.map.getLayer('merchants-point')), false, 'shops shown before sign-in');
        await signIn(page, 'admin', 'demo-admin-2026');
        // The panel is drawn again once the server has said which signed-in layers it serves.
        await page.waitForSelector('#legend-merchants', {state: 'visible', timeout: 10000}).catch(() => {});
        assert.ok(await page.isVisible('#legend-merchants'), 'no shops in the legend');
        assert.ok(await page.isChecked('[data-layer="merchants"]'), 'the shops toggle is off');
        await page.evaluate((c) => window.streetchief.map.jumpTo({center: c, zoom: 17.5}), shop.geometry.coordinates);
        await mapIdle(page);
        const drawn = await page.evaluate(() => window.streetchief.map.queryRenderedFeatures({layers: ['merchants-point']}).length);
        assert.ok(drawn > 0, 'no shops drawn at zoom 17.5');
        // Zoomed out they cluster.
        await page.evaluate(() => window.streetchief.map.setZoom(12.5));
        await mapIdle(page);
        const clusters = await page.evaluate(() => window.streetchief.map.queryRenderedFeatures({layers: ['merchants-cluster']}).length);
        assert.ok(clusters > 0, 'no clusters at zoom 12.5');
        await page.evaluate((c) => window.streetchief.map.jumpTo({center: c, zoom: 17.5}), shop.geometry.coordinates);
        await mapIdle(page);

        // A click on the shop: the popup names it, its inspector and its pledge.
        const at = await page.evaluate((c) => {
            const p = window.streetchief.map.project(c);
            const r = window.streetchief.map.getCanvas().getBoundingClientRect();
            return {x: r.left + p.x, y: r.top + p.y};
        }, shop.geometry.coordinates);
        const near = page.waitForResponse((res) => res.url().includes('/api/v1/merchants?near='));
        await page.mouse.click(at.x, at.y);
        assert.equal((await near).status(), 200);
        await page.waitForSelector('#lookup-shops');
        const text = await page.textContent('#lookup-shops');
        assert.ok(text.includes(shop.properties.name), `popup: ${text}`);
        const inspector = shop.properties.inspector || '无人负责';
        assert.ok(text.includes(inspector), `popup lacks the inspector ${inspector}: ${text}`);
        const popup = await page.evaluate(() => {
            const b = document.querySelector('.lookup-popup').getBoundingClientRect();
            return [b.left, b.top, b.right, b.bottom];
        });
        assert.ok(popup[0] >= 0 && popup[2] <= size.width && popup[3] <= size.height, `popup off screen at ${popup}`);

        // The toggle hides the layer.
        await page.uncheck('[data-layer="merchants"]');
        assert.equal(await page.evaluate(() => window.streetchief.map.getLayoutProperty('merchants-point', 'visibility')), 'none');
        clean(page);
    } finally {
        await page.context().close();
    }
}

describe('the shops layer', () => {
    test('at 1280×800', () => shopOnTheMap({width: 1280, height: 800}));
    test('on a 390×844 phone', () => shopOnTheMap({width: 390, height: 844}));
});
