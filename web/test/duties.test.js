// Browser tests of the duties panel (履职) against the real server and the demo city: the demo
// deputy, signed in as a participant on a 390×844 phone, enters a duty record with a photo and the
// phone's position; the lane chief of their community confirms it at 1280×800; the district leader
// reads the community's year in English at 1280×800 and on a phone; in Chinese no Latin system text.
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

// Usernames are the demo's data, not system text.
const ALLOWED = new Set(['XLSX', 'participant', 'lanechief']);
const latin = (texts) => [...new Set(texts.join('\n').match(/[A-Za-z][A-Za-z0-9-]*/g) || [])].filter((w) => !ALLOWED.has(w));
const panelTexts = (page) => page.$$eval('#panel-duties *', (els) => els.filter((e) => !e.closest('[hidden]'))
    .flatMap((e) => [e.children.length === 0 ? e.textContent : '', e.getAttribute('placeholder') || '', e.getAttribute('aria-label') || '']));

const fits = async (page, width) => {
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(scroll <= width, `${width}px: the page is ${scroll}px wide`);
};

async function openDuties(page, selector) {
    await page.click('#tabs [data-tab="duties"]');
    await page.waitForSelector(`#panel-duties:not([hidden]) ${selector}`);
}

describe('the duties panel', () => {
    let me;
    let member;
    let recordID;

    before(async () => {
        me = await apiSession(server.base, 'participant', 'demo-participant-2026');
        const {members} = await me.get('/api/v1/duty-members');
        assert.equal(members.length, 1, 'the demo participant is one deputy');
        member = members[0];
    });

    test('a participant enters a record with a photo and their position on a 390×844 phone', async () => {
        const fc = await me.get('/api/v1/duty-records?format=geojson');
        assert.ok(fc.features.length > 5, 'the demo deputy has a year of records');
        const [longitude, latitude] = fc.features[0].geometry.coordinates;
        const page = await browser.page({width: 390, height: 844, isMobile: true, hasTouch: true, permissions: ['geolocation'],
            geolocation: {longitude, latitude}});
        await open(page, `${server.base}/`);
        await signIn(page, 'participant', 'demo-participant-2026');
        assert.equal(await page.locator('#tabs [data-tab="duties"]').isVisible(), true);
        // No territory, so no cases, overview or posts: those tabs are not theirs, and asking for one lands on 履职.
        for (const tab of ['incidents', 'overview', 'posts']) {
            assert.equal(await page.locator(`#tabs [data-tab="${tab}"]`).isVisible(), false, `a participant sees the ${tab} tab`);
        }
        await page.evaluate(() => { location.hash = '#incidents'; });
        await page.waitForFunction(() => document.body.dataset.tab === 'duties');
        // A participant with one membership lands on their own page.
        await openDuties(page, `#duty-detail[data-member="${member.id}"] #duty-form`);
        assert.equal(await page.locator('.duty-confirm').count(), 0, 'a participant confirms nothing');
        await page.selectOption('#duty-kind', 'civility_advice');
        await page.fill('#duty-hours', '1.5');
        await page.fill('#duty-description', '在校门口劝导家长规范停车');
        await page.locator('#duty-photos').setInputFiles({name: 'duty.png', mimeType: 'image/png', buffer: PNG.sync.write(new PNG({width: 4, height: 3}))});
        await page.click('#duty-here');
        await page.waitForFunction(() => !document.querySelector('#duty-point').classList.contains('muted'));
        await page.click('#duty-submit');
        await page.waitForSelector('#duty-detail .duty-records tr[data-status="pending"] img');
        recordID = Number(await page.locator('#duty-detail .duty-records tr[data-status="pending"]').first().getAttribute('data-record'));
        const rec = await me.get(`/api/v1/duty-records/${recordID}`);
        assert.equal(rec.description, '在校门口劝导家长规范停车');
        assert.equal(rec.entered_as, 'member');
        assert.equal(rec.photos, 1);
        assert.ok(Math.abs(rec.lon - longitude) < 1e-6 && Math.abs(rec.lat - latitude) < 1e-6, 'the phone\'s position is the record\'s place');
        // The record is on the map, as pending.
        await page.waitForFunction(async (id) => {
            const source = window.streetchief.map.getSource('duty-records');
            const data = source && await source.getData();
            return (data?.features || []).some((f) => f.properties.id === id && f.properties.status === 'pending');
        }, recordID);
        await fits(page, 390);
        const words = latin(await panelTexts(page));
        assert.deepEqual(words, [], `Latin text in the Chinese panel: ${words}`);
        clean(page);
    });

    test('the lane chief of the community confirms it and revises a party member\'s evaluation at 1280×800', async () => {
        const page = await browser.page({width: 1280, height: 800});
        await open(page, `${server.base}/`);
        await signIn(page, 'lanechief', 'demo-lanechief-2026');
        await openDuties(page, `#duty-pending tr[data-record="${recordID}"]`);
        assert.equal(await page.locator('#panel-duties h2').innerText(), '代表委员、党员履职');
        assert.ok(await page.locator('#duty-members tbody tr').count() >= 2, 'the community\'s members are listed');
        const texts = await panelTexts(page);
        await page.locator(`#duty-pending tr[data-record="${recordID}"] .duty-confirm`).click();
        await page.waitForSelector(`#duty-pending tr[data-record="${recordID}"]`, {state: 'detached'});
        assert.equal((await me.get(`/api/v1/duty-records/${recordID}`)).status, 'confirmed');

        // Last year's evaluation of a party member of the community, corrected by a revision.
        const party = page.locator('#duty-members tbody tr', {hasText: '党员'}).first();
        await party.locator('a').click();
        await page.waitForSelector('#duty-evaluation #duty-evaluate');
        const before = await page.locator('#duty-evaluation p').first().innerText();
        assert.match(before, /总分 [\d.]+ · (优秀|合格|基本合格|不合格)/);
        const first = page.locator('#duty-evaluate input[data-item]').first();
        await first.fill(await first.getAttribute('max'));
        await page.fill('#duty-eval-reason', '补记志愿服务');
        await page.click('#duty-evaluate-submit');
        await page.waitForFunction(() => document.querySelector('#duty-evaluation p')?.textContent.includes('第2次修订'));
        texts.push(...await panelTexts(page));
        const xlsx = await page.evaluate(async () => {
            const res = await fetch(document.querySelector('#duty-export-appraisal').href);
            return {type: res.headers.get('Content-Type'), size: (await res.arrayBuffer()).byteLength};
        });
        assert.match(xlsx.type, /spreadsheetml/);
        assert.ok(xlsx.size > 1000, `appraisal sheet of ${xlsx.size} bytes`);
        const words = latin(texts);
        assert.deepEqual(words, [], `Latin text in the Chinese panel: ${words}`);
        clean(page);
    });

    test('the district leader reads the community\'s year in English, on a desktop and a phone', async () => {
        for (const [width, height] of [[1280, 800], [390, 844]]) {
            const page = await browser.page({width, height});
            await open(page, `${server.base}/`);
            await signIn(page, 'leader', 'demo-leader-2026');
            await page.click('#lang');
            await openDuties(page, `#duty-summary tr[data-community="${member.community_id}"]`);
            assert.equal(await page.locator('#panel-duties h2').innerText(), 'Deputies\u2019 and party members\u2019 duties');
            const row = page.locator(`#duty-summary tr[data-community="${member.community_id}"]`);
            const cells = await row.locator('td').allInnerTexts();
            assert.ok(Number(cells[3]) >= 1, `confirmed records of the community: ${cells}`);
            assert.equal(await page.locator('.duty-confirm').count(), 0, 'a district leader confirms nothing');
            // A deputy whose pledge lapsed is marked.
            assert.ok(await page.locator('#duty-members td.duty-no-pledge').count() >= 1, 'a deputy without a pledge in force is shown');
            assert.match(await page.locator('#duty-export-selection').getAttribute('href'), /format=xlsx&lang=en/);
            await fits(page, width);
            clean(page);
        }
    });
});
