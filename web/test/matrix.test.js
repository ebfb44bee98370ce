// Browser tests of the fixed-posts panel (定岗定人) against the real server and the demo city: the
// district leader sees every subdistrict with the vacant cells red and saying what they lack, a
// department liaison only their subdistricts; on a desktop and a phone, in Chinese and English; and
// the lookup popup lists a subdistrict's posts with their level.
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

async function openPosts(page) {
    await page.click('#tabs [data-tab="posts"]');
    await page.waitForSelector('#panel-posts:not([hidden]) #posts-matrix');
}

// Latin words the Chinese interface may show: the proper names of formats.
const latin = (text) => (text.match(/[A-Za-z][A-Za-z0-9-]*/g) || []).filter((w) => !['XLSX'].includes(w));

// shown reads the matrix as drawn: column ids, and each cell's subdistrict, vacancy and text.
const shown = (page) => page.evaluate(() => ({
    columns: [...document.querySelectorAll('#posts-matrix thead th[data-subdistrict]')].map((th) => Number(th.dataset.subdistrict)),
    cells: [...document.querySelectorAll('#posts-matrix tr[data-department] td')].map((td) => ({
        sub: Number(td.dataset.subdistrict), dept: Number(td.closest('tr').dataset.department),
        vacant: td.classList.contains('vacant'), red: getComputedStyle(td).backgroundColor, text: td.innerText})),
    linked: [...document.querySelectorAll('#posts-matrix tr[data-row="linked"] td')].map((td) => td.innerText),
}));

for (const [width, height] of [[1280, 800], [390, 844]]) {
    describe(`the department posts at ${width}×${height}`, () => {
        test('the district leader reads the whole matrix, vacant cells red with what they lack, in Chinese and English', async () => {
            const leader = await apiSession(server.base, 'leader', 'demo-leader-2026');
            const m = await leader.get('/api/v1/department-posts');
            assert.ok(m.subdistricts.length >= 7 && m.departments.length === 9, `${m.subdistricts.length} × ${m.departments.length}`);
            assert.ok(m.vacant_cells > 0, 'the demo city has vacancies');
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'leader', 'demo-leader-2026');
                await openPosts(page);
                const s = await shown(page);
                assert.deepEqual(s.columns, m.subdistricts.map((c) => c.id));
                assert.equal(s.cells.length, m.subdistricts.length * m.departments.length);
                const vacant = s.cells.filter((c) => c.vacant);
                assert.equal(vacant.length, m.vacant_cells);
                const filled = s.cells.find((c) => !c.vacant);
                for (const c of vacant) {
                    assert.notEqual(c.red, filled.red, 'a vacant cell is coloured');
                    assert.match(c.text, /缺：(负责领导|负责人)/);
                    const want = m.departments.find((d) => d.id === c.dept).cells.find((x) => x.subdistrict_id === c.sub);
                    assert.ok(want.vacant, `cell ${c.dept}/${c.sub} is red but the API says filled`);
                }
                // Names and levels as the API has them; the leader sees phones (whole district).
                const d0 = m.departments[0].cells[0];
                const first = s.cells.find((c) => c.dept === m.departments[0].id && c.sub === d0.subdistrict_id);
                for (const p of [...d0.leaders, ...d0.responsible]) {
                    assert.ok(first.text.includes(p.name), `${p.name} missing from ${first.text}`);
                    assert.ok(first.text.includes(p.phone), `${p.phone} missing from ${first.text}`);
                }
                assert.match(first.text, /市级|区级/);
                assert.ok(s.linked.every((text) => /市级/.test(text)), 'every subdistrict has a linked city leader');
                const text = await page.locator('#panel-posts').innerText();
                assert.deepEqual(latin(text), [], 'Latin words in the Chinese panel');
                assert.equal(await page.locator('#posts-xlsx').getAttribute('href'), '/api/v1/department-posts?format=xlsx');
                // The page never scrolls sideways; the table does, inside the panel, the departments kept in view.
                const fit = await page.evaluate(() => {
                    const box = document.querySelector('.matrix-scroll');
                    box.scrollLeft = box.scrollWidth;
                    const dept = document.querySelector('#posts-matrix tbody th.dept').getBoundingClientRect();
                    const panel = document.querySelector('#panel').getBoundingClientRect();
                    return {page: document.documentElement.scrollWidth, dept: dept.left, panel: panel.left, right: panel.right};
                });
                assert.ok(fit.page <= width, `the page is ${fit.page}px wide`);
                assert.ok(fit.right <= width, `the panel reaches ${fit.right}px`);
                assert.ok(Math.abs(fit.dept - fit.panel) < 20, `the department column scrolled away: ${JSON.stringify(fit)}`);

                await page.click('#lang');
                await page.waitForFunction(() => document.querySelector('#panel-posts h2').textContent === 'Department posts');
                const en = await shown(page);
                assert.match(en.cells.find((c) => c.vacant).text, /Missing: (Responsible leader|Responsible person)/);
                assert.match(await page.locator('#posts-matrix thead th').first().innerText(), /Department/);
                assert.equal(await page.locator('#tabs [data-tab="posts"]').innerText(), 'Posts');
                await page.click('#lang');
                clean(page);
            } finally {
                await page.context().close();
            }
        });

        test('a department liaison reads only their subdistricts', async () => {
            const liaison = await apiSession(server.base, 'liaison', 'demo-liaison-2026');
            const m = await liaison.get('/api/v1/department-posts');
            const {user} = await liaison.get('/api/v1/session');
            assert.deepEqual(m.subdistricts.map((c) => c.id).sort(), [...user.scope.subdistricts].sort());
            const page = await browser.page({width, height});
            try {
                await open(page, `${server.base}/`);
                await signIn(page, 'liaison', 'demo-liaison-2026');
                await openPosts(page);
                const s = await shown(page);
                assert.deepEqual(s.columns, m.subdistricts.map((c) => c.id));
                assert.equal(s.cells.length, m.departments.length * m.subdistricts.length);
                clean(page);
            } finally {
                await page.context().close();
            }
        });
    });
}

describe('the lookup popup', () => {
    test('lists the posts over the subdistrict with their level', async () => {
        const page = await browser.page({width: 1280, height: 800});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'leader', 'demo-leader-2026');
            const leader = await apiSession(server.base, 'leader', 'demo-leader-2026');
            // The middle of an area's box: the areas are blocks, so it lies in the area and its subdistrict.
            const areas = await leader.get('/api/v1/areas?kind=residential_compound&limit=1');
            const ring = areas.features[0].geometry.coordinates[0][0];
            const xs = ring.map((c) => c[0]);
            const ys = ring.map((c) => c[1]);
            const lon = (Math.min(...xs) + Math.max(...xs)) / 2;
            const lat = (Math.min(...ys) + Math.max(...ys)) / 2;
            const answer = await leader.get(`/api/v1/lookup?lon=${lon}&lat=${lat}`);
            assert.ok(answer.subdistrict?.posts?.length > 0, `no posts at ${lon},${lat}: ${JSON.stringify(answer.subdistrict)}`);
            await page.evaluate(([lng, lat]) => window.streetchief.mapView.hooks.onLookup({lng, lat}), [lon, lat]);
            await page.waitForSelector('#lookup-posts');
            await page.click('#lookup-posts summary');
            const text = await page.locator('#lookup-posts').innerText();
            assert.match(text, new RegExp(`定岗定人（${answer.subdistrict.posts.length}）`));
            assert.match(text, /负责领导 · (市级|区级)/);
            assert.match(text, /挂钩领导 · 市级/);
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});

describe('the tabs on a phone', () => {
    test('with the posts tab, the administrator’s tabs still fit on one line each, in Chinese and English', async () => {
        const page = await browser.page({width: 390, height: 844});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'admin', 'demo-admin-2026');
            for (const lang of ['zh', 'en']) {
                if (lang === 'en') await page.click('#lang');
                await openPosts(page);
                const tabs = await page.evaluate(() => [...document.querySelectorAll('#tabs [data-tab]')].filter((b) => !b.hidden)
                    .map((b) => ({tab: b.dataset.tab, height: b.getBoundingClientRect().height, right: b.getBoundingClientRect().right,
                        line: parseFloat(getComputedStyle(b).lineHeight) || parseFloat(getComputedStyle(b).fontSize) * 1.4})));
                assert.ok(tabs.some((b) => b.tab === 'posts'), `${lang}: no posts tab`);
                for (const tab of tabs) {
                    assert.ok(tab.height <= 2 * tab.line + 16, `${lang}: tab wraps: ${JSON.stringify(tab)}`);
                    assert.ok(tab.right <= 390, `${lang}: tab off screen: ${JSON.stringify(tab)}`);
                }
            }
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});
