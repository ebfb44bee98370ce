// The browser tests' harness: the real server binary on a loopback port over a fresh database with
// the demo city, and Debian's Chromium driven by playwright-core, watched for requests that leave
// the machine, failed requests and console errors.
import assert from 'node:assert/strict';
import {execFileSync, spawn} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {chromium} from 'playwright-core';
import {PNG} from 'pngjs';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const CHROMIUM = process.env.STREETCHIEF_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = createServer();
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const {port} = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

function psql(adminURL, sql) {
    execFileSync('psql', [adminURL, '-v', 'ON_ERROR_STOP=1', '-qc', sql], {stdio: ['ignore', 'ignore', 'inherit']});
}

// startServer creates streetchief_webtest_<pid>, serves the demo city on it, and answers once the
// lookup index has loaded. stop() ends the server and drops the database.
export async function startServer({args = []} = {}) {
    const adminURL = process.env.STREETCHIEF_TEST_DATABASE_URL ||
        execFileSync(join(repo, 'scripts/pg.sh'), ['admin-url'], {encoding: 'utf8'}).trim();
    const db = `streetchief_webtest_${process.pid}`;
    const u = new URL(adminURL);
    u.pathname = `/${db}`;
    // Databases left by runs that were killed before they could drop theirs.
    const stale = execFileSync('psql', [adminURL, '-Atc', "SELECT datname FROM pg_database WHERE datname LIKE 'streetchief_webtest_%'"],
        {encoding: 'utf8'}).split('\n').filter(Boolean);
    for (const name of stale) {
        const pid = Number(name.split('_').pop());
        let alive = false;
        try {
            process.kill(pid, 0);
            alive = pid !== process.pid;
        } catch { /* no such process */ }
        if (!alive) psql(adminURL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    psql(adminURL, `CREATE DATABASE ${db}`);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const bin = process.env.STREETCHIEF_BIN || join(repo, 'bin/streetchief');
    // Each server keeps its photos apart, outside the project, and they go with its database.
    const photos = mkdtempSync(join(tmpdir(), 'streetchief-photos-'));
    const proc = spawn(bin, ['serve', '--database-url', u.toString(), '--migrate', '--demo-if-empty', '--addr', `127.0.0.1:${port}`,
        '--photo-dir', photos, ...args],
        {stdio: ['ignore', 'ignore', 'pipe']});
    let log = '';
    proc.stderr.on('data', (d) => {
        log = (log + d).slice(-20000);
    });
    let exited = null;
    proc.on('exit', (code) => (exited = code));
    const stop = async () => {
        if (exited === null) {
            proc.kill('SIGTERM');
            await new Promise((resolve) => {
                const timer = setTimeout(() => {
                    proc.kill('SIGKILL');
                    resolve();
                }, 10000);
                proc.once('exit', () => {
                    clearTimeout(timer);
                    resolve();
                });
            });
        }
        psql(adminURL, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        rmSync(photos, {recursive: true, force: true});
    };
    const deadline = Date.now() + 90000;
    for (;;) {
        if (exited !== null) {
            await stop();
            throw new Error(`server exited with ${exited}:\n${log}`);
        }
        try {
            const res = await fetch(`${base}/api/v1/lookup?lon=0&lat=0`);
            if (res.status === 200) break;
        } catch { /* not listening yet */ }
        if (Date.now() > deadline) {
            await stop();
            throw new Error(`server did not become ready:\n${log}`);
        }
        await new Promise((r) => setTimeout(r, 250));
    }
    return {base, stop, log: () => log};
}

// apiSession signs in over HTTP (for API set-up outside the browser) and returns fetch headers.
export async function apiSession(base, username, password) {
    const res = await fetch(`${base}/api/v1/session`, {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: JSON.stringify({username, password})});
    if (!res.ok) throw new Error(`sign-in as ${username}: ${res.status}`);
    const cookie = res.headers.get('set-cookie').split(';')[0];
    const {csrf_token: csrf, user} = await res.json();
    const get = async (path) => {
        const r = await fetch(base + path, {headers: {Cookie: cookie}});
        if (!r.ok) throw new Error(`GET ${path}: ${r.status}`);
        return r.json();
    };
    const post = async (path, body) => {
        const r = await fetch(base + path, {method: 'POST', body: JSON.stringify(body),
            headers: {Cookie: cookie, 'X-CSRF-Token': csrf, 'Content-Type': 'application/json'}});
        if (!r.ok) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
        return r.json();
    };
    return {cookie, csrf, user, get, post};
}

// Browser opens each page in its own Chromium with a fresh profile (--user-data-dir), so every
// page has its own cookies; each page is watched.
export class Browser {
    static async launch() {
        return new Browser();
    }

    // device takes more of the context's options: isMobile, hasTouch, permissions, geolocation.
    async page({width = 1280, height = 800, ...device} = {}) {
        const profile = mkdtempSync(join(tmpdir(), 'streetchief-chromium-'));
        const context = await chromium.launchPersistentContext(profile, {executablePath: CHROMIUM, args: CHROMIUM_ARGS,
            viewport: {width, height}, deviceScaleFactor: 1, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...device});
        this.open.push({context, profile});
        const page = context.pages()[0] || await context.newPage();
        const seen = {requests: [], foreign: [], failed: [], errors: []};
        page.on('request', (r) => {
            const url = r.url();
            seen.requests.push(url);
            if (/^(data|blob|about):/.test(url)) return;
            const host = new URL(url).hostname;
            if (host !== '127.0.0.1' && host !== 'localhost' && host !== '[::1]') seen.foreign.push(url);
        });
        page.on('requestfailed', (r) => {
            // MapLibre cancels the tile requests a moving map no longer needs, as does a reload.
            if (r.failure()?.errorText !== 'net::ERR_ABORTED') seen.failed.push(`${r.url()}: ${r.failure()?.errorText}`);
        });
        page.on('response', (r) => {
            if (r.status() >= 400) seen.failed.push(`${r.url()}: HTTP ${r.status()}`);
        });
        page.on('console', (m) => {
            if (m.type() === 'error') seen.errors.push(m.text());
        });
        page.on('pageerror', (e) => seen.errors.push(e.message));
        page.seen = seen;
        return page;
    }

    open = [];

    async close() {
        for (const {context, profile} of this.open) {
            await context.close().catch(() => {});
            rmSync(profile, {recursive: true, force: true});
        }
        this.open = [];
    }
}

// open loads the dashboard and waits until the map has drawn everything it asked for.
export async function open(page, url) {
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, {timeout: 30000});
    await mapIdle(page);
}

export async function mapIdle(page) {
    await page.waitForFunction(() => {
        const m = window.streetchief?.map;
        return m && m.loaded() && m.areTilesLoaded() && !m.isMoving();
    }, null, {timeout: 30000, polling: 100});
    // One more frame, so what was loaded has been painted.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

// signIn goes through the sign-in dialog.
export async function signIn(page, username, password) {
    await page.click('#signin-open');
    await page.fill('#signin-username', username);
    await page.fill('#signin-password', password);
    await page.click('#signin-submit');
    await page.waitForSelector('#signout:not([hidden])');
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    await mapIdle(page);
}

// mapPixels screenshots the map's canvas and decodes it.
export async function mapPixels(page) {
    const buf = await page.locator('#map canvas').screenshot();
    return PNG.sync.read(buf);
}

// coloured counts the pixels that differ from the map's background colour.
export function coloured(png, background = [0xf4, 0xf1, 0xea]) {
    let n = 0;
    const d = png.data;
    for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - background[0]) + Math.abs(d[i + 1] - background[1]) + Math.abs(d[i + 2] - background[2]) > 24) n++;
    }
    return n / (png.width * png.height);
}

// changed is the share of pixels that differ between two pictures of the same size.
export function changed(a, b) {
    let n = 0;
    for (let i = 0; i < a.data.length; i += 4) {
        if (Math.abs(a.data[i] - b.data[i]) + Math.abs(a.data[i + 1] - b.data[i + 1]) + Math.abs(a.data[i + 2] - b.data[i + 2]) > 30) n++;
    }
    return n / (a.width * a.height);
}

// clean asserts that a page asked only this machine for anything, and that nothing failed.
export function clean(page) {
    assert.deepEqual(page.seen.foreign, [], 'requests left localhost');
    assert.deepEqual(page.seen.failed, [], 'requests failed');
    assert.deepEqual(page.seen.errors, [], 'console errors');
}
