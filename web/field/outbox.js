// The outbox: every record made in the field is stored on the device first and sent from here,
// strictly in the order it was made, each under its own key (the Idempotency-Key, or a patrol's id
// in its path), so that a resend after a lost answer is the same record on the server. A network
// failure, a timeout or a busy server (408, 429, 5xx) is retried with backoff; 401 stops the queue
// until the user signs in again; any other refusal is moved to the "needs attention" list with the
// server's problem, for the user to read — never dropped.
import {attention, kv, outbox} from './store.js';

const MAX_BACKOFF_MS = 30000;

export class Outbox {
    constructor({onChange, onSignIn, onSent}) {
        this.onChange = onChange; // () → void: the counts changed
        this.onSignIn = onSignIn; // () → void: the session has ended
        this.onSent = onSent; // (rec, answer) → void
        this.running = false;
        this.blocked = false; // by a 401, until signedIn()
        this.backoff = 0;
        this.timer = 0;
        this.state = 'idle'; // idle | sending | waiting | signin
        addEventListener('online', () => this.kick(true));
    }

    // add stores a record and starts sending: {key, made_at, position, method, path, kind, label,
    // body (JSON), fields (multipart), photos (Blobs), photoEncoding 'multipart'|'base64'}.
    async add(rec) {
        await outbox.add({made_at: new Date().toISOString(), ...rec});
        this.onChange();
        this.kick(true);
    }

    signedIn() {
        this.blocked = false;
        this.kick(true);
    }

    // kick sends what waits; now skips a pending backoff (the network is back, a new record).
    kick(now) {
        if (now) {
            clearTimeout(this.timer);
            this.timer = 0;
            this.backoff = 0;
        }
        if (!this.running && !this.timer && !this.blocked) this.run();
    }

    async run() {
        this.running = true;
        try {
            for (;;) {
                const rec = await outbox.first();
                if (!rec) {
                    this.state = 'idle';
                    break;
                }
                this.state = 'sending';
                this.onChange();
                const res = await this.send(rec);
                if (res === 'retry') {
                    this.backoff = Math.min(MAX_BACKOFF_MS, this.backoff ? this.backoff * 2 : 1000);
                    this.state = 'waiting';
                    this.timer = setTimeout(() => {
                        this.timer = 0;
                        this.run();
                    }, this.backoff);
                    break;
                }
                if (res === 'signin') {
                    this.blocked = true;
                    this.state = 'signin';
                    this.onSignIn();
                    break;
                }
                this.backoff = 0;
            }
        } finally {
            this.running = false;
            this.onChange();
        }
    }

    // send makes one attempt: 'done', 'refused', 'retry' or 'signin'.
    async send(rec) {
        // The report route takes citizens' reports too: a field user's report sent after their session
        // ended would be filed as an anonymous one, so it waits for them to sign in again.
        if (rec.kind === 'incident') {
            const who = await sessionStands();
            if (who === null) return 'retry';
            if (!who) return 'signin';
        }
        let res;
        try {
            res = await fetch(rec.path, await request(rec));
        } catch {
            return 'retry';
        }
        if (res.status === 403 && (await csrfRefused(res.clone()))) {
            // The session outlived the token this device kept (a new sign-in elsewhere does not end
            // it, but a restarted server with a new key might): fetch the current one, then retry.
            if (!(await refreshCSRF())) return 'signin';
            return 'retry';
        }
        if (res.status === 401) return 'signin';
        if (res.status === 408 || res.status === 429 || res.status >= 500) return 'retry';
        const answer = await res.json().catch(() => null);
        if (res.ok) {
            await outbox.remove(rec.n);
            this.onSent(rec, answer);
            return 'done';
        }
        await attention.take(rec, {status: res.status, code: answer?.code || '', field: answer?.field || '',
            detail: answer?.detail || answer?.title || String(res.status)});
        return 'refused';
    }
}

// sessionStands asks the server whether this device's session stands: true, false, or null offline.
async function sessionStands() {
    try {
        const res = await fetch('/api/v1/session', {headers: {Accept: 'application/json'}, credentials: 'same-origin', cache: 'no-store'});
        if (!res.ok) return null;
        return !!(await res.json()).signed_in;
    } catch {
        return null;
    }
}

async function csrfRefused(res) {
    const doc = await res.json().catch(() => null);
    return /csrf/i.test(doc?.detail || '');
}

async function refreshCSRF() {
    try {
        const res = await fetch('/api/v1/session', {headers: {Accept: 'application/json'}, credentials: 'same-origin', cache: 'no-store'});
        const s = await res.json();
        if (!s.signed_in) return false;
        const saved = (await kv.get('session')) || {};
        await kv.set('session', {...saved, user: s.user, csrf_token: s.csrf_token});
        return true;
    } catch {
        return true; // offline again: retry later
    }
}

// request builds the fetch options of a record: JSON, or multipart with the photos as files, or JSON
// with the photos in base64 (the routes that take only JSON).
async function request(rec) {
    const session = (await kv.get('session')) || {};
    const headers = {Accept: 'application/json', 'X-CSRF-Token': session.csrf_token || ''};
    if (rec.idempotent) headers['Idempotency-Key'] = rec.key;
    let body;
    const photos = rec.photos || [];
    if (rec.photoEncoding === 'multipart') {
        body = new FormData();
        for (const [k, v] of Object.entries(rec.fields || {})) body.append(k, typeof v === 'string' ? v : JSON.stringify(v));
        photos.forEach((p, i) => body.append('photos', p, `photo-${i + 1}.jpg`));
    } else {
        const doc = {...rec.body};
        if (photos.length) doc.photos = await Promise.all(photos.map(base64));
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(doc);
    }
    return {method: rec.method, headers, body, credentials: 'same-origin', cache: 'no-store'};
}

async function base64(blob) {
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
}

// newKey is a random UUID (v4); randomUUID needs a secure context, which a LAN address is not.
export function newKey() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}
