// The incidents panel: filters, the list (in step with the map's incident layers), and an incident's
// detail with photos, history and the moves the signed-in role may make (sent with the CSRF header).
import {api} from './api.js';
import {h, replace} from './dom.js';
import {formatTime, lang, t} from './i18n/index.js';
import {STATUS_COLORS} from './map-style.js';
import {actorText, eventText, person} from './event-text.js';
import {jointView} from './joint-case.js';

export const STATUSES = ['reported', 'assigned', 'in_progress', 'escalated', 'joint_enforcement', 'resolved', 'closed',
    'reopened', 'rejected', 'duplicate'];
export const OPEN = ['reported', 'assigned', 'in_progress', 'escalated', 'joint_enforcement', 'reopened'];

// The workflow as internal/incidents/workflow.go has it (Next, localMay, actorOf). The server decides;
// this only chooses which buttons to offer, so a stale copy costs a refused click, never a wrong move.
const NEXT = {
    reported: ['assigned', 'escalated', 'rejected', 'duplicate'],
    assigned: ['in_progress', 'escalated', 'rejected', 'duplicate'],
    in_progress: ['resolved', 'escalated', 'joint_enforcement', 'rejected', 'duplicate'],
    escalated: ['assigned', 'in_progress', 'joint_enforcement', 'resolved', 'rejected', 'duplicate'],
    joint_enforcement: ['resolved'],
    resolved: ['closed', 'reopened'],
    reopened: ['assigned', 'in_progress', 'escalated', 'rejected', 'duplicate'],
    closed: ['reopened'],
    rejected: ['reopened'],
    duplicate: ['reopened'],
};
const LOCAL_MAY = new Set(['assigned>in_progress', 'reopened>in_progress', 'in_progress>resolved', 'reported>escalated',
    'assigned>escalated', 'in_progress>escalated', 'reopened>escalated']);

function actorOf(user, inc) {
    const scope = user.scope || {};
    const has = (list, id) => (list || []).includes(id);
    switch (user.role) {
    case 'admin':
        return 'chief';
    case 'street_chief':
        if (inc.subdistrict_id && has(scope.subdistricts, inc.subdistrict_id)) return 'chief';
        break;
    case 'department_liaison':
        if (inc.status === 'joint_enforcement' && has(scope.subdistricts, inc.subdistrict_id) &&
            (inc.department_ids || []).some((d) => has(scope.departments, d))) return 'liaison';
        break;
    case 'lane_chief':
        if (inc.community_id && has(scope.communities, inc.community_id)) return 'local';
        break;
    case 'district_leader':
        return 'nobody';
    }
    return user.person_id && user.person_id === inc.assignee_person_id ? 'local' : 'nobody';
}

// VERIFIERS check a resolved incident (核查) before it closes; the server refuses whoever resolved it.
const VERIFIERS = ['inspector', 'street_chief', 'district_leader', 'admin'];

export function allowedMoves(user, inc) {
    if (inc.status === 'resolved') return VERIFIERS.includes(user.role) ? ['verify'] : [];
    const a = actorOf(user, inc);
    return (NEXT[inc.status] || []).filter((to) => a === 'chief' ||
        (a === 'local' && LOCAL_MAY.has(`${inc.status}>${to}`)) ||
        (a === 'liaison' && inc.status === 'joint_enforcement' && to === 'resolved'))
        // the street chief is where escalation goes: not offered to a street chief
        .filter((to) => !(to === 'escalated' && user.role === 'street_chief'));
}

// cityDay turns a YYYY-MM-DD picked in the city into the RFC 3339 instant its day starts (plus days).
function cityDay(d, plusDays = 0) {
    if (!d) return '';
    const start = new Date(`${d}T00:00:00+08:00`);
    return new Date(start.getTime() + plusDays * 86400000).toISOString().replace('.000Z', 'Z');
}

const emptyFilter = () => ({status: 'open', category: '', subdistrict: '', from: '', to: '', overdue: '', awaiting: false});

export class IncidentsPanel {
    constructor(el, {mapView, session, toast}) {
        this.el = el;
        this.mapView = mapView;
        this.session = session; // () → the session answer
        this.toast = toast;
        this.filter = emptyFilter();
        this.list = [];
        this.next = 0;
        this.loading = false;
        this.detail = null;
        this.detailError = '';
        this.categories = [];
        this.departments = [];
        this.subdistricts = [];
    }

    async start(subdistricts) {
        this.subdistricts = subdistricts;
        [this.categories, this.departments] = await Promise.all([api.categories(), api.departments().catch(() => [])]);
        this.syncMap();
        await this.load();
    }

    categoryName(code) {
        const c = this.categories.find((x) => x.code === code);
        return c ? (lang() === 'zh' ? c.name_zh : c.name_en) : code;
    }

    // statusParam is what both the list and the tiles get: 'open' and 'all' spelled out, so the
    // tiles (which default to open incidents) show what the list shows.
    statusParam() {
        if (this.filter.status === 'open') return OPEN.join(',');
        if (this.filter.status === '') return STATUSES.join(',');
        return this.filter.status;
    }

    params() {
        const f = this.filter;
        return {status: this.statusParam(), category: f.category, subdistrict: f.subdistrict, overdue: f.overdue,
            from: cityDay(f.from), to: cityDay(f.to, 1)};
    }

    syncMap() {
        this.mapView.setIncidentFilter(this.params());
    }

    async load(more = false) {
        this.loading = true;
        this.render();
        try {
            // Cases awaiting a department's acknowledgement: the list only, the map's tiles know no such filter.
            const page = await api.incidents({...this.params(), awaiting_ack: this.filter.awaiting ? 'true' : undefined,
                limit: 100, before: more ? this.next : undefined});
            this.list = more ? this.list.concat(page.incidents) : page.incidents;
            this.next = page.next || 0;
            this.listError = '';
        } catch (e) {
            this.listError = t('error.generic', {detail: e.detail});
        }
        this.loading = false;
        this.render();
    }

    setFilter(key, value) {
        this.filter[key] = value;
        this.syncMap();
        this.load();
    }

    async open(id) {
        this.detail = {id, loading: true};
        this.detailError = '';
        this.render();
        try {
            this.detail = await api.incident(id);
            this.mapView.flyToIncident(this.detail);
        } catch (e) {
            this.detail = {id, missing: true};
            this.detailError = t('error.generic', {detail: e.detail});
        }
        this.render();
    }

    close() {
        this.detail = null;
        this.render();
    }

    render() {
        if (this.detail) replace(this.el, this.detailView());
        else replace(this.el, this.filtersView(), this.listView());
    }

    filtersView() {
        const f = this.filter;
        const select = (key, options, label) => h('label', {}, label,
            h('select', {id: `filter-${key}`, onchange: (e) => this.setFilter(key, e.target.value)},
                options.map(([v, text]) => h('option', {value: v, selected: String(f[key]) === String(v)}, text))));
        const date = (key) => h('label', {}, t(`incidents.${key}`),
            h('input', {type: 'date', id: `filter-${key}`, value: f[key], onchange: (e) => this.setFilter(key, e.target.value)}));
        return h('section', {class: 'filters'},
            h('h2', {}, t('incidents.filters')),
            h('div', {class: 'filter-grid'},
                select('status', [['open', t('status.open')], ['', t('status.all')], ...STATUSES.map((s) => [s, t(`status.${s}`)])], t('incidents.title')),
                select('category', [['', t('incidents.allCategories')], ...this.categories.map((c) => [c.code, (c.parent ? '\u3000' : '') + this.categoryName(c.code)])], t('incidents.category')),
                select('subdistrict', [['', t('incidents.allSubdistricts')], ...this.subdistricts.map((u) => [u.id, u.properties.name])], t('incidents.subdistrict')),
                select('overdue', [['', t('incidents.overdueAll')], ['true', t('incidents.overdueYes')], ['false', t('incidents.overdueNo')]], t('incidents.overdue')),
                date('from'), date('to'),
                ['department_liaison', 'street_chief', 'admin'].includes(this.session()?.user?.role) && h('label', {class: 'check'},
                    h('input', {type: 'checkbox', id: 'filter-awaiting', checked: f.awaiting,
                        onchange: (e) => this.setFilter('awaiting', e.target.checked)}), ` ${t('joint.awaitingFilter')}`)),
            h('div', {class: 'row'},
                h('button', {type: 'button', class: 'secondary', onclick: () => {
                    this.filter = emptyFilter();
                    this.syncMap();
                    this.load();
                }}, t('incidents.reset')),
                h('span', {class: 'hint'}, t('incidents.mapNote'))));
    }

    listView() {
        if (this.listError) return h('p', {class: 'bad'}, this.listError);
        const items = this.list.map((inc) => h('li', {},
            h('button', {type: 'button', class: 'incident-item', dataset: {incident: inc.id}, onclick: () => this.open(inc.id)},
                h('span', {class: 'status-dot', style: `background:${STATUS_COLORS[inc.status]}`}),
                h('span', {class: 'incident-main'},
                    h('span', {class: 'incident-title'}, `#${inc.id} ${this.categoryName(inc.category)}`),
                    h('span', {class: 'muted'}, `${t(`status.${inc.status}`)} · ${formatTime(inc.reported_at)}`),
                    inc.place_text && h('span', {class: 'muted incident-place'}, inc.place_text),
                    inc.description && h('span', {class: 'incident-desc'}, inc.description)),
                inc.overdue && h('span', {class: 'badge bad'}, t('incidents.overdueBadge')))));
        return h('section', {class: 'incident-list'},
            h('p', {class: 'hint', id: 'incident-count'}, this.loading ? t('loading') : (this.list.length ? t(this.next ? 'incidents.countMore' : 'incidents.count', {n: this.list.length}) : t('incidents.empty'))),
            h('ul', {id: 'incident-list'}, items),
            this.next && !this.loading ? h('button', {type: 'button', class: 'secondary', onclick: () => this.load(true)}, t('incidents.more')) : null);
    }

    detailView() {
        const d = this.detail;
        const back = h('button', {type: 'button', class: 'secondary', id: 'incident-back', onclick: () => this.close()}, `← ${t('incidents.back')}`);
        if (d.loading) return h('section', {}, back, h('p', {class: 'hint'}, t('loading')));
        if (d.missing) return h('section', {}, back, h('p', {class: 'bad', id: 'incident-error'}, this.detailError));
        const deptName = (id) => this.departments.find((x) => x.id === id)?.name || `#${id}`;
        const row = (key, value) => value != null && value !== '' && h('tr', {}, h('th', {}, t(key)), h('td', {}, value));
        const photos = new Set();
        for (const e of d.events || []) for (const n of e.photos || []) photos.add(n);
        if (!photos.size) for (let n = 1; n <= (d.photos || 0); n++) photos.add(n);
        return h('section', {class: 'incident-detail', dataset: {incident: d.id}},
            back,
            h('h2', {}, `#${d.id} ${this.categoryName(d.category)} `,
                h('span', {class: 'badge', id: 'incident-status', dataset: {status: d.status}, style: `background:${STATUS_COLORS[d.status]}`}, t(`status.${d.status}`)),
                d.overdue && h('span', {class: 'badge bad'}, t('incidents.overdueBadge'))),
            h('table', {class: 'fields'}, h('tbody', {},
                row('incidents.place', d.place_text),
                row('incidents.reportedAt', formatTime(d.reported_at)),
                row('incidents.dueAt', d.due_at ? formatTime(d.due_at) : null),
                row('incidents.assignee', d.assignee_name),
                row('incidents.queue', t(`queue.${d.queue}`)),
                row('incidents.level', t(`levelOf.${d.escalation_level}`)),
                row('incidents.departments', (d.department_ids || []).length ? d.department_ids.map(deptName).join('、') : null),
                row('incidents.source', t(`source.${d.source}`)),
                d.outside_jurisdiction && row('incidents.outside', '✓'))),
            d.description && h('p', {class: 'description'}, d.description),
            h('button', {type: 'button', class: 'link', onclick: () => this.mapView.flyToIncident(d)}, t('incidents.locate')),
            h('h3', {}, t('incidents.photos')),
            photos.size ? h('div', {class: 'photos'}, [...photos].map((n) => h('a', {href: api.photoURL(d.id, n), target: '_blank', rel: 'noopener'},
                h('img', {src: api.photoURL(d.id, n), alt: `${t('incidents.photos')} ${n}`, loading: 'lazy'}))))
                : h('p', {class: 'hint'}, t('incidents.noPhotos')),
            jointView(d, this.session()?.user, {toast: this.toast, departments: this.departments, changed: (next) => {
                this.detail = next;
                this.render();
            }}),
            this.actionsView(d),
            h('h3', {}, t('incidents.history')),
            h('ol', {class: 'history'}, (d.events || []).map((e) => h('li', {},
                h('span', {class: 'muted'}, formatTime(e.at)), ' ',
                h('strong', {}, t(`event.${e.kind}`)),
                e.to && ` ${e.from ? `${t(`status.${e.from}`)} → ` : ''}${t(`status.${e.to}`)}`,
                h('span', {class: 'muted'}, ` · ${actorText(e)}`),
                eventText(e) && h('div', {class: 'event-text'}, eventText(e)),
                (e.department_ids || []).length ? h('div', {class: 'muted'}, e.department_ids.map(deptName).join('、')) : null,
                e.note && h('div', {class: 'note'}, e.note)))),
            (d.told || []).length ? [h('h3', {}, t('incidents.told')),
                h('ul', {class: 'told'}, d.told.map((n) => h('li', {class: n.read_at ? 'read' : 'unread'},
                    h('span', {class: 'muted'}, formatTime(n.at)), ' ', n.person_name, ' · ', t(`told.${n.kind}`), ' · ',
                    n.read_at ? t('told.readAt', {time: formatTime(n.read_at)}) : h('strong', {}, t('told.unread')))))] : null);
    }

    actionsView(d) {
        const user = this.session()?.user;
        const moves = user ? allowedMoves(user, d) : [];
        if (!moves.length) return h('p', {class: 'hint', id: 'incident-actions'}, t('action.none'));
        const cat = this.categories.find((c) => c.code === d.category);
        const note = h('textarea', {id: 'action-note', rows: 2, placeholder: t('action.note'), 'aria-label': t('action.note')});
        const depts = moves.includes('joint_enforcement') && h('fieldset', {class: 'departments'},
            h('legend', {}, t('action.departments')),
            this.departments.map((dep) => h('label', {},
                h('input', {type: 'checkbox', value: dep.code, checked: (cat?.departments || []).includes(dep.code)}), ` ${dep.name}`)));
        const dup = moves.includes('duplicate') && h('label', {}, t('action.duplicateOf'), ' ',
            h('input', {type: 'number', id: 'action-duplicate', min: 1, value: d.likely_duplicate_of || ''}));
        const assignee = moves.includes('assigned') && h('label', {}, t('action.assignee'), ' ',
            h('select', {id: 'action-assignee'}, h('option', {value: ''}, t('action.assigneeAuto'))));
        if (assignee) {
            api.dispatchCandidates(d.id).then((r) => assignee.querySelector('select').append(...(r.candidates || []).map((c) =>
                h('option', {value: c.person_id}, `${person({...c, person_name: c.name})}（${t('action.load', {n: c.open_load})}）`))))
                .catch(() => { /* the automatic routing is still offered */ });
        }
        const verify = async (outcome, button) => {
            const body = {outcome, note: note.value.trim()};
            if (outcome === 'failed' && !body.note) {
                this.toast(t('action.failedNeedsNote'), true);
                note.focus();
                return;
            }
            button.disabled = true;
            try {
                this.detail = await api.verify(d.id, body);
                this.toast(t('action.done', {id: d.id, status: t(`status.${this.detail.status}`)}));
                this.mapView.refreshIncidents();
                this.render();
            } catch (e) {
                button.disabled = false;
                this.toast(t('action.failed', {detail: e.detail}), true);
            }
        };
        if (moves.includes('verify')) {
            return h('div', {class: 'actions', id: 'incident-actions'}, h('h3', {}, t('action.verify')), note,
                h('div', {class: 'row wrap'},
                    h('button', {type: 'button', class: 'primary', dataset: {to: 'closed'}, onclick: (e) => verify('confirmed', e.currentTarget)}, t('action.verifyConfirmed')),
                    h('button', {type: 'button', class: 'danger', dataset: {to: 'reopened'}, onclick: (e) => verify('failed', e.currentTarget)}, t('action.verifyFailed'))));
        }
        const act = async (to, button) => {
            const body = {to, note: note.value.trim()};
            if (to === 'assigned' && assignee) body.assignee_person_id = Number(assignee.querySelector('select').value) || 0;
            if (to === 'rejected' && !body.note) {
                this.toast(t('action.noteRequired'), true);
                note.focus();
                return;
            }
            if (to === 'joint_enforcement' && depts) {
                body.departments = [...depts.querySelectorAll('input:checked')].map((i) => i.value);
            }
            if (to === 'duplicate' && dup) body.duplicate_of = Number(dup.querySelector('input').value) || 0;
            button.disabled = true;
            try {
                this.detail = await api.transition(d.id, body);
                this.toast(t('action.done', {id: d.id, status: t(`status.${to}`)}));
                const i = this.list.findIndex((x) => x.id === d.id);
                if (i >= 0) this.list[i] = {...this.list[i], ...this.detail};
                this.mapView.refreshIncidents();
                this.render();
            } catch (e) {
                button.disabled = false;
                this.toast(t('action.failed', {detail: e.detail}), true);
            }
        };
        return h('div', {class: 'actions', id: 'incident-actions'},
            h('h3', {}, t('action.title')), note, assignee, depts, dup,
            h('div', {class: 'row wrap'}, moves.map((to) => h('button', {type: 'button', class: to === 'rejected' ? 'danger' : 'primary',
                dataset: {to}, onclick: (e) => act(to, e.currentTarget)}, t(`action.${to}`)))));
    }
}
