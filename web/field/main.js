// The field app's wiring (/field/): the session (kept on the device, so a reload offline is still
// signed in), the outbox and its count in the header, the bottom tabs the user's role calls for,
// and the screens. Everything drawn here is plain DOM; the map is a chunk loaded when it is opened.
import './field.css';

import {h, replace} from '../src/dom.js';
import {lang, onLangChange, setLang, t} from './i18n/index.js';
import {CaseScreen, InboxScreen, READ_KIND, unreadCount} from './inbox.js';
import {InspectScreen} from './inspect.js';
import {Outbox} from './outbox.js';
import {Patrol, PatrolScreen, reasonText} from './patrol.js';
import {QueueScreen} from './queue.js';
import {ReportScreen, SightingScreen} from './quick.js';
import {SignInScreen} from './signin.js';
import {attention, clearUser, kv, outbox} from './store.js';
import {TodayScreen} from './today.js';

const $ = (sel) => document.querySelector(sel);

// Which tabs each role gets: an inspector checks shops; a lane chief also handles cases, vendors and
// patrols; a street chief handles cases and patrols.
const TABS = {
    inspector: ['today', 'map', 'queue'],
    lane_chief: ['today', 'patrol', 'map', 'queue'],
    street_chief: ['today', 'patrol', 'map', 'queue'],
    admin: ['today', 'patrol', 'map', 'queue'],
};
export const FIELD_ROLES = Object.keys(TABS);
// The screens reached from a tab or the header, drawn with their tab's place in the bar.
const INNER = ['inspect', 'report', 'sighting', 'inbox', 'case'];
// How many sent records the outbox screen still shows.
const COUNTS_MS = 150;
const SENT_KEPT = 30;

class App {
    constructor() {
        this.el = $('#screen');
        this.session = null;
        this.tab = 'today';
        this.screen = null;
        this.online = navigator.onLine;
        this.outbox = new Outbox({
            onChange: () => this.counts(),
            onSignIn: () => this.signInAgain(),
            onSent: (rec, answer) => this.sent(rec, answer),
        });
        this.patrol = new Patrol(this);
        this.screens = {};
        addEventListener('online', () => this.net(true));
        addEventListener('offline', () => this.net(false));
        $('#lang').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
        $('#queue-count').addEventListener('click', () => this.go('queue'));
        $('#inbox-count').addEventListener('click', () => this.go('inbox'));
        // A phone's app is left open for hours: coming back to it is when the count may be stale.
        document.addEventListener('visibilitychange', () => {
            if (document.visibilityState === 'visible') this.inboxCount();
        });
        onLangChange(() => this.render());
    }

    async start() {
        this.session = await kv.get('session');
        this.patrol.restore(await kv.get('patrol'));
        this.render();
        // Interactive: the first screen is drawn from what the device keeps, its buttons answer.
        performance.mark('field-interactive');
        this.counts();
        this.inboxCount();
        // The server's word on the session, when it can be asked; offline the kept one stands.
        try {
            const res = await fetch('/api/v1/session', {headers: {Accept: 'application/json'}, cache: 'no-store'});
            // Only the server's own answer says who is signed in; the worker's "offline" is no answer.
            if (!res.ok) throw new Error(`session: ${res.status}`);
            const s = await res.json();
            if (s.signed_in && FIELD_ROLES.includes(s.user.role)) {
                const changed = !this.session || this.session.user.id !== s.user.id;
                await this.keepSession({user: s.user, csrf_token: s.csrf_token});
                if (changed) this.render();
                if (changed) this.inboxCount();
            } else if (this.session) {
                await this.ended();
            }
        } catch { /* offline: the kept session stands */ }
        this.outbox.kick(true);
    }

    async keepSession(s) {
        this.session = s;
        await kv.set('session', s);
        // Records wait on the device for days at most, but a browser short of space may clear a
        // site's storage unless it was asked to keep it.
        navigator.storage?.persist?.().catch(() => {});
    }

    // ended: the server says nobody is signed in. Waiting records are kept for the next sign-in.
    async ended() {
        this.session = {...this.session, expired: true};
        this.render();
    }

    signInAgain() {
        if (this.session) this.session.expired = true;
        this.render();
    }

    // signedIn answers an error to show instead when the records waiting on the device are another
    // user's: they must be sent as the person who made them.
    async signedIn(s) {
        const before = this.session?.user?.id;
        if (before && before !== s.user.id && (await outbox.count()) > 0) {
            await fetch('/api/v1/session', {method: 'DELETE', headers: {'X-CSRF-Token': s.csrf_token}}).catch(() => {});
            return t('signin.otherUser', {name: this.session.user.username});
        }
        await this.keepSession({user: s.user, csrf_token: s.csrf_token});
        if (before && before !== s.user.id) {
            this.screens = {};
            // The kept inbox is the last user's own.
            await kv.del('get:inbox');
        }
        this.tab = 'today';
        this.render();
        this.inboxCount();
        this.outbox.signedIn();
    }

    async signOut() {
        if ((await outbox.count()) > 0) {
            this.toast(t('signout.waiting'), true);
            return;
        }
        if (this.patrol.active()) {
            this.toast(t('signout.patrol'), true);
            return;
        }
        try {
            await fetch('/api/v1/session', {method: 'DELETE', headers: {'X-CSRF-Token': this.session?.csrf_token || ''}});
        } catch { /* offline: the cookie is cleared at the next sign-in */ }
        await clearUser({keepOutbox: false});
        if ('caches' in window) await caches.delete('field-data');
        this.session = null;
        this.screens = {};
        this.render();
        this.inboxCount();
    }

    tabs() {
        return TABS[this.session?.user?.role] || [];
    }

    go(tab, arg) {
        this.screen?.leave?.();
        this.tab = tab;
        this.arg = arg;
        this.render();
        this.el.scrollTop = 0;
        scrollTo(0, 0);
    }

    // screenFor keeps one screen per tab, so switching back finds it as it was left.
    screenFor(tab) {
        const make = {
            today: () => new TodayScreen(this),
            patrol: () => new PatrolScreen(this),
            queue: () => new QueueScreen(this),
            map: () => new MapPlaceholder(this),
        };
        if (tab === 'case') return new CaseScreen(this, this.arg);
        if (tab === 'inbox') return (this.screens.inbox ||= new InboxScreen(this));
        if (tab === 'inspect') return new InspectScreen(this, this.arg);
        if (tab === 'report') return new ReportScreen(this, this.arg);
        if (tab === 'sighting') return new SightingScreen(this, this.arg);
        this.screens[tab] ||= make[tab]();
        return this.screens[tab];
    }

    render() {
        document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
        document.title = t('app.title');
        $('#title').textContent = t('app.title');
        $('#lang').textContent = t('lang.switch');
        const inbox = $('#inbox-count');
        if (inbox.dataset.unread !== undefined) inbox.textContent = Number(inbox.dataset.unread) ? t('inbox.chip', {n: inbox.dataset.unread}) : t('inbox.chipNone');
        this.net(this.online);
        const nav = $('#tabs');
        if (!this.session || this.session.expired) {
            nav.hidden = true;
            this.screen = new SignInScreen(this, this.session?.expired ? this.session.user.username : '');
            this.screen.render(this.frame());
            return;
        }
        if (!INNER.includes(this.tab) && !this.tabs().includes(this.tab)) this.tab = 'today';
        nav.hidden = false;
        replace(nav, this.tabs().map((tab) => h('button', {type: 'button', 'data-tab': tab,
            class: tab === this.tab || (tab === 'today' && INNER.includes(this.tab)) ? 'on' : '',
            onclick: () => this.go(tab)}, t(`tab.${tab}`))));
        this.screen = this.screenFor(this.tab);
        this.screen.render(this.frame());
    }

    // frame is a new container for the screen about to be drawn: whatever a screen left behind draws
    // when its fetch or fix comes in, it draws into its old, detached frame, never over the next one.
    frame() {
        const box = h('div', {class: 'frame'});
        replace(this.el, box);
        return box;
    }

    net(online) {
        this.online = online;
        const el = $('#net');
        el.textContent = online ? t('net.online') : t('net.offline');
        el.classList.toggle('bad', !online);
    }

    // counts redraws the queue chip (and the screen showing the queue) at most every COUNTS_MS: a
    // queue of a thousand records sending would otherwise redraw today's list a thousand times,
    // which costs more than sending them.
    counts() {
        if (this.countsTimer) return;
        this.countsTimer = setTimeout(() => {
            this.countsTimer = 0;
            this.recount();
        }, COUNTS_MS);
    }

    async recount() {
        const [waiting, refused] = await Promise.all([outbox.count(), attention.all()]);
        const el = $('#queue-count');
        el.hidden = waiting === 0 && refused.length === 0;
        el.textContent = refused.length ? t('queue.chipAttention', {n: waiting, m: refused.length}) : t('queue.chip', {n: waiting});
        el.classList.toggle('bad', refused.length > 0);
        el.dataset.waiting = String(waiting);
        el.dataset.attention = String(refused.length);
        this.waiting = waiting;
        if (this.tab === 'queue' && this.screen?.refresh) this.screen.refresh();
        if ((this.tab === 'today' || this.tab === 'inbox') && this.screen?.queueChanged) this.screen.queueChanged();
    }

    // inboxCount shows the unread notices on the header's button, for a user linked to a person
    // (only a person has an inbox). Calls that overlap draw only the last answer.
    async inboxCount() {
        const el = $('#inbox-count');
        const user = this.session && !this.session.expired ? this.session.user : null;
        if (!user?.person_id) {
            el.hidden = true;
            return;
        }
        const asked = (this.inboxAsked = (this.inboxAsked || 0) + 1);
        const n = await unreadCount();
        if (asked !== this.inboxAsked) return;
        el.hidden = false;
        el.dataset.unread = n == null ? '' : String(n);
        el.textContent = n ? t('inbox.chip', {n}) : t('inbox.chipNone');
        el.classList.toggle('unread', !!n);
        el.setAttribute('aria-label', n == null ? t('inbox.title') : t('inbox.unreadCount', {n}));
    }

    // record files a field record in the outbox, counted as an event of the patrol being recorded.
    async record(rec) {
        if (this.patrol.active()) this.patrol.event(rec.kind);
        await this.outbox.add(rec);
    }

    // sent keeps the last records the server took, with its verdict on each check-in, for the outbox.
    async sent(rec, answer) {
        // Whatever went, the network is back: the count is asked again once a run of sends settles.
        clearTimeout(this.inboxTimer);
        this.inboxTimer = setTimeout(() => this.inboxCount(), 300);
        if (rec.kind === READ_KIND) {
            this.screens.inbox?.read(rec, answer);
            return;
        }
        const verdict = answer?.verdict || (answer && 'suspect' in answer ? {suspect: answer.suspect, reasons: answer.reasons || []} : null);
        if (rec.kind === 'inspection' && verdict?.suspect) {
            this.toast(`${t('sent.suspect', {name: rec.label})}: ${verdict.reasons.map(reasonText).join('; ')}`, true);
        }
        const log = (await kv.get('sent')) || [];
        log.unshift({key: rec.key, kind: rec.kind, label: rec.label, made_at: rec.made_at, sent_at: new Date().toISOString(),
            suspect: !!verdict?.suspect, reasons: verdict?.reasons || []});
        await kv.set('sent', log.slice(0, SENT_KEPT));
        if (rec.kind === 'patrol-end') this.patrol.verdict(answer);
        this.screens.today?.stale?.();
    }

    toast(text, bad) {
        const el = $('#toast');
        el.textContent = text;
        el.classList.toggle('bad', !!bad);
        el.hidden = false;
        clearTimeout(this.toastTimer);
        this.toastTimer = setTimeout(() => (el.hidden = true), 4000);
    }
}

// MapPlaceholder loads the map's chunk (MapLibre) on first use only.
class MapPlaceholder {
    constructor(app) {
        this.app = app;
        this.view = null;
    }

    async render(el) {
        replace(el, h('p', {class: 'hint'}, t('map.loading')));
        if (!this.view) {
            try {
                const {MapScreen} = await import('./mapview.js');
                this.view = new MapScreen(this.app);
            } catch {
                replace(el, h('p', {class: 'bad'}, t('map.unavailable')));
                return;
            }
        }
        if (this.app.tab === 'map') this.view.render(el);
    }

    leave() {
        this.view?.leave?.();
    }
}

const app = new App();
window.streetchiefField = app;
app.start().finally(() => {
    document.body.dataset.ready = 'true';
});

// installWorker registers the service worker and tries again, later and later, when its install
// fails — on a patchy network one failed fetch of the shell rejects the whole install, and the
// browser would not try again before the app is next opened, leaving it without its offline shell.
// The app works without the worker, online.
function installWorker(retryIn = 5000) {
        const again = () => setTimeout(() => installWorker(Math.min(retryIn * 2, 300000)), retryIn);
    navigator.serviceWorker.register('/field/sw.js', {scope: '/field/'}).then((reg) => {
        const worker = reg.installing;
        worker?.addEventListener('statechange', () => {
            if (worker.state === 'redundant' && !reg.active) again();
        });
    }, again);
}

if ('serviceWorker' in navigator) installWorker();
