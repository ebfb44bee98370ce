// Reading from the server with the device's copy as the fallback: each answer is kept under a name,
// so that with no network the last one is shown, marked with when it was fetched.
import {kv} from './store.js';

export class Offline extends Error {}

// getJSON asks the server; a failure to reach it is Offline, a refusal an Error with its status.
export async function getJSON(path) {
    let res;
    try {
        res = await fetch(path, {headers: {Accept: 'application/json'}, credentials: 'same-origin'});
    } catch {
        throw new Offline(path);
    }
    // The service worker answers 503 from nothing when it has no copy and no network.
    if (res.status === 503 && res.headers.get('X-Field-Offline')) throw new Offline(path);
    const doc = await res.json().catch(() => null);
    if (!res.ok) {
        const err = new Error(doc?.detail || String(res.status));
        err.status = res.status;
        throw err;
    }
    return doc;
}

// cached answers {doc, at, fresh}: the server's answer (kept), or offline the kept one (fresh false),
// or null when there is neither.
export function cached(name, path) {
    return cachedWith(name, () => getJSON(path));
}

// features gathers a GeoJSON list's pages (keyset: next → after=).
export async function allFeatures(path) {
    const out = [];
    let after = '';
    for (let i = 0; i < 20; i++) {
        const sep = path.includes('?') ? '&' : '?';
        const page = await getJSON(`${path}${sep}limit=1000${after ? `&after=${after}` : ''}`);
        out.push(...page.features);
        if (!page.next) break;
        after = page.next;
    }
    return {type: 'FeatureCollection', features: out};
}

// cachedWith is cached for an answer that fn makes (of one request or several).
export async function cachedWith(name, fn) {
    try {
        const doc = await fn();
        const at = new Date().toISOString();
        await kv.set(`get:${name}`, {doc, at});
        return {doc, at, fresh: true};
    } catch (e) {
        if (!(e instanceof Offline)) throw e;
        const kept = await kv.get(`get:${name}`);
        return kept ? {...kept, fresh: false} : null;
    }
}
