// The field app's service worker (scope /field/): the shell — the page, its scripts and styles, the
// manifest and icon — is cached on install under the build's version and answered from the cache,
// so the app opens with no network; a new build is a new version, which replaces the old cache. The
// map's chunk and MapLibre's worker are cached alongside when they can be. Reads of today's work
// are network-first with the last answer kept for offline. Nothing but GET is ever touched: records
// go to the server from the page's outbox.
/* global FIELD_VERSION, FIELD_SHELL, FIELD_LAZY */
const SHELL = `field-shell-${FIELD_VERSION}`;
const DATA = 'field-data';
// The reads the app makes of today's work, kept for when the network is gone.
const DATA_PATHS = ['/api/v1/session', '/api/v1/merchants', '/api/v1/incidents', '/api/v1/incident-categories', '/api/v1/vendors',
    '/api/v1/patrols', '/api/v1/admin-units/', '/tiles/index.json', '/tiles/areas.json'];

self.addEventListener('install', (e) => {
    e.waitUntil((async () => {
        const cache = await caches.open(SHELL);
        await cache.addAll(FIELD_SHELL);
        await Promise.allSettled(FIELD_LAZY.map((u) => cache.add(u)));
        await self.skipWaiting();
    })());
});

self.addEventListener('activate', (e) => {
    e.waitUntil((async () => {
        for (const name of await caches.keys()) {
            if (name.startsWith('field-shell-') && name !== SHELL) await caches.delete(name);
        }
        await self.clients.claim();
    })());
});

self.addEventListener('fetch', (e) => {
    const req = e.request;
    if (req.method !== 'GET') return;
    const url = new URL(req.url);
    if (url.origin !== location.origin) return;
    if (req.mode === 'navigate' && url.pathname.startsWith('/field/')) {
        e.respondWith(fromShell('/field/', req));
    } else if (url.pathname.startsWith('/assets/') || (url.pathname.startsWith('/field/') && url.pathname !== '/field/sw.js')) {
        e.respondWith(fromShell(url.pathname, req));
    } else if (DATA_PATHS.some((p) => url.pathname === p || (p.endsWith('/') && url.pathname.startsWith(p)))) {
        e.respondWith(networkFirst(req));
    }
});

async function fromShell(key, req) {
    const cache = await caches.open(SHELL);
    const hit = await cache.match(key);
    if (hit) return hit;
    const res = await fetch(req);
    // Hashed names never change: whatever else of them is fetched is kept too.
    if (res.ok && key.startsWith('/assets/')) cache.put(key, res.clone());
    return res;
}

async function networkFirst(req) {
    const cache = await caches.open(DATA);
    try {
        const res = await fetch(req);
        if (res.ok) await cache.put(req, res.clone());
        return res;
    } catch {
        const hit = await cache.match(req);
        if (hit) return hit;
        return new Response(JSON.stringify({title: 'offline', status: 503, detail: 'offline and no copy on the device'}),
            {status: 503, headers: {'Content-Type': 'application/problem+json', 'X-Field-Offline': '1'}});
    }
}
