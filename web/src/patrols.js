// The patrols panel (巡查): who patrolled what on a day and which patrols are suspect — the day's
// report by person, area or community (GET /api/v1/patrols/report), the day's patrols with their
// verdicts in words, one opened on the map with the records made along it, and its void.
import './patrols.css';

import {api} from './api.js';
import {h, replace} from './dom.js';
import {formatPercent, t} from './i18n/index.js';
import {EVENT_COLORS, hidePatrol, showPatrol} from './patrols-layer.js';
import {verdictView} from './patrols-proof.js';

// Who may read patrols (the API's own list); an inspector reads only their own.
export const PATROL_ROLES = ['admin', 'district_leader', 'street_chief', 'lane_chief', 'inspector', 'assessor'];
// Who may void a patrol beside its own person (internal/patrols Void).
const VOID_ROLES = ['admin', 'street_chief'];

export function beijingDay(d = new Date()) {
    return new Date(d.getTime() + 8 * 3600e3).toISOString().slice(0, 10);
}

function hhmm(iso) {
    return iso ? new Date(new Date(iso).getTime() + 8 * 3600e3).toISOString().slice(11, 16) : '…';
}

// A patrol's GeoJSON names its UUID as the feature's id (and in its properties).
const patrolId = (f) => f?.id ?? f?.properties?.id;

const km = (m) => (Number(m) / 1000).toFixed(2);
const minutes = (s) => Math.round(Number(s) / 60);

export class PatrolsPanel {
    constructor(el, {map, session, toast, onVoided}) {
        this.el = el;
        this.map = map;
        this.onVoided = onVoided;
        this.session = session;
        this.toast = toast;
        this.day = beijingDay();
        this.by = 'person';
        this.stale = true;
        this.clear();
    }

    clear() {
        this.report = null;
        this.list = null;
        this.detail = null;
        this.error = '';
        this.units = null; // community id → name, read once
        this.stale = true;
        if (this.map.getSource?.('patrol-opened')) hidePatrol(this.map);
    }

    async load() {
        this.report = null;
        this.error = '';
        this.render();
        try {
            const [report, list] = await Promise.all([api.patrolReport({by: this.by, day: this.day}),
                api.patrols({day: this.day, limit: 500}), this.loadUnits()]);
            this.report = report;
            this.list = Array.isArray(list) ? list : list.patrols || [];
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    // loadUnits names the communities the list gives by id.
    async loadUnits() {
        if (this.units) return;
        const units = await api.adminUnits('community');
        this.units = new Map(units.map((u) => [u.id, u.properties?.name || '']));
    }

    set(key, value) {
        this[key] = value;
        this.load();
    }

    // route follows #patrols[/<id>]: the day's patrols, and the one opened on the map.
    route(id) {
        if (this.stale) {
            this.stale = false;
            this.load();
        }
        if (id && id !== patrolId(this.detail)) this.open(id);
        else if (id) showPatrol(this.map, this.detail);
        else if (this.detail) this.close();
    }

    async open(id) {
        try {
            this.detail = await api.patrol(id);
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail || e.message}), true);
            return;
        }
        this.render();
        showPatrol(this.map, this.detail);
    }

    close() {
        this.detail = null;
        hidePatrol(this.map);
        this.render();
    }

    // hideOnMap takes the opened track off the map when another tab is shown.
    hideOnMap() {
        hidePatrol(this.map);
    }

    async voidIt(id, reason) {
        if (!reason.trim()) return this.toast(t('patrols.voidReasonNeeded'), true);
        try {
            await api.voidPatrol(id, reason.trim());
            this.toast(t('patrols.voided'));
            this.onVoided?.();
            await this.load();
            await this.open(id);
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail || e.message}), true);
        }
    }

    mayVoid(p) {
        const user = this.session().user || {};
        // A list entry names its person_id; an opened patrol's properties its person.
        const person = p.person?.id ?? p.person_id;
        return p.state !== 'voided' && (VOID_ROLES.includes(user.role) || (user.person_id && user.person_id === person));
    }

    controls() {
        return h('div', {class: 'row wrap patrol-controls'},
            h('label', {for: 'patrol-day'}, t('patrols.day')),
            h('input', {type: 'date', id: 'patrol-day', value: this.day, max: beijingDay(),
                onchange: (e) => /^\d{4}-\d{2}-\d{2}$/.test(e.target.value) && this.set('day', e.target.value)}),
            h('label', {for: 'patrol-by'}, t('patrols.by')),
            h('select', {id: 'patrol-by', onchange: (e) => this.set('by', e.target.value)},
                ['person', 'area', 'community'].map((v) => h('option', {value: v, selected: this.by === v}, t(`patrols.by.${v}`)))));
    }

    reportTable() {
        const rows = this.report.rows || [];
        if (!rows.length) return h('p', {class: 'hint', id: 'patrol-report'}, t('patrols.noReport'));
        const cols = ['patrols', 'credible', 'suspect', 'km', 'minutes', 'coverage'];
        return h('div', {class: 'scroll'}, h('table', {class: 'overview', id: 'patrol-report'},
            h('thead', {}, h('tr', {}, h('th', {}, t(`patrols.by.${this.report.by || this.by}`)),
                cols.map((k) => h('th', {class: 'num'}, t(`patrols.col.${k}`))))),
            h('tbody', {}, rows.map((r) => h('tr', {dataset: {id: r.id}},
                h('td', {}, r.name || t('patrols.unnamed')), h('td', {class: 'num'}, r.patrols), h('td', {class: 'num'}, r.credible),
                h('td', {class: r.suspect ? 'num bad' : 'num'}, r.suspect), h('td', {class: 'num'}, Number(r.km).toFixed(2)),
                h('td', {class: 'num'}, Math.round(r.minutes)), h('td', {class: 'num'}, formatPercent(r.mean_coverage)))))));
    }

    who(p) {
        const unit = this.units?.get(p.community_id) || '';
        return [p.person_name || t('patrols.unnamed'), p.post ? t(`role.${p.post}`) : '', unit].filter(Boolean).join(' · ');
    }

    patrolList() {
        const list = this.list || [];
        if (!list.length) return h('p', {class: 'hint', id: 'patrol-list'}, t('patrols.none'));
        return h('ul', {class: 'results patrol-list', id: 'patrol-list'}, list.map((p) => h('li', {
            dataset: {patrol: p.id}, class: [p.suspect ? 'suspect' : '', p.state === 'voided' ? 'voided' : '', patrolId(this.detail) === p.id ? 'open' : ''].join(' ').trim() || null},
        h('div', {}, h('button', {type: 'button', class: 'link patrol-open', onclick: () => (location.hash = `#patrols/${p.id}`)}, this.who(p))),
        h('div', {class: 'muted'}, `${hhmm(p.started_at)}–${hhmm(p.ended_at)} · `,
            t('patrols.figures', {km: km(p.distance_m), min: minutes(p.duration_s), coverage: formatPercent(p.coverage)}),
            p.state !== 'ended' ? ` · ${t(`patrols.state.${p.state}`)}` : ''),
        p.state === 'voided' ? null : h('div', {}, verdictView(p.state === 'ended' ? {suspect: p.suspect, reasons: p.reasons} : null)))));
    }

    detailView() {
        const f = this.detail;
        const p = f.properties || {};
        const verdict = p.verdict ?? (p.state === 'ended' ? {suspect: p.suspect, reasons: p.reasons || []} : null);
        const person = p.person || {};
        const name = person.name || p.person_name || t('patrols.unnamed');
        const post = person.post || p.post;
        const events = p.events || [];
        const reason = h('input', {type: 'text', id: 'patrol-void-reason', maxlength: 500, placeholder: t('patrols.voidReason')});
        return h('section', {class: 'patrol-detail', id: 'patrol-detail', dataset: {patrol: patrolId(f)}},
            h('div', {class: 'row'}, h('h3', {}, [name, post ? t(`role.${post}`) : ''].filter(Boolean).join(' · ')),
                h('button', {type: 'button', class: 'secondary', id: 'patrol-close', onclick: () => (location.hash = '#patrols')}, t('patrols.close'))),
            h('p', {}, `${hhmm(p.started_at)}–${hhmm(p.ended_at)} · `,
                t('patrols.figures', {km: km(p.distance_m ?? p.stats?.DistanceM ?? 0), min: minutes(p.duration_s ?? 0), coverage: formatPercent(p.coverage)})),
            p.state === 'voided' ? h('p', {class: 'bad', id: 'patrol-voided'}, t('patrols.voidedBecause', {reason: p.void_reason || ''})) : verdictView(verdict),
            (p.areas || []).length ? h('ul', {class: 'results', id: 'patrol-areas'}, p.areas.map((a) => h('li', {dataset: {area: a.id}},
                `${a.name} `, h('span', {class: 'muted'}, t('patrols.areaCovered', {coverage: formatPercent(a.coverage)}))))) : null,
            h('h4', {}, t('patrols.events', {n: events.length})),
            events.length ? h('ul', {class: 'results', id: 'patrol-events'}, events.map((e) => h('li', {dataset: {kind: e.kind, id: e.id}},
                h('span', {class: 'dot', style: `background:${EVENT_COLORS[e.kind] || '#616161'}`}), ` ${hhmm(e.at)} `,
                e.kind === 'incident' ? h('a', {href: `#incidents/${e.id}`}, t('patrols.event.incident', {id: e.id})) : t(`patrols.event.${e.kind}`, {id: e.id}))))
                : h('p', {class: 'hint'}, t('patrols.noEvents')),
            this.mayVoid(p) ? h('div', {class: 'op-action patrol-void'}, reason,
                h('button', {type: 'button', class: 'danger', id: 'patrol-void', onclick: () => this.voidIt(patrolId(f), reason.value)}, t('patrols.void'))) : null);
    }

    render() {
        const title = h('div', {class: 'row'}, h('h2', {}, t('patrols.title')),
            h('button', {type: 'button', class: 'secondary', id: 'patrols-refresh', onclick: () => this.load()}, t('patrols.refresh')));
        if (this.error) return replace(this.el, title, this.controls(), h('p', {class: 'bad', id: 'patrols-error'}, this.error));
        if (!this.report) return replace(this.el, title, this.controls(), h('p', {class: 'hint'}, t('loading')));
        replace(this.el, title, this.controls(),
            this.detail ? this.detailView() : null,
            h('h3', {}, t('patrols.reportTitle', {from: this.report.from, to: this.report.to})), this.reportTable(),
            h('h3', {}, t('patrols.listTitle', {n: (this.list || []).length})), this.patrolList(),
            h('p', {class: 'hint'}, t('patrols.note')));
    }
}
