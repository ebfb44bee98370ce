// The tasks panel (督办): tasks from the city and the district with their state, deadline (red when
// overdue) and each subdistrict's progress; a task's page with its targets on the map, parts, items
// and their reports with photos; and the forms of each role — issue (district leader), break down
// (street chief), report progress (lane or street chief), accept or return (the issuer).
import {api} from './api.js';
import {h, replace} from './dom.js';
import {formatTime, t} from './i18n/index.js';

// Who may read tasks, and who does what (the API's own rules).
export const TASK_ROLES = ['admin', 'district_leader', 'assessor', 'street_chief', 'lane_chief'];
const ISSUERS = ['admin', 'district_leader'];
const BREAKERS = ['admin', 'street_chief'];

const beijing = (d) => new Date(d.getTime() + 8 * 3600e3).toISOString();
const localInput = (d) => beijing(d).slice(0, 16);
const fromLocal = (v) => new Date(`${v}:00+08:00`).toISOString();
const badge = (state) => h('span', {class: `badge task-state task-${state}`}, t(`tasks.state.${state}`));
const readFile = (file) => new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
});

// position asks the device where it is, for a report's position; without a fix the report goes
// without one rather than not at all (the server flags positions away from the item anyway).
const position = () => new Promise((resolve) => {
    if (!navigator.geolocation) return resolve({});
    navigator.geolocation.getCurrentPosition(
        (p) => resolve({lon: p.coords.longitude, lat: p.coords.latitude, accuracy_m: Math.min(p.coords.accuracy, 10000)}),
        () => resolve({}), {enableHighAccuracy: true, timeout: 10000});
});

export class TasksPanel {
    constructor(el, {map, session, subdistricts, toast}) {
        this.el = el;
        this.map = map;
        this.session = session;
        this.subdistricts = subdistricts;
        this.toast = toast;
        this.list = null;
        this.overdue = [];
        this.detail = null;
        this.form = null;
        this.communities = new Map();
        this.error = '';
    }

    role() {
        return this.session().user?.role;
    }

    scope() {
        return this.session().user?.scope || {};
    }

    clear() {
        this.list = null;
        this.detail = null;
        this.form = null;
        this.hideOnMap();
    }

    async load() {
        this.error = '';
        try {
            const [list, over] = await Promise.all([api.tasks(), api.overdueTasks()]);
            this.list = list.tasks;
            this.overdue = over.overdue;
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    async open(id) {
        this.form = null;
        try {
            this.detail = await api.task(id);
            for (const p of this.detail.parts) await this.loadCommunities(p.subdistrict_id);
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail || e.message}), true);
            this.detail = null;
        }
        this.render();
        if (this.detail) this.showOnMap(this.detail);
    }

    async loadCommunities(sub) {
        if (this.communities.has(sub) || !BREAKERS.includes(this.role())) return;
        const units = await api.adminUnitsIn('community', sub).catch(() => []);
        this.communities.set(sub, units.map((u) => ({id: u.id, name: u.properties?.name || u.name})));
    }

    render() {
        if (this.form) return replace(this.el, this.issueForm());
        if (this.detail) return replace(this.el, this.detailView(this.detail));
        return replace(this.el, this.listView());
    }

    listView() {
        const head = h('div', {class: 'op-head'}, h('h2', {}, t('tasks.title')),
            ISSUERS.includes(this.role()) && h('button', {type: 'button', id: 'task-issue', onclick: () => this.startIssue()}, t('tasks.issue')));
        if (this.error) return [head, h('p', {class: 'bad'}, this.error)];
        if (!this.list) return [head, h('p', {class: 'muted'}, t('tasks.loading'))];
        const progress = (task) => h('div', {class: 'task-parts'}, task.parts.map((p) => h('span', {
            class: `task-part task-${p.state}${p.counts.overdue ? ' overdue' : ''}`, dataset: {subdistrict: p.subdistrict_id}},
        `${p.name} ${p.counts.accepted}/${p.counts.items}`)));
        const table = h('table', {class: 'overview', id: 'task-list'},
            h('thead', {}, h('tr', {}, ['name', 'issuer', 'deadline', 'stateLabel', 'progress'].map((k) => h('th', {}, t(`tasks.${k}`))))),
            h('tbody', {}, this.list.map((task) => h('tr', {dataset: {task: task.id, state: task.state}},
                h('td', {}, h('a', {href: `#tasks/${task.id}`}, task.title)),
                h('td', {}, `${t(`tasks.level.${task.issuer_level}`)} · ${task.issuing_office}`),
                h('td', {class: task.overdue ? 'bad task-overdue' : ''}, formatTime(task.deadline), task.overdue && ` ${t('tasks.overdue')}`),
                h('td', {}, badge(task.state)), h('td', {}, progress(task))))));
        const over = this.overdue.length > 0 && h('section', {class: 'op-section', id: 'task-overdue'},
            h('h3', {class: 'bad'}, t('tasks.overdueList', {n: this.overdue.length})),
            h('ul', {}, this.overdue.map((o) => h('li', {class: 'bad'}, h('a', {href: `#tasks/${o.task_id}`}, o.title), ' · ',
                o.community_name || o.subdistrict_name, ' · ', o.item_id ? o.text : t('tasks.notBrokenDown'), ' · ', formatTime(o.deadline)))));
        return [head, over, this.list.length ? table : h('p', {class: 'muted'}, t('tasks.none'))];
    }

    detailView(task) {
        const section = (key, ...body) => h('section', {class: 'op-section'}, h('h3', {}, t(`tasks.${key}`)), ...body);
        const issuer = ISSUERS.includes(this.role());
        return h('div', {id: 'task-detail', class: 'op-detail', dataset: {task: task.id, state: task.state}},
            h('button', {type: 'button', class: 'secondary', id: 'task-back', onclick: () => (location.hash = '#tasks')}, t('tasks.back')),
            h('h2', {}, task.title, ' ', badge(task.state)),
            h('p', {class: task.overdue ? 'bad' : ''}, `${t(`tasks.level.${task.issuer_level}`)} · ${task.issuing_office} · ${t('tasks.deadline')}${t('colon')}${formatTime(task.deadline)}`,
                task.overdue && ` ${t('tasks.overdue')}`),
            task.cancel_reason && h('p', {class: 'bad'}, t('tasks.cancelled', {reason: task.cancel_reason})),
            section('doneWhen', h('p', {}, task.done_when)),
            task.body && h('p', {class: 'op-briefing'}, task.body),
            task.photos.length > 0 && h('p', {class: 'op-photos'}, task.photos.map((src) => h('a', {href: src, target: '_blank'}, h('img', {src, alt: t('tasks.photos'), height: 64})))),
            h('p', {}, h('button', {type: 'button', class: 'secondary', id: 'task-on-map', onclick: () => this.showOnMap(task)}, t('tasks.onMap'))),
            task.parts.map((p) => this.partView(task, p, issuer)),
            (task.revisions || []).length > 0 && section('revisions', h('ul', {}, task.revisions.map((r) =>
                h('li', {}, `${formatTime(r.at)} ${t(`tasks.revision.${r.kind}`)}${r.deadline ? ` ${formatTime(r.deadline)}` : ''} · ${r.reason}`)))));
    }

    partView(task, p, issuer) {
        const open = task.state !== 'cancelled';
        const breaker = open && BREAKERS.includes(this.role()) && (this.role() === 'admin' || (this.scope().subdistricts || []).includes(p.subdistrict_id));
        return h('section', {class: 'op-section task-part-detail', dataset: {subdistrict: p.subdistrict_id}},
            h('h3', {}, p.name, ' ', badge(p.state), ' ', h('span', {class: 'muted'}, t('tasks.counts', p.counts))),
            p.items.length === 0 && h('p', {class: 'muted'}, t('tasks.noItems')),
            p.items.map((it) => this.itemView(task, p, it, issuer && open)),
            breaker && this.breakDownForm(task, p));
    }

    itemView(task, p, it, issuer) {
        const role = this.role();
        const scope = this.scope();
        const reporter = task.state !== 'cancelled' && !['accepted', 'claimed'].includes(it.state) && (role === 'admin'
            || (role === 'street_chief' && (scope.subdistricts || []).includes(p.subdistrict_id))
            || (role === 'lane_chief' && it.community_id && (scope.communities || []).includes(it.community_id)));
        return h('div', {class: 'task-item', dataset: {item: it.id, state: it.state}},
            h('p', {}, h('strong', {}, it.community_name || t('tasks.subdistrictLevel')), ' ', it.text, ' ', badge(`item.${it.state}`), ' ',
                h('span', {class: it.overdue ? 'bad' : 'muted'}, `${formatTime(it.deadline)} · ${it.percent}%`, it.overdue && ` ${t('tasks.overdue')}`),
                it.returns > 0 && h('span', {class: 'badge bad'}, t('tasks.returns', {n: it.returns}))),
            (it.events || []).length > 0 && h('ol', {class: 'task-events'}, it.events.map((e) => h('li', {dataset: {kind: e.kind}},
                `${formatTime(e.at)} ${t(`tasks.event.${e.kind}`)}${e.percent != null && e.kind === 'progress' ? ` ${e.percent}%` : ''} ${e.text} · ${e.by}`,
                e.off_site && h('span', {class: 'badge bad'}, t('tasks.offSite')),
                e.photos.length > 0 && h('span', {class: 'op-photos'}, e.photos.map((src) => h('a', {href: src, target: '_blank'},
                    h('img', {src, alt: t('tasks.photos'), height: 48}))))))),
            reporter && this.progressForm(it),
            issuer && it.state === 'claimed' && this.decisionForm(it));
    }

    breakDownForm(task, p) {
        const coms = this.communities.get(p.subdistrict_id) || [];
        const com = h('select', {class: 'task-community', 'aria-label': t('tasks.community')},
            h('option', {value: '0'}, t('tasks.subdistrictLevel')), coms.map((c) => h('option', {value: c.id}, c.name)));
        const text = h('input', {class: 'task-item-text', placeholder: t('tasks.itemText'), 'aria-label': t('tasks.itemText')});
        const due = h('input', {class: 'task-item-deadline', type: 'datetime-local', value: localInput(new Date(task.deadline)), 'aria-label': t('tasks.deadline')});
        return h('form', {class: 'op-action task-break', onsubmit: (e) => (e.preventDefault(), this.act(() => api.breakDownTask(task.id, p.subdistrict_id,
            [{community_id: Number(com.value), text: text.value, deadline: fromLocal(due.value)}])))},
        h('h4', {}, t('tasks.breakDown')), com, text, due, h('button', {type: 'submit', class: 'task-break-submit'}, t('tasks.add')));
    }

    progressForm(it) {
        const text = h('input', {class: 'task-progress-text', placeholder: t('tasks.progressText'), 'aria-label': t('tasks.progressText')});
        const percent = h('input', {class: 'task-progress-percent', type: 'number', min: '0', max: '100', placeholder: '%', 'aria-label': t('tasks.percent')});
        const done = h('input', {class: 'task-progress-done', type: 'checkbox'});
        const files = h('input', {type: 'file', class: 'task-progress-photos', accept: 'image/jpeg,image/png,image/webp', multiple: true, 'aria-label': t('tasks.photos')});
        const here = h('input', {class: 'task-progress-here', type: 'checkbox'});
        const submit = () => this.act(async () => {
            const body = {text: text.value, done: done.checked, photos: await Promise.all([...files.files].map(readFile))};
            if (percent.value !== '' && !done.checked) body.percent = Number(percent.value);
            if (here.checked) Object.assign(body, await position());
            return api.reportTaskProgress(it.id, body);
        });
        return h('form', {class: 'op-action task-progress', onsubmit: (e) => (e.preventDefault(), submit())},
            text, percent, h('label', {}, done, ' ', t('tasks.done')), files, h('label', {}, here, ' ', t('tasks.here')),
            h('button', {type: 'submit', class: 'task-progress-submit'}, t('tasks.report')));
    }

    decisionForm(it) {
        const reason = h('input', {class: 'task-decision-reason', placeholder: t('tasks.reason'), 'aria-label': t('tasks.reason')});
        return h('div', {class: 'op-action task-decision'}, reason,
            h('button', {type: 'button', class: 'task-accept', onclick: () => this.act(() => api.acceptTaskItem(it.id, reason.value))}, t('tasks.accept')),
            h('button', {type: 'button', class: 'secondary task-return', onclick: () => this.act(() => api.returnTaskItem(it.id, reason.value))}, t('tasks.return')));
    }

    async act(fn) {
        try {
            this.detail = await fn();
            this.toast(t('tasks.saved'));
            this.list = null;
            this.render();
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail || e.message}), true);
        }
    }

    showOnMap(task) {
        this.hideOnMap();
        const features = task.targets?.features || [];
        if (!features.length || !this.map.isStyleLoaded?.()) return;
        this.map.addSource('task-targets', {type: 'geojson', data: task.targets});
        this.map.addLayer({id: 'task-targets-fill', type: 'fill', source: 'task-targets', filter: ['!=', ['geometry-type'], 'Point'],
            paint: {'fill-color': '#8e24aa', 'fill-opacity': 0.25}});
        this.map.addLayer({id: 'task-targets-point', type: 'circle', source: 'task-targets', filter: ['==', ['geometry-type'], 'Point'],
            paint: {'circle-color': '#8e24aa', 'circle-radius': 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5}});
        const positions = (c) => (typeof c[0] === 'number' ? [c] : c.flatMap(positions));
        const pts = features.flatMap((f) => positions(f.geometry.coordinates));
        const xs = pts.map((q) => q[0]);
        const ys = pts.map((q) => q[1]);
        this.map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], {padding: 60, maxZoom: 17, duration: 0});
    }

    hideOnMap() {
        for (const id of ['task-targets-fill', 'task-targets-point']) if (this.map.getLayer(id)) this.map.removeLayer(id);
        if (this.map.getSource('task-targets')) this.map.removeSource('task-targets');
    }

    startIssue() {
        const week = new Date(Date.now() + 14 * 24 * 3600e3);
        week.setUTCMinutes(0, 0, 0);
        this.form = {level: 'district', deadline: localInput(week), subs: new Set()};
        this.detail = null;
        this.render();
    }

    issueForm() {
        const f = this.form;
        const field = (key, input) => h('label', {class: 'op-field'}, h('span', {}, t(`tasks.${key}`)), input);
        return h('form', {id: 'task-form', class: 'op-form', onsubmit: (e) => (e.preventDefault(), this.submitIssue())},
            h('h2', {}, t('tasks.issue')),
            field('issuerLevel', h('select', {id: 'task-level', onchange: (e) => (f.level = e.target.value)},
                ['city', 'district'].map((k) => h('option', {value: k, selected: f.level === k}, t(`tasks.level.${k}`))))),
            field('office', h('input', {id: 'task-office', required: true, value: f.office || '', oninput: (e) => (f.office = e.target.value)})),
            field('name', h('input', {id: 'task-title', required: true, value: f.title || '', oninput: (e) => (f.title = e.target.value)})),
            field('doneWhen', h('textarea', {id: 'task-done-when', rows: 2, required: true, oninput: (e) => (f.doneWhen = e.target.value)}, f.doneWhen || '')),
            field('body', h('textarea', {id: 'task-body', rows: 3, oninput: (e) => (f.body = e.target.value)}, f.body || '')),
            field('deadline', h('input', {id: 'task-deadline', type: 'datetime-local', value: f.deadline, oninput: (e) => (f.deadline = e.target.value)})),
            h('h3', {}, t('tasks.subdistricts')),
            h('div', {class: 'op-checks', id: 'task-subdistricts'}, this.subdistricts().map((u) => h('label', {},
                h('input', {type: 'checkbox', value: u.id, checked: f.subs.has(u.id), onchange: (e) => (e.target.checked ? f.subs.add(u.id) : f.subs.delete(u.id))}),
                u.properties?.name || u.name))),
            h('div', {class: 'op-action'}, h('button', {type: 'submit', id: 'task-submit'}, t('tasks.submit')),
                h('button', {type: 'button', class: 'secondary', onclick: () => ((this.form = null), this.render())}, t('tasks.back'))));
    }

    async submitIssue() {
        const f = this.form;
        const body = {issuer_level: f.level, issuing_office: f.office || '', title: f.title || '', done_when: f.doneWhen || '', body: f.body || '',
            deadline: fromLocal(f.deadline), subdistrict_ids: [...f.subs]};
        try {
            const task = await api.issueTask(body);
            this.form = null;
            this.list = null;
            this.toast(t('tasks.saved'));
            location.hash = `#tasks/${task.id}`;
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail || e.message}), true);
        }
    }
}
