// Browser tests of the inbox (消息) in the field app (/field/) on an emulated phone (390×844, touch):
// the header's unread count as the API has it, the notices newest first in the UI language, opening
// one records its reading on the server and opens its case; offline and reloaded the last page still
// shows, and a notice opened offline is sent as read once the network is back.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {after, before, describe, test} from 'node:test';

import {PNG} from 'pngjs';

import {Browser, apiSession, startServer} from './harness.js';

let server;
let browser;

before(async () => {
    browser = await Browser.launch();
    // Today's morning digest is written as the server starts, whatever the hour the test runs at.
    server = await startServer({args: ['--digest-at', '00:00']});
});

after(async () => {
    await browser?.close();
    await server?.stop();
});

const PHONE = {width: 390, height: 844, isMobile: true, hasTouch: true};

async function signIn(page, username) {
    await page.goto(`${server.base}/field/`);
    await page.fill('#signin-username', username);
    await page.fill('#signin-password', `demo-${username}-2026`);
    await page.tap('#signin-submit');
    await page.waitForSelector('#tabs:not([hidden])');
    await page.waitForFunction(() => navigator.serviceWorker?.controller, null, {timeout: 30000});
}

// settled answers the inbox once it stands still: the overdue escalation run as the server starts
// may still be writing notices.
async function settled(who, query = '') {
    let last = await who.get(`/api/v1/inbox${query}`);
    for (let i = 0; i < 20; i++) {
        await new Promise((r) => setTimeout(r, 500));
        const now = await who.get(`/api/v1/inbox${query}`);
        if (now.unread === last.unread && i >= 3) return now;
        last = now;
    }
    return last;
}

// dispatchToLaneChief has citizens report n cases in the lane chief's community and the street
// chief's office send each to the lane chief (escalated first when intake gave it to an area's
// manager), so the lane chief's inbox holds fresh work whatever the demo's history left there.
async function dispatchToLaneChief(lane, n) {
    const admin = await apiSession(server.base, 'admin', 'demo-admin-2026');
    const spot = (await lane.get('/api/v1/incidents?limit=1000')).incidents
        .find((i) => lane.user.scope.communities.includes(i.community_id));
    assert.ok(spot, 'the lane chief sees no incident of their community');
    const png = new PNG({width: 16, height: 12});
    png.data.fill(200);
    for (let k = 0; k < n; k++) {
        const res = await fetch(`${server.base}/api/v1/incidents`, {method: 'POST', headers: {'Content-Type': 'application/json'},
            body: JSON.stringify({category: 'random_piling', description: `手机消息测试：巷口堆放杂物 ${k + 1}`, lon: spot.lon, lat: spot.lat,
                photos: [PNG.sync.write(png).toString('base64')]})});
        assert.equal(res.status, 201, await res.clone().text());
        const c = await res.json();
        if (c.assignee_person_id === lane.user.person_id) continue;
        if (c.status === 'assigned') await admin.post(`/api/v1/incidents/${c.id}/transitions`, {to: 'escalated', note: '转巷长处置'});
        await admin.post(`/api/v1/incidents/${c.id}/transitions`, {to: 'assigned', assignee_person_id: lane.user.person_id});
        assert.equal((await admin.get(`/api/v1/incidents/${c.id}`)).assignee_person_id, lane.user.person_id);
    }
}

const badge = (page) => page.$eval('#inbox-count', (el) => el.dataset.unread);

async function badgeIs(page, n) {
    await page.waitForFunction((want) => document.querySelector('#inbox-count').dataset.unread === want, String(n), {timeout: 15000});
}

// fits checks the phone rule: nothing wider than the screen, every button a thumb's size.
async function fits(page) {
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 390, 'the page scrolls sideways');
    const small = await page.$$eval('#bar button:not([hidden]), #screen button', (els) => els
        .map((el) => ({id: el.id || el.dataset.notice || el.textContent, r: el.getBoundingClientRect()}))
        .filter((x) => x.r.height < 44 || x.r.width < 44).map((x) => `${x.id}: ${Math.round(x.r.width)}×${Math.round(x.r.height)}`));
    assert.deepEqual(small, [], 'tap targets under 44 px');
}

describe('the inbox on a phone', () => {
    test('the lane chief: count, list, reading one online and one offline, English titles', async (t) => {
        const lane = await apiSession(server.base, 'lanechief', 'demo-lanechief-2026');
        await dispatchToLaneChief(lane, 2);
        const inbox = await settled(lane, '?limit=30&lang=zh');
        const unreadItems = inbox.items.filter((i) => !i.read_at);
        assert.ok(unreadItems.length >= 2, `the demo lane chief has ${unreadItems.length} unread notices on the first page`);

        const page = await browser.page(PHONE);
        const ctx = page.context();
        try {
            await signIn(page, 'lanechief');
            await badgeIs(page, inbox.unread);
            assert.equal(await page.textContent('#inbox-count'), `消息 ${inbox.unread}`);

            await page.tap('#inbox-count');
            await page.waitForSelector('#inbox-list li');
            assert.equal(await page.textContent('#screen h2'), '我的消息');
            const titles = await page.$$eval('#inbox-list .main', (els) => els.map((el) => el.firstChild.textContent));
            assert.deepEqual(titles, inbox.items.map((i) => i.title), 'the notices, newest first, as the server titles them');
            assert.equal(await page.locator('#inbox-list .notice.unread').count(), unreadItems.length);
            await fits(page);

            // Opening a notice records its reading on the server and opens its case.
            const first = unreadItems[0];
            await page.tap(`[data-notice="${first.id}"]`);
            if (first.subject.type === 'incident') {
                await page.waitForSelector(`#case[data-incident="${first.subject.id}"]`);
                assert.equal(await page.textContent('#screen h2'), `案件 ${first.subject.id}`);
                await fits(page);
            }
            await badgeIs(page, inbox.unread - 1);
            const read = (await lane.get('/api/v1/inbox?limit=30')).items.find((i) => i.id === first.id);
            assert.ok(read.read_at, 'the opened notice is read on the server');
            assert.equal((await lane.get('/api/v1/inbox?limit=1')).unread, inbox.unread - 1);

            // Offline and reloaded: the last page is still there, with when it was fetched.
            await page.tap('#inbox-count');
            await page.waitForSelector(`[data-notice="${first.id}"].read`);
            await ctx.setOffline(true);
            await page.reload();
            await page.waitForSelector('#tabs:not([hidden])');
            await badgeIs(page, inbox.unread - 1);
            await page.tap('#inbox-count');
            await page.waitForSelector('#inbox-kept');
            assert.match(await page.textContent('#inbox-kept'), /^离线，\d\d:\d\d 时的内容$/);
            assert.equal(await page.locator('#inbox-list li').count(), inbox.items.length);
            assert.match(await page.textContent(`[data-notice="${first.id}"] .tag`), /^已读 /);

            // A notice opened offline waits in the outbox as read, and counts as read on the phone.
            const second = unreadItems[1];
            await page.tap(`[data-notice="${second.id}"]`);
            await badgeIs(page, inbox.unread - 2);
            await page.waitForFunction(() => document.querySelector('#queue-count').dataset.waiting === '1', null, {timeout: 5000});
            assert.equal((await lane.get('/api/v1/inbox?limit=30')).items.find((i) => i.id === second.id).read_at, null);
            await page.tap('#inbox-count');
            await page.waitForSelector(`[data-notice="${second.id}"].waiting`);
            await fits(page);

            // Back online, the outbox sends the reading once; the server keeps its time.
            await ctx.setOffline(false);
            await page.waitForFunction(() => document.querySelector('#queue-count').hidden, null, {timeout: 30000});
            const after = await lane.get('/api/v1/inbox?limit=30');
            assert.ok(after.items.find((i) => i.id === second.id).read_at, 'the notice read offline is read on the server');
            assert.equal(after.unread, inbox.unread - 2);
            await badgeIs(page, after.unread);
            assert.equal(await page.$eval('#queue-count', (el) => el.dataset.attention), '0', 'the server refused the reading');

            // In English the titles are the server's English ones.
            const en = await lane.get('/api/v1/inbox?limit=30&lang=en');
            await page.tap('#lang');
            await page.waitForFunction(() => document.querySelector('#screen h2')?.textContent === 'My notifications');
            await page.waitForFunction((want) => document.querySelector('#inbox-list .main')?.firstChild.textContent === want,
                en.items[0].title, {timeout: 10000});
            assert.notEqual(en.items[0].title, inbox.items[0].title);
            assert.equal(await page.textContent('#inbox-count'), after.unread ? `Inbox ${after.unread}` : 'Inbox');
            await fits(page);

            // "More" is there exactly when the server has an older page, and brings that page.
            t.diagnostic(`the demo lane chief has ${en.items.length} notices on the first page, next ${en.next || 0}`);
            assert.equal(await page.locator('#inbox-more').count(), en.next ? 1 : 0);
            if (en.next) {
                const older = await lane.get(`/api/v1/inbox?limit=30&lang=en&before=${en.next}`);
                await page.tap('#inbox-more');
                await page.waitForFunction((n) => document.querySelectorAll('#inbox-list li').length === n, en.items.length + older.items.length);
                assert.equal(await page.$eval('#inbox-list li:last-child .main', (el) => el.firstChild.textContent), older.items.at(-1).title);
            }
        } finally {
            await page.close();
        }
    });

    test('the inspector: the count is the API\'s, older pages on "more", and the count follows the app back to the foreground', async (t) => {
        const inspector = await apiSession(server.base, 'inspector', 'demo-inspector-2026');
        const first = await settled(inspector, '?limit=30');
        t.diagnostic(`the demo inspector has ${first.items.length} notices, ${first.unread} unread`);
        // Older pages to page through: read copies of a notice of theirs, in the server's database.
        const db = new URL(process.env.STREETCHIEF_TEST_DATABASE_URL);
        db.pathname = `/streetchief_webtest_${process.pid}`;
        execFileSync('psql', [db.toString(), '-v', 'ON_ERROR_STOP=1', '-qc', `INSERT INTO notification
            (person_id, kind, subject_type, subject_id, params, created_at, read_at)
            SELECT n.person_id, n.kind, n.subject_type, n.subject_id, n.params, n.created_at, n.created_at
            FROM (SELECT * FROM notification WHERE person_id = ${Number(inspector.user.person_id)} ORDER BY id LIMIT 1) n,
                 generate_series(1, 35)`], {stdio: ['ignore', 'ignore', 'inherit']});
        const inbox = await inspector.get('/api/v1/inbox?limit=30');
        assert.ok(inbox.next, 'the inspector has an older page');
        const page = await browser.page(PHONE);
        try {
            await signIn(page, 'inspector');
            await badgeIs(page, inbox.unread);
            await page.tap('#inbox-count');
            await page.waitForSelector('#inbox-summary');
            assert.equal(await page.locator('#inbox-list li').count(), inbox.items.length);
            await fits(page);
            const older = await inspector.get(`/api/v1/inbox?limit=30&before=${inbox.next}`);
            await page.tap('#inbox-more');
            await page.waitForFunction((n) => document.querySelectorAll('#inbox-list li').length === n, inbox.items.length + older.items.length);
            assert.equal(await page.$eval('#inbox-list li:last-child', (el) => el.querySelector('[data-notice]').dataset.notice), String(older.items.at(-1).id));
            assert.equal(await page.locator('#inbox-more').count(), older.next ? 1 : 0);
            const unread = (await inspector.get('/api/v1/inbox?unread=true&limit=1')).items[0];
            assert.ok(unread, 'the demo inspector has an unread notice');
            // Read elsewhere (the dashboard): the phone's count follows when it is looked at again.
            await inspector.post(`/api/v1/inbox/${unread.id}:read`, {});
            await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
            await badgeIs(page, inbox.unread - 1);
            assert.equal(await badge(page), String((await inspector.get('/api/v1/inbox?limit=1')).unread));
        } finally {
            await page.close();
        }
    });
});
