// Today's work (今日工作) for the signed-in person, from their scope: the shops to inspect today
// (nearest first, done or not), their open cases, the vendors of their zones, and the patrol being
// recorded. What the server said last is shown offline, with when it said it; what this device has
// recorded but not yet sent counts as done.
import {h, replace} from '../src/dom.js';
import {allFeatures, cached, cachedWith, getJSON} from './data.js';
import {beijingDay, dateTime, duration, lang, metres, t, time} from './i18n/index.js';
import {currentFix, distanceM} from './position.js';
import {kv, outbox} from './store.js';

const OPEN = 'reported,assigned,in_progress,escalated,joint_enforcement,reopened';
const SHOP_ROLES = ['admin', 'lane_chief', 'inspector'];
const CASE_ROLES = ['admin', 'lane_chief', 'street_chief'];
const VENDOR_ROLES = ['admin', 'lane_chief'];
const PATROL_ROLES = ['admin', 'lane_chief', 'street_chief'];

// categoryName finds a category's name in the catalogue (kept on the device like the rest).
export async function categories() {
    const c = await cached('categories', '/api/v1/incident-categories').catch(() => null);
    return c?.doc?.categories || [];
}

export function categoryName(cats, code, lang) {
    const c = cats.find((x) => x.code === code);
    if (!c) return code;
    return lang === 'zh' ? c.name_zh : c.name_en;
}

// doneToday says which shops this device has inspected today (sent or waiting): {merchant id: true}.
export async function doneToday() {
    return (await kv.get(`inspected:${beijingDay()}`)) || {};
}

export class TodayScreen {
    constructor(app) {
        this.app = app;
        this.shops = null;
        this.cases = null;
        this.vendors = null;
        this.cats = [];
        this.fix = null;
        this.error = '';
        this.loadedAt = 0;
    }

    role() {
        return this.app.session.user.role;
    }

    stale() {
        this.loadedAt = 0;
    }

    queueChanged() {
        if (this.el?.isConnected) this.draw();
    }

    render(el) {
        this.el = el;
        this.draw();
        if (Date.now() - this.loadedAt > 60000) this.load();
    }

    async load() {
        this.loadedAt = Date.now();
        this.loading = true;
        this.error = '';
        this.draw();
        const user = this.app.session.user;
        const jobs = [categories().then((c) => (this.cats = c))];
        if (SHOP_ROLES.includes(user.role)) {
            // The server's list of the person's shops still due today, and of those done today (their
            // own, of the shops in scope), so that both show, nearest first.
            jobs.push(cachedWith('shops', async () => {
                if (!user.person_id) return {due: [], done: []};
                const due = await allFeatures('/api/v1/merchants?due=today');
                const all = await allFeatures('/api/v1/merchants?status=open');
                return {due: due.features, done: all.features.filter((f) => f.properties.inspected_today &&
                    f.properties.inspector_person_id === user.person_id)};
            }).then((r) => (this.shops = r)));
            jobs.push(currentFix({timeout: 8000}).then((f) => (this.fix = f), () => {}));
        }
        if (CASE_ROLES.includes(user.role)) {
            jobs.push(cachedWith('cases', async () => {
                const mine = user.person_id ? await getJSON(`/api/v1/incidents?status=${OPEN}&assignee=${user.person_id}&limit=50`) : {incidents: []};
                const scope = await getJSON(`/api/v1/incidents?status=${OPEN}&limit=50`);
                const seen = new Set(mine.incidents.map((i) => i.id));
                return {mine: mine.incidents, others: scope.incidents.filter((i) => !seen.has(i.id))};
            }).then((r) => (this.cases = r)));
        }
        if (VENDOR_ROLES.includes(user.role)) {
            jobs.push(cached('vendors', '/api/v1/vendors?status=active').then((r) => (this.vendors = r)));
        }
        if (PATROL_ROLES.includes(user.role) && user.person_id) {
            jobs.push(cached('patrols', `/api/v1/patrols?person=${user.person_id}&day=${beijingDay()}`).then((r) => (this.patrols = r)));
        }
        const results = await Promise.allSettled(jobs);
        const failed = results.find((r) => r.status === 'rejected');
        if (failed) this.error = t('today.failed', {detail: failed.reason?.message || ''});
        this.loading = false;
        if (this.el?.isConnected && this.app.tab === 'today') this.draw();
    }

    async draw() {
        const done = await doneToday();
        const waiting = new Set((await outbox.all()).filter((r) => r.kind === 'inspection').map((r) => r.merchant_id));
        const role = this.role();
        const kept = [this.shops, this.cases, this.vendors].filter(Boolean).find((r) => !r.fresh);
        replace(this.el,
            h('div', {class: 'row spread'},
                h('h2', {}, t('today.title'), h('small', {}, ` ${beijingDay()}`)),
                h('button', {type: 'button', class: 'secondary', id: 'today-refresh', onclick: () => this.load()},
                    this.loading ? t('today.loading') : t('today.refresh'))),
            kept && h('p', {class: 'hint', id: 'today-kept'}, t('today.kept', {at: dateTime(kept.at)})),
            this.error && h('p', {class: 'bad'}, this.error),
            this.patrolCard(),
            h('div', {class: 'actions'},
                h('button', {type: 'button', class: 'big', id: 'act-report', onclick: () => this.app.go('report')}, t('today.report')),
                VENDOR_ROLES.includes(role) || role === 'inspector' || role === 'street_chief'
                    ? h('button', {type: 'button', class: 'big', id: 'act-sighting', onclick: () => this.app.go('sighting')}, t('today.sighting')) : null),
            this.patrolList(),
            SHOP_ROLES.includes(role) && this.shopList(done, waiting),
            CASE_ROLES.includes(role) && this.caseList(),
            VENDOR_ROLES.includes(role) && this.vendorList());
    }

    patrolCard() {
        const p = this.app.patrol;
        if (!p.active()) return null;
        const s = p.summary();
        return h('button', {type: 'button', class: 'card patrol-card', id: 'today-patrol', onclick: () => this.app.go('patrol')},
            h('strong', {}, p.state.paused ? t('patrol.paused') : t('patrol.recording')),
            ` ${metres(s.distance)} · ${duration(s.duration)}`);
    }

    // patrolList is today's patrols as the server judged them, with the areas each was to cover.
    patrolList() {
        const list = this.patrols?.doc?.patrols;
        if (!list?.length) return null;
        const pct = (x) => `${Math.round(x * 100)}%`;
        return h('section', {id: 'patrols'},
            h('h3', {}, t('today.patrols'), h('small', {}, ` ${list.length}`)),
            h('ul', {class: 'list'}, list.map((p) => h('li', {class: 'item static', 'data-patrol': p.id},
                h('span', {class: 'main'}, `${time(p.started_at)} · ${metres(p.distance_m)} · ${duration(p.duration_s * 1000)}`,
                    h('small', {}, (p.areas || []).map((a) => `${a.name} ${pct(a.coverage)}`).join('、'))),
                h('span', {class: 'side'}, p.state !== 'ended' ? h('span', {class: 'tag'}, t(`patrolState.${p.state}`))
                    : h('span', {class: p.suspect ? 'tag bad' : 'tag done'}, p.suspect ? t('patrol.suspect') : t('patrol.credible')))))));
    }

    shopList(done, waiting) {
        if (!this.shops) return h('section', {}, h('h3', {}, t('today.shops')), h('p', {class: 'hint'}, t('today.loading')));
        const {due, done: doneByServer} = this.shops.doc;
        const rows = [...due.map((f) => ({f, state: waiting.has(f.id) ? 'waiting' : done[f.id] ? 'done' : 'todo'})),
            ...doneByServer.filter((f) => !due.some((d) => d.id === f.id)).map((f) => ({f, state: 'done'}))];
        for (const r of rows) r.d = this.fix ? distanceM(this.fix, {lon: r.f.geometry.coordinates[0], lat: r.f.geometry.coordinates[1]}) : null;
        rows.sort((a, b) => (a.state !== 'todo') - (b.state !== 'todo') || (a.d ?? 0) - (b.d ?? 0));
        const todo = rows.filter((r) => r.state === 'todo').length;
        return h('section', {id: 'shops'},
            h('h3', {}, t('today.shops'), h('small', {}, ` ${t('today.shopsCount', {todo, done: rows.length - todo})}`)),
            rows.length === 0 && h('p', {class: 'hint'}, t('today.noShops')),
            h('ul', {class: 'list'}, rows.map(({f, state, d}) => h('li', {},
                h('button', {type: 'button', class: `item ${state}`, 'data-merchant': f.id,
                    onclick: () => this.app.go('inspect', {id: f.id, name: f.properties.name, address: f.properties.address,
                        lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1]})},
                h('span', {class: 'main'}, f.properties.name, h('small', {}, f.properties.address || '')),
                h('span', {class: 'side'}, d != null && h('small', {}, metres(d)),
                    h('span', {class: `tag ${state}`}, t(`shop.${state}`))))))));
    }

    caseList() {
        if (!this.cases) return h('section', {}, h('h3', {}, t('today.cases')), h('p', {class: 'hint'}, t('today.loading')));
        const {mine, others} = this.cases.doc;
        const row = (c) => h('li', {class: 'item static', 'data-incident': c.id},
            h('span', {class: 'main'}, `${categoryName(this.cats, c.category, lang())}`,
                h('small', {}, c.place_text || c.description)),
            h('span', {class: 'side'}, h('small', {}, time(c.reported_at)), c.overdue && h('span', {class: 'tag bad'}, t('case.overdue')),
                h('span', {class: 'tag'}, t(`status.${c.status}`))));
        return h('section', {id: 'cases'},
            h('h3', {}, t('today.cases'), h('small', {}, ` ${t('today.casesCount', {mine: mine.length, others: others.length})}`)),
            mine.length === 0 && others.length === 0 && h('p', {class: 'hint'}, t('today.noCases')),
            mine.length > 0 && h('h4', {}, t('today.casesMine')),
            h('ul', {class: 'list'}, mine.map(row)),
            others.length > 0 && h('h4', {}, t('today.casesScope')),
            h('ul', {class: 'list'}, others.slice(0, 20).map(row)));
    }

    vendorList() {
        if (!this.vendors) return null;
        const list = this.vendors.doc.vendors || [];
        return h('section', {id: 'vendors'},
            h('h3', {}, t('today.vendors'), h('small', {}, ` ${list.length}`)),
            list.length === 0 && h('p', {class: 'hint'}, t('today.noVendors')),
            h('ul', {class: 'list'}, list.map((v) => h('li', {},
                h('button', {type: 'button', class: 'item', 'data-vendor': v.id, onclick: () => this.app.go('sighting', {vendor: v})},
                    h('span', {class: 'main'}, v.name, h('small', {}, [v.goods, v.zone?.name || v.zone_name].filter(Boolean).join(' · '))),
                    h('span', {class: 'side'}, h('span', {class: 'tag'}, t('vendor.sighted'))))))));
    }
}
