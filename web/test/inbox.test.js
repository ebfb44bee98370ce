// Browser tests of the inbox (消息) against the real server and the demo city: the header's unread
// count as the API has it, the street chief's notices newest first, opening one records its reading
// and goes to the case; on a desktop and a phone, in Chinese and English; an account without a
// person has no inbox.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';

import {Browser, apiSession, open, signIn, startServer} from './harness.js';

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

describe('the inbox', () => {
    test('the street chief on a phone, in Chinese then English: count, list, reading one opens its case', async () => {
        const chief = await apiSession(server.base, 'streetchief', 'demo-streetchief-2026');
        // The server's overdue escalation runs as it starts and may tell the street chief of more:
        // wait until the inbox stands still.
        let before = await chief.get('/api/v1/inbox');
        for (let i = 0; i < 20; i++) {
            await new Promise((r) => setTimeout(r, 500));
            const now = await chief.get('/api/v1/inbox');
            if (now.unread === before.unread && i >= 3) break;
            before = now;
        }
        assert.ok(before.unread >= 3, `the demo street chief has ${before.unread} unread notices`);
        const page = await browser.page({width: 390, height: 844});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'streetchief', 'demo-streetchief-2026');
            await page.waitForFunction(() => document.querySelector('#inbox-open .badge'));
            assert.equal(await page.locator('#inbox-open .badge').innerText(), String(before.unread));
            await page.click('#inbox-open');
            await page.waitForSelector('#panel-inbox:not([hidden]) ul.inbox li');
            assert.equal(await page.locator('#panel-inbox h2').innerText(), '我的消息');
            assert.equal(await page.locator('#panel-inbox li.unread').count(), before.items.filter((i) => !i.read_at).length);
            assert.equal(await page.locator('#panel-inbox li button.link').first().innerText(), before.items[0].title);
            // After 07:30 Beijing the morning digest (每日待办) may head the list: the case notice
            // read here is the newest one about a case.
            const at = before.items.findIndex((i) => i.subject.type === 'incident');
            assert.ok(at >= 0, 'the street chief has a notice about a case');
            assert.match(before.items[at].title, /^案件 \d+ /);
            const width = await page.evaluate(() => {
                const p = document.querySelector('#panel');
                return {scroll: p.scrollWidth, client: p.clientWidth};
            });
            assert.ok(width.scroll <= width.client, `the panel scrolls sideways: ${JSON.stringify(width)}`);

            const first = before.items[at];
            await page.locator('#panel-inbox li button.link').nth(at).click();
            await page.waitForFunction((id) => location.hash === `#incidents/${id}`, first.subject.id);
            // The case says who was told of it and that they have now seen it.
            await page.waitForSelector('#panel-incidents ul.told li.read');
            assert.match(await page.locator('#panel-incidents ul.told li.read').first().innerText(), /已读 /);
            const afterRead = await chief.get('/api/v1/inbox');
            assert.equal(afterRead.unread, before.unread - 1);
            assert.ok(afterRead.items.find((i) => i.id === first.id)?.read_at, 'the opened notice is read');
            assert.equal(await page.locator('#inbox-open .badge').innerText(), String(before.unread - 1));

            await page.click('#lang');
            await page.click('#inbox-open');
            await page.waitForFunction(() => document.querySelector('#panel-inbox h2')?.textContent === 'My notifications');
            await page.waitForFunction((n) => /^Case \d+ /.test(document.querySelectorAll('#panel-inbox li button.link')[n]?.textContent || ''), at);
            assert.match(await page.locator('#panel-inbox li small').nth(at).innerText(), /read \d\d-\d\d \d\d:\d\d/);
        } finally {
            await page.close();
        }
    });

    test('on a desktop an administrator, linked to no person, has no inbox button', async () => {
        const page = await browser.page({width: 1280, height: 800});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'admin', 'demo-admin-2026');
            assert.equal(await page.locator('#inbox-open').isHidden(), true);
            await page.goto(`${server.base}/#inbox`);
            await page.waitForFunction(() => document.body.dataset.tab === 'map');
        } finally {
            await page.close();
        }
    });
});
