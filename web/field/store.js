// The device's own storage (IndexedDB), which outlives a closed app and a restarted phone: the outbox
// of records waiting to be sent (in the order they were made), the records the server refused
// (kept until the user has seen them), and small values (the session, the patrol being recorded,
// today's work as last fetched).
const NAME = 'streetchief-field';

let opening;

function db() {
    opening ||= new Promise((resolve, reject) => {
        const req = indexedDB.open(NAME, 1);
        req.onupgradeneeded = () => {
            const d = req.result;
            // n (auto-increment) is the order of making, which is the order of sending.
            d.createObjectStore('outbox', {keyPath: 'n', autoIncrement: true}).createIndex('key', 'key', {unique: true});
            d.createObjectStore('attention', {keyPath: 'key'});
            d.createObjectStore('kv');
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
    });
    return opening;
}

function done(req) {
    return new Promise((resolve, reject) => {
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
    });
}

async function run(store, mode, fn) {
    const tx = (await db()).transaction(store, mode);
    const result = await fn(tx.objectStore(store));
    await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
    });
    return result;
}

export const kv = {
    get: (k) => run('kv', 'readonly', (s) => done(s.get(k))),
    set: (k, v) => run('kv', 'readwrite', (s) => done(s.put(v, k))),
    del: (k) => run('kv', 'readwrite', (s) => done(s.delete(k))),
};

export const outbox = {
    // add files a record; a second record with the same key is the same record (a double tap).
    add: (rec) => run('outbox', 'readwrite', async (s) => {
        const had = await done(s.index('key').getKey(rec.key));
        return had ?? done(s.add(rec));
    }),
    first: () => run('outbox', 'readonly', async (s) => {
        const cur = await done(s.openCursor());
        return cur ? cur.value : null;
    }),
    all: () => run('outbox', 'readonly', (s) => done(s.getAll())),
    count: () => run('outbox', 'readonly', (s) => done(s.count())),
    put: (rec) => run('outbox', 'readwrite', (s) => done(s.put(rec))),
    remove: (n) => run('outbox', 'readwrite', (s) => done(s.delete(n))),
};

export const attention = {
    // A refused record moves from the outbox to the attention list in one transaction, so a crash
    // between the two can neither lose it nor send it again.
    take: (rec, problem) => (async () => {
        const tx = (await db()).transaction(['outbox', 'attention'], 'readwrite');
        tx.objectStore('attention').put({...rec, problem, refused_at: new Date().toISOString()});
        tx.objectStore('outbox').delete(rec.n);
        await new Promise((resolve, reject) => {
            tx.oncomplete = resolve;
            tx.onerror = () => reject(tx.error);
        });
    })(),
    all: () => run('attention', 'readonly', (s) => done(s.getAll())),
    dismiss: (key) => run('attention', 'readwrite', (s) => done(s.delete(key))),
};

// clear forgets everything of the signed-in user (sign-out); the outbox is kept only if asked.
export async function clearUser({keepOutbox}) {
    const stores = keepOutbox ? ['kv'] : ['kv', 'outbox', 'attention'];
    for (const s of stores) await run(s, 'readwrite', (st) => done(st.clear()));
}
