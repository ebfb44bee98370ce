// Browser tests of the tasks panel (督办) against the real server and the demo city: the district
// leader issues a task, the street chief breaks it down for the lane chief's community, the lane
// chief reports progress with a photo, the leader returns it, the lane chief reports it done again
// and the leader accepts it; on a desktop (1280×800) and a phone (390×844), in Chinese and English.
import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';

import {PNG} from 'pngjs';

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

const ALLOWED = new Set(['PDF']);
const ACCOUNTS = new Set(['leader', 'streetchief', 'lanechief', 'admin']);
const latin = (texts) => [...new Set(texts.join('\n').match(/[A-Za-z][A-Za-z0-9-]*/g) || [])].filter((w) => !ALLOWED.has(w) && !ACCOUNTS.has(w));
const panelTexts = (page) => page.$$eval('#panel-tasks *', (els) => els.filter((e) => !e.closest('[hidden]'))
    .flatMap((e) => [e.children.length === 0 ? e.textContent : '', e.getAttribute('placeholder') || '', e.getAttribute('aria-label') || '']));

async function openTasks(page) {
    await page.click('#tabs [data-tab="tasks"]');
    await page.waitForSelector('#panel-tasks:not([hidden]) #task-list');
}

async function openTask(page, id) {
    await openTasks(page);
    await page.click(`#task-list a[href="#tasks/${id}"]`);
    await page.waitForSelector(`#task-detail[data-task="${id}"]`);
}

const fits = async (page, width) => {
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `${width}px: the page is ${scroll}px wide`);
};

describe('the tasks panel', () => {
    let taskID;
    let itemID;
    let chief;
    let lane;

    before(async () => {
        chief = await apiSession(server.base, 'streetchief', 'demo-streetchief-2026');
        lane = await apiSession(server.base, 'lanechief', 'demo-lanechief-2026');
    });

    test('at 1280×800 a task goes from issue through break-down, progress with a photo, return and progress to acceptance', async () => {
        const sub = chief.user.scope.subdistricts[0];
        const com = lane.user.scope.communities[0];
        assert.ok(chief.user.scope.communities.includes(com), 'the demo lane chief works in the street chief\'s subdistrict');
        const leaderPage = await browser.page({width: 1280, height: 800});
        const chiefPage = await browser.page({width: 1280, height: 800});
        const lanePage = await browser.page({width: 1280, height: 800});
        try {
            await open(leaderPage, `${server.base}/`);
            await signIn(leaderPage, 'leader', 'demo-leader-2026');
            await openTasks(leaderPage);
            assert.equal(await leaderPage.locator('#panel-tasks h2').innerText(), '督办任务');
            // The demo's eight tasks, with what is overdue in red.
            assert.ok(await leaderPage.locator('#task-list tbody tr').count() >= 8);
            assert.ok(await leaderPage.locator('#task-list td.task-overdue').count() >= 1, 'an overdue task is marked');
            assert.equal(await leaderPage.locator('#task-overdue li').count(), 2);
            const color = await leaderPage.locator('#task-list td.task-overdue').first().evaluate((e) => getComputedStyle(e).color);
            assert.match(color, /rgb\((1\d\d|2\d\d), \d{1,2}, \d{1,2}\)/, `overdue deadline colour ${color}`);

            await leaderPage.click('#task-issue');
            await leaderPage.waitForSelector('#task-form');
            await leaderPage.selectOption('#task-level', 'city');
            await leaderPage.fill('#task-office', '市文明办');
            await leaderPage.fill('#task-title', '公益广告规范设置');
            await leaderPage.fill('#task-done-when', '主要路段公益广告按标准设置');
            await leaderPage.check(`#task-subdistricts input[value="${sub}"]`);
            await leaderPage.click('#task-submit');
            await leaderPage.waitForSelector('#task-detail[data-state="issued"]');
            taskID = Number(await leaderPage.locator('#task-detail').getAttribute('data-task'));
            const texts = await panelTexts(leaderPage);

            // The street chief breaks it down for the lane chief's community.
            await open(chiefPage, `${server.base}/`);
            await signIn(chiefPage, 'streetchief', 'demo-streetchief-2026');
            await openTask(chiefPage, taskID);
            assert.equal(await chiefPage.locator('#task-issue').count(), 0, 'a street chief issues nothing');
            const part = chiefPage.locator(`.task-part-detail[data-subdistrict="${sub}"]`);
            await part.locator('select.task-community').selectOption(String(com));
            await part.locator('input.task-item-text').fill('沿街公益广告补设');
            await part.locator('button.task-break-submit').click();
            await chiefPage.waitForSelector('#task-detail[data-state="broken_down"] .task-item[data-state="open"]');
            itemID = Number(await chiefPage.locator('.task-item').first().getAttribute('data-item'));

            // The lane chief reports progress with a photo.
            await open(lanePage, `${server.base}/`);
            await signIn(lanePage, 'lanechief', 'demo-lanechief-2026');
            await openTask(lanePage, taskID);
            const item = lanePage.locator(`.task-item[data-item="${itemID}"]`);
            await item.locator('input.task-progress-text').fill('已补设三处');
            await item.locator('input.task-progress-percent').fill('60');
            await item.locator('input.task-progress-photos').setInputFiles({name: 'ad.png', mimeType: 'image/png', buffer: PNG.sync.write(new PNG({width: 4, height: 3}))});
            await item.locator('button.task-progress-submit').click();
            await lanePage.waitForSelector(`.task-item[data-item="${itemID}"][data-state="in_progress"] .task-events li[data-kind="progress"] img`);
            await lanePage.waitForFunction(() => document.querySelector('.task-events img')?.naturalWidth === 4);
            await item.locator('input.task-progress-done').check();
            await item.locator('button.task-progress-submit').click();
            await lanePage.waitForSelector(`.task-item[data-item="${itemID}"][data-state="claimed"]`);
            assert.equal(await lanePage.locator('.task-progress').count(), 0, 'a claimed item takes no report');
            texts.push(...await panelTexts(lanePage));

            // The leader returns it with a reason.
            await leaderPage.click('#task-back');
            await openTask(leaderPage, taskID);
            await leaderPage.click('#task-on-map');
            const decision = leaderPage.locator(`.task-item[data-item="${itemID}"] .task-decision`);
            await decision.locator('input').fill('位置不规范，请重新设置');
            await decision.locator('button.task-return').click();
            await leaderPage.waitForSelector(`.task-item[data-item="${itemID}"][data-state="returned"]`);

            // The lane chief reports again, done; the leader accepts.
            await lanePage.reload();
            await lanePage.waitForSelector(`.task-item[data-item="${itemID}"][data-state="returned"]`);
            await item.locator('input.task-progress-text').fill('已按要求重新设置');
            await item.locator('input.task-progress-done').check();
            await item.locator('button.task-progress-submit').click();
            await lanePage.waitForSelector(`.task-item[data-item="${itemID}"][data-state="claimed"]`);
            await leaderPage.reload();
            await leaderPage.waitForSelector(`.task-item[data-item="${itemID}"][data-state="claimed"]`);
            await leaderPage.locator(`.task-item[data-item="${itemID}"] button.task-accept`).click();
            await leaderPage.waitForSelector(`#task-detail[data-state="done"] .task-item[data-item="${itemID}"][data-state="accepted"]`);
            texts.push(...await panelTexts(leaderPage));
            const task = await chief.get(`/api/v1/tasks/${taskID}`);
            const events = task.parts[0].items[0].events.map((e) => e.kind);
            assert.deepEqual(events, ['progress', 'claim', 'return', 'claim', 'accept']);
            assert.equal(task.parts[0].items[0].returns, 1);
            assert.deepEqual(latin(texts), [], 'Latin words in the Chinese interface');

            // In English.
            await leaderPage.click('#lang');
            assert.match(await leaderPage.locator('#task-detail h2').innerText(), /done/);
            assert.equal(await leaderPage.locator('#tabs [data-tab="tasks"]').innerText(), 'Tasks');
            await leaderPage.click('#lang');
            for (const p of [leaderPage, chiefPage, lanePage]) {
                await fits(p, 1280);
                clean(p);
            }
        } finally {
            for (const p of [leaderPage, chiefPage, lanePage]) await p.context().close();
        }
    });

    test('at 390×844, in Chinese and English, the lane chief reads the task and the tabs fit', async () => {
        assert.ok(taskID, 'the walk-through ran first');
        const page = await browser.page({width: 390, height: 844});
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'lanechief', 'demo-lanechief-2026');
            for (const lang of ['zh', 'en']) {
                if (lang === 'en') await page.click('#lang');
                await openTask(page, taskID);
                await page.waitForSelector(`.task-item[data-item="${itemID}"][data-state="accepted"]`);
                assert.equal(await page.locator('.task-decision, .task-break').count(), 0, 'a lane chief neither decides nor breaks down');
                await fits(page, 390);
                await page.click('#task-back');
                await page.waitForSelector('#task-list');
                await fits(page, 390);
                assert.equal(await page.locator('#panel-tasks h2').innerText(), lang === 'zh' ? '督办任务' : 'Tasks from above');
            }
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
        // An administrator has every tab, the tasks' too: they fit at 390 px in both languages.
        const admin = await browser.page({width: 390, height: 844});
        try {
            await open(admin, `${server.base}/`);
            await signIn(admin, 'admin', 'demo-admin-2026');
            for (const lang of ['zh', 'en']) {
                if (lang === 'en') await admin.click('#lang');
                await openTasks(admin);
                const fit = await admin.evaluate(() => {
                    const tabs = [...document.querySelectorAll('#tabs [data-tab]')].filter((b) => !b.hidden)
                        .map((b) => ({tab: b.dataset.tab, right: b.getBoundingClientRect().right, height: b.getBoundingClientRect().height}));
                    const p = document.querySelector('#panel');
                    return {scroll: document.documentElement.scrollWidth, panel: p.scrollWidth - p.clientWidth, tabs};
                });
                assert.ok(fit.scroll <= 390, `${lang}: the page is ${fit.scroll}px wide`);
                assert.ok(fit.panel <= 0, `${lang}: the panel scrolls sideways by ${fit.panel}px`);
                for (const tab of fit.tabs) assert.ok(tab.right <= 390 && tab.height < 48, `${lang}: tab does not fit: ${JSON.stringify(tab)}`);
            }
            await admin.click('#lang');
            clean(admin);
        } finally {
            await admin.context().close();
        }
    });
});
