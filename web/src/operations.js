// The joint operations panel (联合执法行动): a month's calendar and list of the operations in the
// caller's scope with their state; an operation's page with its departments, people, targets (on the
// map too), cases, outcome and printable report; and, for the street chief and administrators, the
// forms to plan one, cancel it, link a case opened on the spot and record its outcome.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {formatTime, t} from './i18n/index.js';

// Who may read operations, and who plans them (the API's own rules).
export const OPERATION_ROLES = ['admin', 'district_leader', 'street_chief', 'lane_chief', 'department_liaison'];
const PLANNERS = ['admin', 'street_chief'];
const OPEN_STATUSES = 'reported,assigned,in_progress,escalated,joint_enforcement,reopened';
const DEALINGS = ['rectified_on_spot', 'fined', 'order_issued', 'no_one_present'];

const beijing = (d) => new Date(d.getTime() + 8 * 3600e3).toISOString();
const thisMonth = () => beijing(new Date()).slice(0, 7);
const shiftMonth = (m, n) => {
    const [y, mo] = m.split('-').map(Number);
    const d = new Date(Date.UTC(y, mo - 1 + n, 1));
    return d.toISOString().slice(0, 7);
};
// localInput is a time as a datetime-local field shows it, in Beijing time.
const localInput = (d) => beijing(d).slice(0, 16);
const fromLocal = (v) => new Date(`${v}:00+08:00`).toISOString();

const badge = (state) => h('span', {class: `badge op-state op-${state}`}, t(`operations.state.${state}`));

export class OperationsPanel {
    constructor(el, {map, session, subdistricts, toast}) {
        this.el = el;
        this.map = map;
        this.session = session;
        this.subdistricts = subdistricts;
        this.toast = toast;
        this.month = thisMonth();
        this.calendar = null;
        this.detail = null;
        this.form = null;
        this.error = '';
    }

    planner() {
        return PLANNERS.includes(this.session().user?.role);
    }

    clear() {
        this.calendar = null;
        this.detail = null;
        this.form = null;
        this.hideOnMap();
    }

    async load() {
        this.error = '';
        try {
            this.calendar = await api.operationCalendar(this.month);
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    async showMonth(n) {
        this.month = shiftMonth(this.month, n);
        await this.load();
    }

    async open(id) {
        this.form = null;
        try {
            this.detail = await api.operation(id);
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail || e.message}), true);
            this.detail = null;
        }
        this.render();
    }

    close() {
        this.detail = null;
        this.form = null;
        this.hideOnMap();
        this.render();
    }

    render() {
        if (this.form) return replace(this.el, this.planForm());
        if (this.detail) return replace(this.el, this.detailView(this.detail));
        return replace(this.el, this.calendarView());
    }

    calendarView() {
        const cal = this.calendar;
        const head = h('div', {class: 'op-head'}, h('h2', {}, t('operations.title')),
            this.planner() && h('button', {type: 'button', id: 'operation-plan', onclick: () => this.startPlan()}, t('operations.plan')));
        if (this.error) return [head, h('p', {class: 'bad'}, this.error)];
        if (!cal) return [head, h('p', {class: 'muted'}, t('operations.loading'))];
        const nav = h('div', {class: 'op-month'},
            h('button', {type: 'button', class: 'secondary', id: 'operation-prev', onclick: () => this.showMonth(-1)}, t('operations.prev')),
            h('strong', {id: 'operation-month'}, cal.month),
            h('button', {type: 'button', class: 'secondary', id: 'operation-next', onclick: () => this.showMonth(1)}, t('operations.next')));
        const [y, m] = cal.month.split('-').map(Number);
        const lead = (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7; // Monday first
        const cells = [...Array(lead)].map(() => h('div', {class: 'op-day empty'}));
        const seen = new Map();
        for (const d of cal.days) {
            for (const op of d.operations) seen.set(op.id, op);
            cells.push(h('div', {class: 'op-day', dataset: {date: d.date}}, h('span', {class: 'op-date'}, String(Number(d.date.slice(8)))),
                d.operations.map((op) => h('button', {type: 'button', class: `op-chip op-${op.state}`, title: op.title,
                    dataset: {operation: op.id}, onclick: () => (location.hash = `#operations/${op.id}`)}, op.title))));
        }
        const grid = h('div', {class: 'op-calendar', id: 'operation-calendar'},
            [1, 2, 3, 4, 5, 6, 7].map((n) => h('div', {class: 'op-weekday'}, t(`operations.weekday.${n}`))), cells);
        const ops = [...seen.values()].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
        const list = h('table', {class: 'overview', id: 'operation-list'},
            h('thead', {}, h('tr', {}, ['when', 'name', 'subdistrict', 'state'].map((k) => h('th', {}, t(`operations.${k}`))))),
            h('tbody', {}, ops.map((op) => h('tr', {dataset: {operation: op.id}},
                h('td', {}, formatTime(op.starts_at)),
                h('td', {}, h('a', {href: `#operations/${op.id}`}, op.title)),
                h('td', {}, op.subdistrict_name), h('td', {}, badge(op.state))))));
        return [head, nav, grid, ops.length ? list : h('p', {class: 'muted'}, t('operations.none'))];
    }

    detailView(op) {
        const section = (key, ...body) => h('section', {class: 'op-section'}, h('h3', {}, t(`operations.${key}`)), ...body);
        const actions = [];
        if (this.planner() && ['planned', 'under_way', 'outcome_overdue'].includes(op.state)) actions.push(this.cancelForm(op));
        if (this.planner() && op.state !== 'cancelled' && op.state !== 'planned') actions.push(this.caseForm(op));
        if (this.planner() && ['under_way', 'outcome_overdue', 'done'].includes(op.state)) actions.push(this.outcomeForm(op));
        return h('div', {id: 'operation-detail', class: 'op-detail', dataset: {operation: op.id, state: op.state}},
            h('button', {type: 'button', class: 'secondary', id: 'operation-back', onclick: () => (location.hash = '#operations')}, t('operations.back')),
            h('h2', {}, op.title, ' ', badge(op.state)),
            h('p', {}, `${formatTime(op.starts_at)} – ${formatTime(op.ends_at)} · ${op.subdistrict_name} · ${t(`operations.kind.${op.kind}`)}`),
            op.cancel_reason && h('p', {class: 'bad'}, t('operations.cancelled', {reason: op.cancel_reason})),
            h('p', {}, h('a', {href: `/api/v1/operations/${op.id}/report`, target: '_blank', id: 'operation-report'}, t('operations.report')),
                ' ', h('button', {type: 'button', class: 'secondary', id: 'operation-on-map', onclick: () => this.showOnMap(op)}, t('operations.onMap'))),
            section('departments', h('p', {}, op.departments.map((d) => d.name).join('、'))),
            section('people', h('table', {class: 'overview', id: 'operation-people'}, h('tbody', {}, op.people.map((p) =>
                h('tr', {}, h('td', {}, p.name), h('td', {}, t(`operations.role.${p.role}`)), h('td', {}, p.phone || '')))))),
            op.briefing && section('briefing', h('p', {class: 'op-briefing'}, op.briefing)),
            section('targets',
                op.areas.length > 0 && h('p', {}, `${t('operations.areas')}${t('colon')}${op.areas.map((a) => a.name).join('、')}`),
                op.target_shops.length > 0 && h('table', {class: 'overview', id: 'operation-shops'}, h('tbody', {}, op.target_shops.map((s) =>
                    h('tr', {dataset: {merchant: s.id}}, h('td', {}, s.name, s.repeat_offender && h('span', {class: 'badge bad'}, t('operations.repeat'))),
                        h('td', {}, s.dealt ? t(`operations.dealt.${s.dealt}`) : '—'))))),
                op.cases_linked.length > 0 && h('ul', {id: 'operation-cases'}, op.cases_linked.map((c) => h('li', {},
                    h('a', {href: `#incidents/${c.incident_id}`}, `#${c.incident_id}`), ' ', t(`operations.how.${c.how}`), ' · ',
                    t(`status.${c.status}`))))),
            section('outcome', h('p', {id: 'operation-counts'}, t('operations.counts', {total: op.case_counts.total,
                closed: op.case_counts.closed, open: op.case_counts.open, spot: op.case_counts.opened_on_spot})),
            op.outcome ? h('div', {id: 'operation-outcome'}, h('p', {}, op.outcome.notes),
                op.outcome.photos.length > 0 && h('p', {class: 'op-photos'}, op.outcome.photos.map((src) =>
                    h('a', {href: src, target: '_blank'}, h('img', {src, alt: t('operations.photos'), height: 64})))),
                h('p', {class: 'muted'}, t('operations.recorded', {by: op.outcome.recorded_by, at: formatTime(op.outcome.recorded_at)})),
                op.outcome.reason && h('p', {class: 'muted'}, t('operations.correction', {reason: op.outcome.reason})))
                : h('p', {class: 'muted'}, t('operations.noOutcome'))),
            op.revisions.length > 0 && section('revisions', h('ul', {}, op.revisions.map((r) => h('li', {}, `${formatTime(r.revised_at)} ${r.reason}`)))),
            actions);
    }

    cancelForm(op) {
        const reason = h('input', {id: 'operation-cancel-reason', placeholder: t('operations.reason')});
        return h('div', {class: 'op-action'}, reason, h('button', {type: 'button', class: 'secondary', id: 'operation-cancel',
            onclick: () => this.act(() => api.cancelOperation(op.id, reason.value))}, t('operations.cancel')));
    }

    caseForm(op) {
        const id = h('input', {id: 'operation-case-id', type: 'number', min: '1', placeholder: t('operations.caseId')});
        return h('div', {class: 'op-action'}, id, h('button', {type: 'button', class: 'secondary', id: 'operation-link-case',
            onclick: () => this.act(() => api.linkOperationCase(op.id, Number(id.value)))}, t('operations.linkCase')));
    }

    outcomeForm(op) {
        const selects = op.target_shops.map((s) => h('select', {dataset: {merchant: s.id}, 'aria-label': s.name},
            h('option', {value: ''}, '—'), DEALINGS.map((d) => h('option', {value: d, selected: s.dealt === d}, t(`operations.dealt.${d}`)))));
        const notes = h('textarea', {id: 'operation-notes', rows: 3, placeholder: t('operations.notes')}, op.outcome?.notes || '');
        const reason = op.outcome && h('input', {id: 'operation-outcome-reason', placeholder: t('operations.correctionReason')});
        const files = h('input', {type: 'file', id: 'operation-photos', accept: 'image/jpeg,image/png,image/webp', multiple: true,
            'aria-label': t('operations.photos')});
        const read = (file) => new Promise((resolve, reject) => {
            const r = new FileReader();
            r.onload = () => resolve(r.result);
            r.onerror = () => reject(r.error);
            r.readAsDataURL(file);
        });
        const submit = () => this.act(async () => api.recordOperationOutcome(op.id, {notes: notes.value, reason: reason ? reason.value : '',
            shops: selects.filter((s) => s.value).map((s) => ({merchant_id: Number(s.dataset.merchant), dealt: s.value})),
            photos: await Promise.all([...files.files].map(read))}));
        return h('form', {class: 'op-action', id: 'operation-outcome-form', onsubmit: (e) => (e.preventDefault(), submit())},
            h('h3', {}, t(op.outcome ? 'operations.correct' : 'operations.recordOutcome')),
            op.target_shops.map((s, i) => h('label', {class: 'op-shop'}, h('span', {}, s.name), selects[i])),
            notes, reason, h('label', {class: 'op-field'}, h('span', {}, t('operations.photos')), files),
            h('button', {type: 'submit', id: 'operation-outcome-submit'}, t('operations.save')));
    }

    async act(fn) {
        try {
            this.detail = await fn();
            this.toast(t('operations.saved'));
            this.calendar = null;
            this.render();
            api.operationCalendar(this.month).then((c) => (this.calendar = c)).catch(() => {});
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail || e.message}), true);
        }
    }

    async showOnMap(op) {
        const point = (x) => ({type: 'Feature', geometry: {type: 'Point', coordinates: [x.lon, x.lat]}, properties: {}});
        const features = [...op.target_shops.map(point), ...op.cases_linked.map(point)];
        if (op.target_area) features.push({type: 'Feature', geometry: op.target_area, properties: {}});
        for (const a of op.areas) {
            const f = await api.area(a.id).catch(() => null);
            if (f?.geometry) features.push({type: 'Feature', geometry: f.geometry, properties: {}});
        }
        this.hideOnMap();
        if (!features.length) return;
        this.map.addSource('operation-targets', {type: 'geojson', data: {type: 'FeatureCollection', features}});
        this.map.addLayer({id: 'operation-targets-fill', type: 'fill', source: 'operation-targets', filter: ['!=', ['geometry-type'], 'Point'],
            paint: {'fill-color': '#e53935', 'fill-opacity': 0.2}});
        this.map.addLayer({id: 'operation-targets-point', type: 'circle', source: 'operation-targets', filter: ['==', ['geometry-type'], 'Point'],
            paint: {'circle-color': '#e53935', 'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5}});
        const positions = (c) => (typeof c[0] === 'number' ? [c] : c.flatMap(positions));
        const pts = features.flatMap((f) => positions(f.geometry.coordinates));
        const xs = pts.map((p) => p[0]);
        const ys = pts.map((p) => p[1]);
        this.map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], {padding: 60, maxZoom: 17, duration: 0});
    }

    hideOnMap() {
        for (const id of ['operation-targets-fill', 'operation-targets-point']) if (this.map.getLayer(id)) this.map.removeLayer(id);
        if (this.map.getSource('operation-targets')) this.map.removeSource('operation-targets');
    }

    async startPlan() {
        const scope = this.session().user?.scope || {};
        const subs = this.subdistricts().filter((u) => scope.all || (scope.subdistricts || []).includes(u.id));
        const start = new Date(Date.now() + 24 * 3600e3);
        start.setUTCMinutes(0, 0, 0);
        this.form = {subs, departments: [], offenders: [], cases: [], people: [], found: [], sel: {}, areas: [],
            sub: subs[0]?.id, starts: localInput(start), ends: localInput(new Date(start.getTime() + 3 * 3600e3))};
        this.detail = null;
        this.render();
        try {
            this.form.departments = await api.departments();
            await this.loadTargets();
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail || e.message}), true);
        }
    }

    async loadTargets() {
        const f = this.form;
        const [offenders, cases] = await Promise.all([api.repeatOffenders().catch(() => []),
            api.incidents({subdistrict: f.sub, status: OPEN_STATUSES, limit: 50}).then((d) => d.incidents)]);
        f.offenders = offenders.filter((o) => o.subdistrict_id === f.sub);
        f.cases = cases;
        f.sel['op-merchant'] = new Set();
        f.sel['op-case'] = new Set();
        this.render();
    }

    planForm() {
        const f = this.form;
        const field = (key, input) => h('label', {class: 'op-field'}, h('span', {}, t(`operations.${key}`)), input);
        // What is ticked lives in the form's state: a search re-renders the form.
        const checks = (name, items, label) => {
            const sel = (f.sel[name] ||= new Set());
            return h('div', {class: 'op-checks', id: name}, items.map((x) => h('label', {},
                h('input', {type: 'checkbox', name, value: x.id, checked: sel.has(x.id),
                    onchange: (e) => (e.target.checked ? sel.add(x.id) : sel.delete(x.id))}), label(x))));
        };
        const person = h('input', {id: 'op-person-q', placeholder: t('operations.personSearch')});
        const search = async () => {
            const d = await api.people(person.value);
            f.found = d;
            this.render();
        };
        const areaQ = h('input', {id: 'op-area-q', placeholder: t('operations.areaSearch')});
        const searchAreas = async () => {
            const found = (await api.areasNamed(areaQ.value)).filter((a) => a.properties?.subdistrict_id === f.sub);
            const ticked = f.areas.filter((a) => f.sel['op-area']?.has(a.id));
            f.areas = [...ticked, ...found.filter((a) => !ticked.some((x) => x.id === a.id))];
            this.render();
        };
        return h('form', {id: 'operation-form', class: 'op-form', onsubmit: (e) => (e.preventDefault(), this.submitPlan())},
            h('h2', {}, t('operations.plan')),
            field('name', h('input', {id: 'op-title', required: true, value: f.title || '', oninput: (e) => (f.title = e.target.value)})),
            field('kindLabel', h('select', {id: 'op-kind', onchange: (e) => (f.kind = e.target.value)},
                ['planned', 'short_notice'].map((k) => h('option', {value: k, selected: f.kind === k}, t(`operations.kind.${k}`))))),
            field('subdistrict', h('select', {id: 'op-subdistrict', onchange: (e) => ((f.sub = Number(e.target.value)), this.loadTargets())},
                f.subs.map((u) => h('option', {value: u.id, selected: u.id === f.sub}, u.properties?.name || u.name)))),
            field('starts', h('input', {id: 'op-starts', type: 'datetime-local', value: f.starts, oninput: (e) => (f.starts = e.target.value)})),
            field('ends', h('input', {id: 'op-ends', type: 'datetime-local', value: f.ends, oninput: (e) => (f.ends = e.target.value)})),
            h('h3', {}, t('operations.departments')), checks('op-dept', f.departments, (d) => d.name),
            h('h3', {}, t('operations.people')),
            h('div', {class: 'op-action'}, person, h('button', {type: 'button', class: 'secondary', id: 'op-person-search', onclick: search}, t('operations.search'))),
            h('ul', {id: 'op-found'}, f.found.map((p) => h('li', {}, p.name, ['commander', 'member'].map((role) =>
                h('button', {type: 'button', class: 'secondary', dataset: {person: p.id, role}, onclick: () => {
                    f.people = [...f.people.filter((x) => x.person_id !== p.id), {person_id: p.id, name: p.name, role}];
                    this.render();
                }}, t(`operations.role.${role}`)))))),
            h('ul', {id: 'op-people'}, f.people.map((p) => h('li', {}, `${p.name} · ${t(`operations.role.${p.role}`)}`))),
            h('h3', {}, t('operations.targets')),
            h('h4', {}, t('operations.repeatOffenders')), checks('op-merchant', f.offenders.map((o) => ({...o, id: o.merchant_id})), (o) => o.name),
            h('h4', {}, t('operations.areas')),
            h('div', {class: 'op-action'}, areaQ, h('button', {type: 'button', class: 'secondary', id: 'op-area-search', onclick: searchAreas}, t('operations.search'))),
            checks('op-area', f.areas, (a) => a.properties?.name || a.id),
            h('h4', {}, t('operations.openCases')), checks('op-case', f.cases, (c) => `#${c.id} ${c.place_text || ''}`),
            field('briefing', h('textarea', {id: 'op-briefing', rows: 3, oninput: (e) => (f.briefing = e.target.value)}, f.briefing || '')),
            h('div', {class: 'op-action'}, h('button', {type: 'submit', id: 'op-submit'}, t('operations.submit')),
                h('button', {type: 'button', class: 'secondary', onclick: () => this.close()}, t('operations.back'))));
    }

    async submitPlan() {
        const f = this.form;
        const ids = (name) => [...(f.sel[name] || [])];
        const body = {title: f.title || '', kind: f.kind || 'planned', subdistrict_id: f.sub, starts_at: fromLocal(f.starts), ends_at: fromLocal(f.ends),
            briefing: f.briefing || '', department_ids: ids('op-dept'), people: f.people.map(({person_id, role}) => ({person_id, role})),
            merchant_ids: ids('op-merchant'), incident_ids: ids('op-case'), area_ids: ids('op-area')};
        try {
            const op = await api.createOperation(body);
            this.form = null;
            this.calendar = null;
            this.toast(t('operations.saved'));
            location.hash = `#operations/${op.id}`;
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail || e.message}), true);
        }
    }
}
