// Browser tests of the service points (便民服务点) against the real server and the demo city: the
// public layer drawn with its toggle, a dot's popup with hours and operator (the contact only for a
// caller whose scope holds the point, never for the public), the services tab's per-community
// summary, and the compounds out of reach drawn in the gaps tab with a line to the nearest point;
// on a desktop (1280×800) and a phone (390×844), in Chinese and English.
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

const latin = (text) => [...new Set(text.match(/[A-Za-z][A-Za-z-]*/g) || [])];

// popupOf clicks the point's dot and answers the popup's fields.
async function popupOf(page, point, size) {
    await page.check('[data-layer="servicePoints"]');
    await page.evaluate((c) => window.streetchief.map.jumpTo({center: c, zoom: 17}), point.geometry.coordinates);
    await mapIdle(page);
    const drawn = await page.evaluate((id) => window.streetchief.map.queryRenderedFeatures({layers: ['service-points-dot']})
        .some((f) => f.properties.id === id), point.id);
    assert.ok(drawn, `point ${point.id} is not drawn`);
    const at = await page.evaluate((c) => {
        const p = window.streetchief.map.project(c);
        const r = window.streetchief.map.getCanvas().getBoundingClientRect();
        return {x: r.left + p.x, y: r.top + p.y};
    }, point.geometry.coordinates);
    await page.mouse.click(at.x, at.y);
    await page.waitForSelector(`.service-point-popup [data-point="${point.id}"]`);
    const box = await page.evaluate(() => {
        const b = document.querySelector('.service-point-popup').getBoundingClientRect();
        return [b.left, b.top, b.right, b.bottom];
    });
    assert.ok(box[0] >= 0 && box[2] <= size.width && box[3] <= size.height, `popup off screen at ${box}`);
    assert.equal(await page.locator('.lookup-popup').count(), 0, 'the lookup popup opened too');
    return page.$$eval('.service-point-popup [data-field]', (tds) => Object.fromEntries(tds.map((td) => [td.dataset.field, td.textContent])));
}

async function pointsOf(session) {
    return (session ? await session.get('/api/v1/service-points?status=open') : await (await fetch(`${server.base}/api/v1/service-points`)).json()).features;
}

describe('the service points', () => {
    test('the public at 1280×800 in Chinese: the layer, its toggle, a popup without the contact, the services tab', async () => {
        const size = {width: 1280, height: 800};
        const points = await pointsOf(null);
        assert.ok(points.length >= 40, `the demo has ${points.length} open points`);
        const point = points.find((p) => p.properties.type === 'mothers_room');
        assert.ok(!('contact_phone' in point.properties), 'the public list carries a contact');
        const page = await browser.page(size);
        try {
            await open(page, `${server.base}/`);
            assert.ok(!await page.isChecked('[data-layer="servicePoints"]'), 'the service points layer is on before it is asked for');
            const fields = await popupOf(page, point, size);
            assert.ok(fields['points.hours'].includes('周一至周五'), `hours: ${fields['points.hours']}`);
            assert.equal(fields['points.operator'], point.properties.operator_org);
            assert.ok(!('points.contact' in fields), `the public sees a contact: ${JSON.stringify(fields)}`);
            assert.deepEqual(latin(await page.textContent('.service-point-popup')), [], 'Latin text in the Chinese popup');

            await page.uncheck('[data-layer="servicePoints"]');
            assert.equal(await page.evaluate(() => window.streetchief.map.getLayoutProperty('service-points-dot', 'visibility')), 'none');

            // The services tab puts them back on the map.
            await page.click('#tabs [data-tab="points"]');
            await page.waitForSelector('#panel-points:not([hidden]) #points-table tbody tr');
            assert.equal(await page.locator('#panel-points h2').innerText(), '便民服务点');
            assert.ok(await page.locator('#points-table tbody tr').count() >= 20, 'few communities in the summary');
            assert.equal(await page.locator('#legend-service-points [data-type]').count(), 5);
            assert.equal(await page.locator('#points-to-gaps').count(), 0, 'the public is sent to the gaps tab');
            assert.equal(await page.evaluate(() => window.streetchief.map.getLayoutProperty('service-points-dot', 'visibility')), 'visible');
            const texts = await page.$$eval('#panel-points *', (els) => els.filter((e) => e.children.length === 0).map((e) => e.textContent).join('\n'));
            assert.deepEqual(latin(texts), [], 'Latin text in the Chinese panel');
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('a lane chief on a 390×844 phone in English sees the contact of a point in their community', async () => {
        const size = {width: 390, height: 844};
        const lane = await apiSession(server.base, 'lanechief', 'demo-lanechief-2026');
        const mine = (await pointsOf(lane)).find((p) => p.properties.in_scope);
        assert.ok(mine, 'no open point in the demo lane chief\'s community');
        assert.ok(mine.properties.contact_phone, 'the lane chief\'s list lacks the contact');
        const page = await browser.page(size);
        try {
            await open(page, `${server.base}/`);
            await page.click('#lang');
            await signIn(page, 'lanechief', 'demo-lanechief-2026');
            const fields = await popupOf(page, mine, size);
            assert.ok(fields['points.contact'].includes(mine.properties.contact_phone), `contact: ${JSON.stringify(fields)}`);
            assert.match(fields['points.hours'], /(Mon|Every day)/);
            await page.keyboard.press('Escape');
            await page.click('#tabs [data-tab="points"]');
            await page.waitForSelector('#panel-points:not([hidden]) #points-table');
            assert.equal(await page.locator('#panel-points h2').innerText(), 'Service points');
            const fit = await page.evaluate(() => ({scroll: document.documentElement.scrollWidth}));
            assert.ok(fit.scroll <= size.width, `the phone scrolls sideways: ${fit.scroll}`);
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('the gaps tab at 1280×800 draws a compound out of reach and its line to the nearest point', async () => {
        const page = await browser.page({width: 1280, height: 800});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'leader', 'demo-leader-2026');
            await page.click('#tabs [data-tab="points"]');
            await page.waitForSelector('#panel-points:not([hidden]) #points-table');
            const far = await page.$$eval('#points-table tbody td.bad', (tds) => tds.length);
            assert.ok(far > 0, 'no community has a compound out of reach');
            await page.click('#points-to-gaps');
            await page.waitForSelector('#panel-gaps:not([hidden]) #gaps-table');
            await page.waitForFunction(() => window.streetchief.map.getSource('gaps'));
            const link = await page.evaluate(() => window.streetchief.map.getSource('gaps').serialize().data.features
                .find((f) => f.properties.gap === 'service_point_gaps' && f.properties.part === 'link'));
            assert.ok(link, 'no line to a nearest point among the gaps');
            assert.ok(['road_network', 'straight_line'].includes(link.properties.method), `method ${link.properties.method}`);
            const [a, b] = link.geometry.coordinates;
            await page.evaluate(([p, q]) => window.streetchief.map.fitBounds([[Math.min(p[0], q[0]), Math.min(p[1], q[1])],
                [Math.max(p[0], q[0]), Math.max(p[1], q[1])]], {padding: 80, duration: 0, maxZoom: 17}), [a, b]);
            await mapIdle(page);
            const drawn = await page.evaluate((id) => window.streetchief.map.queryRenderedFeatures({layers: ['gaps-line']})
                .filter((f) => f.properties.gap === 'service_point_gaps' && f.properties.compound_id === id).length, link.properties.compound_id);
            assert.ok(drawn >= 1, 'the compound and its line are not drawn');
            assert.ok(await page.locator('.legend-item', {hasText: '距服务点过远的小区'}).count() >= 1, 'the gaps legend lacks the kind');
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});
