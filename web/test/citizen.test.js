// Browser test of a citizen who leaves an email with a report, against a server that sends email
// through an SMTP server of this test's own: the form offers the field, the email arrives with the
// tracking link, the link opens the report as its reporter, and the reporter stops the messages —
// on a phone, in Chinese then English.
import assert from 'node:assert/strict';
import {createServer} from 'node:net';
import {after, before, test} from 'node:test';

import {Browser, apiSession, open, startServer} from './harness.js';

// smtpSink speaks just enough SMTP to take mail, and keeps each message's text.
function smtpSink() {
    const mails = [];
    const srv = createServer((sock) => {
        let data = false;
        let buf = '';
        let mail = '';
        sock.write('220 sink ESMTP\r\n');
        sock.on('data', (chunk) => {
            buf += chunk.toString('utf8');
            let i;
            while ((i = buf.indexOf('\r\n')) >= 0) {
                const line = buf.slice(0, i);
                buf = buf.slice(i + 2);
                if (data) {
                    if (line === '.') {
                        data = false;
                        mails.push(mail);
                        mail = '';
                        sock.write('250 OK queued\r\n');
                    } else mail += `${line}\n`;
                    continue;
                }
                const verb = line.slice(0, 4).toUpperCase();
                if (verb === 'EHLO' || verb === 'HELO') sock.write('250 sink\r\n');
                else if (verb === 'DATA') {
                    data = true;
                    sock.write('354 go on\r\n');
                } else if (verb === 'QUIT') {
                    sock.write('221 bye\r\n');
                    sock.end();
                } else sock.write('250 OK\r\n');
            }
        });
        sock.on('error', () => {});
    });
    return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({srv, mails, port: srv.address().port})));
}

let server;
let browser;
let sink;

before(async () => {
    sink = await smtpSink();
    browser = await Browser.launch();
    server = await startServer({args: ['--smtp-addr', `127.0.0.1:${sink.port}`, '--smtp-from', 'jiexiang@example.org']});
});

after(async () => {
    await browser?.close();
    await server?.stop();
    sink?.srv.close();
});

// bodyOf decodes a mail's base64 text body.
function bodyOf(mail) {
    const [, body] = mail.split('\n\n');
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
}

test('a citizen on a phone leaves an email, gets the link by mail and stops the messages', async () => {
    const page = await browser.page({width: 390, height: 844});
    try {
        await page.context().grantPermissions(['geolocation'], {origin: server.base});
        await open(page, `${server.base}/#report`);
        await page.waitForSelector('#report-contact');
        assert.match(await page.locator('label:has(#report-contact)').innerText(), /邮箱（选填）/);
        await page.waitForSelector('#report-parent option:nth-child(2)', {state: 'attached'});
        const parent = await page.$eval('#report-parent', (s) => s.options[1].value);
        await page.selectOption('#report-parent', parent);
        await page.waitForSelector('#report-category');
        await page.selectOption('#report-category', await page.$eval('#report-category', (s) => s.options[s.options.length - 1].value));
        await page.fill('#report-description', '路边垃圾堆放');
        await page.fill('#report-contact', 'jumin@example.org');
        const admin = await apiSession(server.base, 'admin', 'demo-admin-2026');
        const units = await admin.get('/api/v1/admin-units?level=subdistrict');
        let [w, s, e, n] = [180, 90, -180, -90];
        const walk = (c) => (typeof c[0] === 'number'
            ? ([w, s, e, n] = [Math.min(w, c[0]), Math.min(s, c[1]), Math.max(e, c[0]), Math.max(n, c[1])])
            : c.forEach(walk));
        walk(units.features[0].geometry.coordinates);
        const [lon, lat] = [(w + e) / 2, (s + n) / 2];
        await page.context().setGeolocation({longitude: lon, latitude: lat, accuracy: 10});
        await page.click('#report-locate');
        await page.waitForSelector('#report-recipient');
        const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/incidents') && r.request().method() === 'POST');
        await page.click('#report-submit');
        const receipt = await (await answered).json();
        assert.ok(receipt.tracking_number, JSON.stringify(receipt));
        assert.equal(JSON.stringify(receipt).includes('jumin@example.org'), false, 'the receipt repeats the contact');

        const deadline = Date.now() + 20000;
        while (!sink.mails.some((m) => m.includes('jumin@example.org')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        const mail = sink.mails.find((m) => m.includes('To: jumin@example.org'));
        assert.ok(mail, `no mail arrived: ${sink.mails.length} mails`);
        const text = bodyOf(mail);
        assert.ok(text.includes(receipt.tracking_number) && text.includes('已受理'), text);
        const link = text.match(/http\S+#track=\S+&token=\S+/)[0];

        await page.goto(link.replace(/^https?:\/\/[^/]+/, server.base));
        await page.waitForSelector('#track-stop');
        assert.match(await page.locator('#track-messages').innerText(), /短信或邮件/);
        await page.click('#lang');
        await page.waitForFunction(() => document.querySelector('#track-stop')?.textContent === 'Stop them');
        const stopped = page.waitForResponse((r) => r.url().includes(':stop-messages'));
        await page.click('#track-stop');
        assert.equal((await stopped).status(), 204);
        await page.waitForFunction(() => !document.querySelector('#track-stop'));
        const tracked = await (await fetch(`${server.base}/api/v1/tracking/${receipt.tracking_number}?token=${receipt.verification_token}`)).json();
        assert.equal(tracked.messages, undefined, 'still messaged after stopping');
    } finally {
        await page.close();
    }
});
