// The inbox (消息) on the phone: what needs the signed-in person, newest first, unread ones marked.
// Opening a notice marks it read through the outbox, like every other record made here, so a
// reading made offline is sent once, in order, when the network is back (the server keeps the first
// read time it receives). The last page fetched is kept on the device and shown offline with when it
// was fetched.
import {h, replace} from '../src/dom.js';
import {Offline, cachedWith, getJSON} from './data.js';
import {dateTime, lang, t, time} from './i18n/index.js';
import {kv, outbox} from './store.js';
import {categories, categoryName} from './today.js';

export const READ_KIND = 'read';
const PAGE = 30;

const inboxPath = ({before, unread, limit = PAGE} = {}) =>
    `/api/v1/inbox?limit=${limit}&lang=${lang()}${before ? `&before=${before}` : ''}${unread ? '&unread=true' : ''}`;

// queuedReads are the notices marked read on this device whose marks wait in the outbox.
async function queuedReads() {
    return new Set((await outbox.all()).filter((r) => r.kind === READ_KIND).map((r) => r.notice_id));
}

// unreadCount asks the server for the unread count; offline it is the kept page's count less the
// readings still waiting to be sent. null when there is neither.
export async function unreadCount() {
    const waiting = await queuedReads();
    try {
        const doc = await getJSON(inboxPath({limit: 1, unread: true}));
        // A mark waiting to be sent is a reading the server has not heard of yet.
        return Math.max(0, doc.unread - waiting.size);
    } catch (e) {
        if (!(e instanceof Offline)) return null;
        const kept = await kv.get('get:inbox');
        if (!kept) return null;
        const counted = kept.doc.items.filter((it) => !it.read_at && waiting.has(it.id)).length;
        return Math.max(0, kept.doc.unread - counted);
    }
}

export class InboxScreen {
    constructor(app) {
        this.app = app;
        this.page = null; // {doc, at, fresh}
        this.more = []; // the pages after the first, fetched online
        this.next = 0;
        this.error = '';
        this.waiting = new Set();
    }

    render(el) {
        this.el = el;
        this.draw();
        this.load();
    }

    async load() {
        this.error = '';
        this.loading = true;
        try {
            this.page = await cachedWith('inbox', () => getJSON(inboxPath()));
            this.more = [];
            this.next = this.page?.fresh ? this.page.doc.next || 0 : 0;
        } catch (e) {
            this.error = t('inbox.failed', {detail: e.message});
        }
        this.loading = false;
        this.draw();
    }

    async loadMore() {
        try {
            const doc = await getJSON(inboxPath({before: this.next}));
            this.more.push(...doc.items);
            this.next = doc.next || 0;
        } catch (e) {
            this.app.toast(e instanceof Offline ? t('inbox.moreOffline') : t('inbox.failed', {detail: e.message}), true);
        }
        this.draw();
    }

    items() {
        return [...(this.page?.doc?.items || []), ...this.more];
    }

    // read is told of a reading the server took: its read time is shown, and kept, from then on.
    read(rec, answer) {
        const it = this.items().find((x) => x.id === rec.notice_id);
        if (it && answer?.read_at) it.read_at = answer.read_at;
        if (this.page && this.page.doc.items.some((x) => x.id === rec.notice_id)) kv.set('get:inbox', {doc: this.page.doc, at: this.page.at});
        if (this.el?.isConnected) this.draw();
    }

    queueChanged() {
        if (this.el?.isConnected) this.draw();
    }

    async open(it) {
        if (!it.read_at && !this.waiting.has(it.id)) {
            this.waiting.add(it.id);
            await this.app.record({key: `read:${it.id}`, kind: READ_KIND, notice_id: it.id, label: it.title,
                method: 'POST', path: `/api/v1/inbox/${it.id}:read`, body: {}});
        }
        this.app.inboxCount();
        const s = it.subject || {};
        if (s.type === 'incident' && s.id) this.app.go('case', {id: s.id, title: it.title});
        else if (s.type === 'merchant' && s.id) {
            const shop = await keptShop(s.id);
            if (shop) this.app.go('inspect', shop);
            else this.draw();
        } else this.draw();
    }

    async draw() {
        if (!this.el) return;
        this.waiting = await queuedReads();
        const items = this.items();
        const unread = items.filter((it) => !it.read_at && !this.waiting.has(it.id)).length;
        replace(this.el,
            h('div', {class: 'row spread'},
                h('h2', {}, t('inbox.title')),
                h('button', {type: 'button', class: 'secondary', id: 'inbox-refresh', onclick: () => this.load()},
                    this.loading ? t('today.loading') : t('today.refresh'))),
            this.page && !this.page.fresh && h('p', {class: 'hint', id: 'inbox-kept'}, t('inbox.kept', {at: time(this.page.at)})),
            this.error && h('p', {class: 'bad'}, this.error),
            this.page && h('p', {class: 'hint', id: 'inbox-summary'}, t('inbox.summary', {n: unread, total: items.length})),
            !this.page && !this.loading && !this.error && h('p', {class: 'hint'}, t('inbox.none')),
            this.page && items.length === 0 && h('p', {class: 'hint'}, t('inbox.empty')),
            h('ul', {class: 'list', id: 'inbox-list'}, items.map((it) => {
                const state = it.read_at ? 'read' : this.waiting.has(it.id) ? 'waiting' : 'unread';
                return h('li', {}, h('button', {type: 'button', class: `item notice ${state}`, 'data-notice': it.id, onclick: () => this.open(it)},
                    h('span', {class: 'main'}, it.title, h('small', {}, dateTime(it.created_at))),
                    h('span', {class: 'side'}, h('span', {class: `tag ${state === 'unread' ? 'todo' : state === 'waiting' ? 'waiting' : 'done'}`},
                        state === 'read' ? t('inbox.readAt', {at: dateTime(it.read_at)}) : t(`inbox.${state}`)))));
            })),
            this.next ? h('button', {type: 'button', class: 'big secondary', id: 'inbox-more', onclick: () => this.loadMore()}, t('inbox.more')) : null);
    }
}

// keptShop finds a shop of today's list as the device last fetched it, for its inspection screen.
async function keptShop(id) {
    const kept = (await kv.get('get:shops'))?.doc;
    const f = [...(kept?.due || []), ...(kept?.done || [])].find((x) => x.id === id);
    if (!f) return null;
    return {id: f.id, name: f.properties.name, address: f.properties.address, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1]};
}

// CaseScreen is a case's summary, reached from a notice: the server's word on it when it can be
// asked, the notice's title otherwise.
export class CaseScreen {
    constructor(app, arg) {
        this.app = app;
        this.arg = arg || {};
    }

    async render(el) {
        const back = h('button', {type: 'button', class: 'secondary', id: 'case-back', onclick: () => this.app.go('inbox')}, t('back'));
        replace(el, back, h('h2', {}, this.arg.title || ''), h('p', {class: 'hint'}, t('today.loading')));
        let c = null;
        let error = '';
        try {
            c = await getJSON(`/api/v1/incidents/${this.arg.id}`);
        } catch (e) {
            error = e instanceof Offline ? t('case.offline') : t('inbox.failed', {detail: e.message});
        }
        const cats = c ? await categories() : [];
        replace(el, back,
            h('h2', {}, c ? t('case.title', {id: c.id}) : this.arg.title || ''),
            error && h('p', {class: 'hint'}, error),
            c && h('div', {class: 'card', id: 'case', 'data-incident': c.id},
                h('p', {}, h('strong', {}, categoryName(cats, c.category, lang())), ' ', h('span', {class: 'tag'}, t(`status.${c.status}`)),
                    c.overdue ? h('span', {class: 'tag bad'}, t('case.overdue')) : null),
                h('p', {}, c.place_text || ''),
                h('p', {}, c.description || ''),
                h('p', {class: 'hint'}, t('case.reported', {at: dateTime(c.reported_at)}))));
    }
}
