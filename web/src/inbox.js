// The inbox (消息): what needs the signed-in person, newest first, unread ones marked. Opening one
// records its reading (已读 is a fact leaders look at) and goes to what it is about. The count on the
// header's button follows the server every minute.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {lang, t} from './i18n/index.js';

function beijing(iso) {
    return new Date(new Date(iso).getTime() + 8 * 3600e3).toISOString().slice(5, 16).replace('T', ' ');
}

// subjectHash is where a notice leads in the dashboard.
function subjectHash(subject) {
    if (subject.type === 'incident' && subject.id) return `#incidents/${subject.id}`;
    if (subject.type === 'task' && subject.id) return `#tasks/${subject.id}`;
    if (subject.type === 'operation' && subject.id) return `#operations/${subject.id}`;
    if (subject.type === 'assessment') return '#assessment';
    return '';
}

export class InboxPanel {
    constructor(el, button, {toast}) {
        this.el = el;
        this.button = button;
        this.toast = toast;
        this.items = null;
        this.unread = 0;
        this.next = 0;
        this.unreadOnly = false;
        this.error = '';
        this.timer = null;
    }

    // start follows the unread count while someone linked to a person is signed in.
    start(session) {
        clearInterval(this.timer);
        this.items = null;
        this.unread = 0;
        this.linked = !!(session.signed_in && session.user?.person_id);
        this.renderButton();
        if (!this.linked) return;
        this.count();
        this.timer = setInterval(() => this.count(), 60e3);
    }

    async count() {
        try {
            const doc = await api.inbox({limit: 1, unread: true, lang: lang()});
            this.unread = doc.unread;
        } catch {
            // The count waits for the next minute; the panel shows errors when opened.
        }
        this.renderButton();
    }

    async load(more = false) {
        this.error = '';
        if (!more) this.items = null;
        this.render();
        try {
            const doc = await api.inbox({before: more ? this.next : undefined, unread: this.unreadOnly || undefined, lang: lang()});
            this.items = more ? [...(this.items || []), ...doc.items] : doc.items;
            this.unread = doc.unread;
            this.next = doc.next || 0;
        } catch (e) {
            this.items = this.items || [];
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
        this.renderButton();
    }

    async open(item) {
        if (!item.read_at) {
            try {
                const read = await api.readNotification(item.id);
                item.read_at = read.read_at;
                this.unread = Math.max(0, this.unread - 1);
            } catch (e) {
                this.toast(t('error.generic', {detail: e.detail || e.message}), true);
            }
        }
        this.render();
        this.renderButton();
        const to = subjectHash(item.subject);
        if (to) location.hash = to;
    }

    renderButton() {
        this.button.hidden = !this.linked;
        replace(this.button, t('inbox.button'), this.unread > 0 ? h('span', {class: 'badge', 'aria-label': t('inbox.unreadCount', {n: this.unread})}, String(this.unread)) : null);
    }

    render() {
        const head = h('div', {class: 'row'},
            h('h2', {}, t('inbox.title')),
            h('label', {class: 'inline'}, h('input', {type: 'checkbox', checked: this.unreadOnly, onchange: (e) => {
                this.unreadOnly = e.target.checked;
                this.load();
            }}), ' ', t('inbox.unreadOnly')),
            h('button', {type: 'button', class: 'secondary', onclick: () => this.load()}, t('inbox.refresh')));
        if (!this.linked) return replace(this.el, head, h('p', {class: 'hint'}, t('inbox.noPerson')));
        if (this.items === null) return replace(this.el, head, h('p', {class: 'hint'}, t('loading')));
        const list = h('ul', {class: 'inbox'}, this.items.map((it) => h('li', {class: it.read_at ? 'read' : 'unread'},
            h('button', {type: 'button', class: 'link', onclick: () => this.open(it)}, it.title),
            h('small', {class: 'hint'}, beijing(it.created_at), ' · ',
                it.read_at ? t('inbox.readAt', {time: beijing(it.read_at)}) : t('inbox.unread')))));
        replace(this.el, head,
            this.error ? h('p', {class: 'bad'}, this.error) : null,
            h('p', {class: 'hint'}, t('inbox.summary', {n: this.unread})),
            this.items.length ? list : h('p', {class: 'hint'}, t('inbox.empty')),
            this.next ? h('button', {type: 'button', class: 'secondary', onclick: () => this.load(true)}, t('inbox.more')) : null);
    }
}
