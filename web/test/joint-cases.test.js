// Browser tests of a joint-enforcement case (node --test test/joint-cases.test.js): on a 390×844
// phone the demo liaison opens a case of their department still awaiting acknowledgement,
// acknowledges it and records a fine with its legal basis, in Chinese with no Latin words; the
// street chief then sees the department acknowledged and the fine, in Chinese and in English.
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

const PHONE = {width: 390, height: 844};

// spot is a photo from the spot: a small PNG, which the page redraws as JPEG before sending.
function spot() {
    const png = new PNG({width: 40, height: 30});
    for (let i = 0; i < png.data.length; i += 4) png.data.set([200, 80, 40, 255], i);
    return {name: 'spot.png', mimeType: 'image/png', buffer: PNG.sync.write(png)};
}
const BASIS = '《城市市容和环境卫生管理条例》第三十六条';
// Latin words the Chinese interface may show (as in trends.test.js).
const ALLOWED = new Set(['km', 'm', 'OSM', 'MVT', 'CSV', 'XLSX', 'PDF', 'GCJ-02', 'WGS-84', 'Open311', 'HTML']);
const latin = (text) => [...new Set(text.match(/[A-Za-z][A-Za-z0-9-]*/g) || [])].filter((w) => !ALLOWED.has(w));

// pendingCase finds a demo case in joint enforcement in the street chief's subdistrict where the
// liaison's department has yet to acknowledge.
async function pendingCase(liaison, chief) {
    const mine = liaison.user.scope.departments || [];
    const subs = new Set(chief.user.scope.subdistricts || []);
    const list = (await liaison.get('/api/v1/incidents?awaiting_ack=true&status=joint_enforcement&limit=100')).incidents;
    for (const inc of list) {
        if (!subs.has(inc.subdistrict_id)) continue;
        const d = await liaison.get(`/api/v1/incidents/${inc.id}`);
        const p = d.joint.find((x) => mine.includes(x.department_id) && !x.acknowledged_at && !x.withdrawn_at);
        if (p) return {id: inc.id, dept: p.department_id, name: p.department_name};
    }
    assert.fail(`no demo case awaits the liaison's acknowledgement in the street chief's subdistricts (${list.length} awaiting)`);
}

async function fits(page, selector, width) {
    const box = await page.$eval(selector, (el) => {
        const r = el.getBoundingClientRect();
        return {left: r.left, right: r.right, scroll: el.scrollWidth, client: el.clientWidth};
    });
    assert.ok(box.left >= 0 && box.right <= width + 0.5 && box.scroll <= box.client + 1, `${selector} overflows: ${JSON.stringify(box)}`);
}

describe('a joint-enforcement case on a 390×844 phone', () => {
    let target;

    test('the liaison acknowledges and records a fine', async () => {
        const liaison = await apiSession(server.base, 'liaison', 'demo-liaison-2026');
        const chief = await apiSession(server.base, 'streetchief', 'demo-streetchief-2026');
        target = await pendingCase(liaison, chief);
        const page = await browser.page(PHONE);
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'liaison', 'demo-liaison-2026');
            // The list filter of their pending work.
            await page.evaluate(() => (location.hash = '#incidents'));
            await page.waitForSelector('#filter-awaiting');
            const listed = page.waitForResponse((r) => r.url().includes('/api/v1/incidents?') && r.url().includes('awaiting_ack=true'));
            await page.check('#filter-awaiting');
            assert.equal((await listed).status(), 200);

            await page.evaluate((id) => (location.hash = `#incidents/${id}`), target.id);
            const dept = `#joint-departments [data-department="${target.dept}"]`;
            await page.waitForSelector(`${dept}[data-state="pending"]`);
            const before = await page.textContent('#joint-departments');
            assert.ok(before.includes('待签收') && before.includes('牵头'), before);
            await fits(page, '#joint-departments', PHONE.width);

            await page.click(`#joint-ack-${target.dept}`);
            await page.waitForSelector(`${dept}[data-state="acknowledged"]`);
            // An action entered by mistake is voided with its reason, and stays on record.
            await page.selectOption(`#joint-kind-${target.dept}`, 'inspection');
            await page.fill(`#joint-note-${target.dept}`, '误录');
            await page.click(`#joint-record-${target.dept}`);
            const wrong = await (await page.waitForSelector(`${dept} [data-kind="inspection"][data-voided="false"]`)).getAttribute('data-action');
            await page.click(`${dept} [data-action="${wrong}"] summary`);
            await page.fill(`#joint-void-${wrong}-reason`, '录错案件');
            await page.click(`#joint-void-${wrong}`);
            await page.waitForSelector(`${dept} [data-action="${wrong}"][data-voided="true"]`);
            assert.ok((await page.textContent(`${dept} [data-action="${wrong}"]`)).includes('已作废：录错案件'));

            await page.selectOption(`#joint-kind-${target.dept}`, 'fine');
            assert.ok(await page.isVisible(`#joint-amount-${target.dept}`), 'no amount field for a fine');
            await page.fill(`#joint-amount-${target.dept}`, '500');
            await page.fill(`#joint-basis-${target.dept}`, BASIS);
            await page.fill(`#joint-note-${target.dept}`, '占道经营，拒不整改，依法罚款');
            const photosBefore = await page.locator('.incident-detail .photos img').count();
            await page.setInputFiles(`#joint-photos-${target.dept}`, spot());
            assert.ok((await page.textContent(`${dept} .file-button`)).includes('已选 1 张照片'));
            await page.click(`#joint-record-${target.dept}`);
            await page.waitForSelector(`${dept} [data-kind="fine"]`);
            assert.equal(await page.locator('.incident-detail .photos img').count(), photosBefore + 1, 'the fine\'s photo is not among the case\'s');
            const after = await page.textContent(dept);
            assert.ok(after.includes('已签收') && after.includes('500.00 元') && after.includes(BASIS), after);
            await fits(page, '#joint-departments', PHONE.width);

            const history = await page.$$eval('.incident-detail .history li', (els) => els.map((e) => e.textContent).join('\n'));
            assert.ok(history.includes('部门签收') && history.includes('部门处置') && history.includes(`${target.name}：罚款`), history);
            const shown = await page.$eval('.incident-detail', (el) => el.innerText);
            // The history names who acted by their account, a proper name: here the demo's 'liaison'.
            assert.deepEqual(latin(shown).filter((w) => w !== 'liaison'), [], 'Latin words in the Chinese case panel');
            clean(page);
        } finally {
            await page.context().close();
        }
    });

    test('the street chief sees it, in Chinese and in English', async () => {
        assert.ok(target, 'the liaison test found no case');
        const page = await browser.page(PHONE);
        try {
            await open(page, `${server.base}/`);
            await signIn(page, 'streetchief', 'demo-streetchief-2026');
            await page.evaluate((id) => (location.hash = `#incidents/${id}`), target.id);
            const dept = `#joint-departments [data-department="${target.dept}"]`;
            await page.waitForSelector(`${dept}[data-state="acknowledged"] [data-kind="fine"]`);
            assert.equal(await page.locator(`#joint-ack-${target.dept}, #joint-record-${target.dept}`).count(), 0,
                'the street chief is offered a department\'s buttons');
            const zh = await page.textContent(dept);
            assert.ok(zh.includes('罚款') && zh.includes('500.00 元'), zh);
            await fits(page, '#joint-departments', PHONE.width);

            // The street chief withdraws a department that does not lead, with the reason, and brings it in again.
            const other = await page.$$eval('#joint-departments button[id^="joint-withdraw-"]', (els, mine) =>
                els.map((e) => Number(e.id.replace('joint-withdraw-', ''))).find((x) => x !== mine), target.dept);
            assert.ok(other, 'no department to withdraw');
            await page.click(`#joint-departments [data-department="${other}"] > details summary`);
            await page.fill(`#joint-withdraw-${other}-reason`, '不涉及本部门职责');
            await page.click(`#joint-withdraw-${other}`);
            await page.waitForSelector(`#joint-departments [data-department="${other}"][data-state="withdrawn"]`);
            assert.ok((await page.textContent(`#joint-departments [data-department="${other}"]`)).includes('不涉及本部门职责'));
            await page.selectOption('#joint-add-department', String(other));
            await page.click('#joint-add');
            await page.waitForSelector(`#joint-departments [data-department="${other}"][data-state="pending"]`);
            const history = await page.$eval('.incident-detail .history', (el) => el.textContent);
            assert.ok(history.includes('部门退出') && history.includes('增派部门'), history);
            await fits(page, '#joint-departments', PHONE.width);

            await page.click('#lang');
            await page.waitForFunction((sel) => document.querySelector(sel)?.textContent.includes('Acknowledged'), dept);
            const en = await page.textContent(dept);
            assert.ok(en.includes('Fine') && en.includes('500.00 yuan under'), en);
            assert.ok((await page.textContent('#joint-departments h3')).includes('Departments in joint enforcement'));
            await fits(page, '#joint-departments', PHONE.width);
            await page.click('#lang');
            clean(page);
        } finally {
            await page.context().close();
        }
    });
});
