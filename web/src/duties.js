// The duties panel (履职): the members of the caller's communities with their pledge and last
// confirmed record, each community's year, the records waiting for the community's confirmation; a
// member's page with their pledges, records (entered with photos and a point on the map, confirmed,
// returned or voided), the year's summary and, for party members, the evaluation and its exports.
// The map shows the year's records in scope as a GeoJSON layer: a few hundred points a year, each
// caller's own set, so a tile cache keyed by scope would buy nothing.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {formatTime, lang, t} from './i18n/index.js';
import './duties.css';

export const DUTY_ROLES = ['admin', 'district_leader', 'assessor', 'street_chief', 'lane_chief', 'participant'];
const REGISTRARS = ['admin', 'street_chief', 'lane_chief'];
const STATUS_COLOURS = {pending: '#f9a825', confirmed: '#2e7d32', returned: '#c62828'};

const beijingToday = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const day = (iso) => (iso ? iso.slice(0, 10) : '—');
const typeName = (m) => t(`duties.type.${m.member_type}`);
const where = (m) => m.community || m.unit_name || '—';
const badge = (status) => h('span', {class: `badge duty-status duty-${status}`}, t(`duties.status.${status}`));
const readFile = (file) => new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
});

export class DutiesPanel {
    constructor(el, {map, session, toast}) {
        this.el = el;
        this.map = map;
        this.session = session;
        this.toast = toast;
        this.year = Number(beijingToday().slice(0, 4));
        this.kinds = [];
        this.clear();
    }

    role() {
        return this.session().user?.role;
    }

    clear() {
        this.members = null;
        this.summary = null;
        this.pending = [];
        this.detail = null;
        this.point = null;
        this.picking = false;
        this.error = '';
        if (this.map) this.hideOnMap();
    }

    // route opens the list (#duties) or a member (#duties/<id>); a participant with one membership
    // goes straight to their own page.
    async route(id) {
        if (!this.kinds.length) this.kinds = (await api.dutyKinds().catch(() => ({kinds: []}))).kinds;
        if (id && Number(id) > 0) await this.open(Number(id));
        else {
            this.detail = null;
            await this.load();
            if (this.role() === 'participant' && this.members?.length === 1) {
                location.hash = `#duties/${this.members[0].id}`;
                return;
            }
        }
        this.showOnMap();
    }

    async load() {
        this.error = '';
        try {
            const [members, summary, pending] = await Promise.all([api.dutyMembers({current: 'true'}),
                api.dutySummary({year: this.year, by: 'community'}), this.mayDecide() ? api.dutyRecords({status: 'pending'}) : {records: []}]);
            this.members = members.members;
            this.summary = summary.rows;
            this.pending = pending.records;
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    async open(id) {
        try {
            const [member, pledges, records, summary] = await Promise.all([api.dutyMember(id), api.dutyPledges(id),
                api.dutyRecords({member: id, year: this.year}), api.dutySummary({year: this.year, by: 'person'})]);
            this.detail = {member, pledges: pledges.pledges, records: records.records,
                year: summary.rows.find((r) => r.member_id === id)};
            if (member.member_type === 'party_member') {
                const evYear = this.year - 1;
                const [template, ev] = await Promise.all([api.dutyTemplate(evYear), api.dutyEvaluation(id, evYear)]);
                Object.assign(this.detail, {template, evaluations: ev.revisions, evYear});
            }
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail || e.message}), true);
            this.detail = null;
        }
        this.render();
    }

    mayDecide() {
        return ['admin', 'lane_chief'].includes(this.role());
    }

    mayEnter(m) {
        const role = this.role();
        const user = this.session().user || {};
        return m.current && (role === 'admin' || (role === 'lane_chief' && (user.scope?.communities || []).includes(m.community_id))
            || (role === 'participant' && user.person_id === m.person_id));
    }

    mayEvaluate(m) {
        const user = this.session().user || {};
        const scope = user.scope || {};
        return m.member_type === 'party_member' && user.person_id !== m.person_id && (user.role === 'admin'
            || (REGISTRARS.includes(user.role) && m.community_id && ((scope.communities || []).includes(m.community_id)
                || (scope.subdistricts || []).includes(m.subdistrict_id))));
    }

    render() {
        replace(this.el, this.detail ? this.memberView(this.detail) : this.listView());
    }

    yearPicker() {
        const now = Number(beijingToday().slice(0, 4));
        return h('label', {class: 'op-field duty-year'}, h('span', {}, t('duties.year')),
            h('select', {id: 'duty-year', onchange: (e) => {
                this.year = Number(e.target.value);
                this.route(this.detail?.member.id);
            }}, [now, now - 1, now - 2].map((y) => h('option', {value: y, selected: y === this.year}, String(y)))));
    }

    listView() {
        const head = h('div', {class: 'op-head'}, h('h2', {}, t('duties.title')), this.yearPicker());
        if (this.error) return [head, h('p', {class: 'bad'}, this.error)];
        if (!this.members) return [head, h('p', {class: 'muted'}, t('duties.loading'))];
        const num = (v) => h('td', {class: 'num'}, String(v ?? 0));
        const summary = this.role() !== 'participant' && this.summary?.length > 0 && h('section', {class: 'op-section'},
            h('h3', {}, t('duties.summary')),
            h('div', {class: 'duty-scroll'}, h('table', {class: 'overview', id: 'duty-summary'},
                h('thead', {}, h('tr', {}, ['community', 'count', 'records', 'confirmed', 'pendingN', 'hours', 'withoutPledge', 'silent']
                    .map((k) => h('th', {}, t(`duties.${k}`))))),
                h('tbody', {}, this.summary.map((r) => h('tr', {dataset: {community: r.community_id}},
                    h('td', {}, r.community || r.unit_name), num(r.members), num(r.records), num(r.confirmed), num(r.pending),
                    num(r.hours), h('td', {class: r.without_pledge ? 'num bad' : 'num'}, String(r.without_pledge || 0)),
                    num(r.members_without_confirmed_records)))))),
            h('p', {}, h('a', {id: 'duty-export-selection', href: `/api/v1/duty-evaluations?year=${this.year - 1}&format=xlsx&lang=${lang()}`,
                download: ''}, t('duties.exportSelection'))));
        const pending = this.mayDecide() && h('section', {class: 'op-section', id: 'duty-pending'}, h('h3', {}, t('duties.pending')),
            this.pending.length ? this.recordTable(this.pending, true) : h('p', {class: 'muted'}, t('duties.nonePending')));
        const members = h('section', {class: 'op-section'}, h('h3', {}, t('duties.members')),
            this.members.length === 0 ? h('p', {class: 'muted'}, t('duties.none')) : h('div', {class: 'duty-scroll'},
                h('table', {class: 'overview', id: 'duty-members'},
                    h('thead', {}, h('tr', {}, ['name', 'type', 'community', 'pledge', 'lastConfirmed'].map((k) => h('th', {}, t(`duties.${k}`))))),
                    h('tbody', {}, this.members.map((m) => h('tr', {dataset: {member: m.id}},
                        h('td', {}, h('a', {href: `#duties/${m.id}`}, m.name)), h('td', {}, typeName(m)), h('td', {}, where(m)),
                        h('td', {class: m.member_type !== 'party_member' && !m.pledge_current ? 'bad duty-no-pledge' : ''},
                            m.member_type === 'party_member' ? '—' : t(m.pledge_current ? 'duties.pledgeOk' : 'duties.noPledge')),
                        h('td', {}, m.last_confirmed_day ? day(m.last_confirmed_day) : t('duties.never'))))))));
        return [head, pending, summary, members];
    }

    recordTable(records, withMember) {
        return h('div', {class: 'duty-scroll'}, h('table', {class: 'overview duty-records'},
            h('tbody', {}, records.map((r) => h('tr', {dataset: {record: r.id, status: r.status}},
                h('td', {class: 'duty-when'}, day(r.day), withMember && h('br'), withMember && h('a', {href: `#duties/${r.member_id}`}, r.name)),
                h('td', {class: 'duty-what'}, this.kindName(r.kind), h('br'), h('span', {class: 'muted'}, r.description),
                    r.photos > 0 && h('span', {class: 'op-photos'}, Array.from({length: r.photos}, (_, i) => {
                        const src = `/api/v1/duty-records/${r.id}/photos/${i + 1}`;
                        return h('a', {href: src, target: '_blank'}, h('img', {src, alt: t('duties.photos'), height: 40}));
                    })),
                    r.return_reason && h('div', {class: 'bad'}, t('duties.returnReason', {reason: r.return_reason})),
                    r.void_reason && h('div', {class: 'muted'}, t('duties.voidReason', {reason: r.void_reason}))),
                h('td', {class: 'num'}, String(r.hours)),
                h('td', {}, badge(r.status), h('br'), h('span', {class: 'muted'}, t('duties.by', {who: r.entered_by}))),
                h('td', {}, this.actions(r)))))));
    }

    actions(r) {
        const role = this.role();
        const own = role === 'participant' && r.person_id === this.session().user?.person_id;
        const decide = this.mayDecide() && r.status === 'pending' && !own;
        const voidable = r.status !== 'voided' && (this.mayDecide() || (own && r.status === 'pending'));
        if (!decide && !voidable) return null;
        const reason = h('input', {class: 'duty-reason', placeholder: t('duties.reason'), 'aria-label': t('duties.reason')});
        const act = (action) => this.act(() => api.decideDutyRecord(r.id, action, reason.value));
        return h('div', {class: 'op-action duty-decision'}, reason,
            decide && h('button', {type: 'button', class: 'duty-confirm', onclick: () => act('confirm')}, t('duties.confirm')),
            decide && h('button', {type: 'button', class: 'secondary duty-return', onclick: () => act('return')}, t('duties.return')),
            voidable && h('button', {type: 'button', class: 'secondary duty-void', onclick: () => act('void')}, t('duties.void')));
    }

    kindName(code) {
        const k = this.kinds.find((x) => x.code === code);
        return k ? (lang() === 'en' ? k.name_en : k.name_zh) : code;
    }

    memberView(d) {
        const m = d.member;
        const section = (key, ...body) => h('section', {class: 'op-section'}, h('h3', {}, t(`duties.${key}`)), ...body);
        const y = d.year || {records: 0, confirmed: 0, hours: 0};
        return h('div', {id: 'duty-detail', class: 'op-detail', dataset: {member: m.id}},
            h('div', {class: 'op-head'}, h('button', {type: 'button', class: 'secondary', id: 'duty-back', onclick: () => (location.hash = '#duties')}, t('duties.back')),
                this.yearPicker()),
            h('h2', {}, m.name, ' ', h('span', {class: 'badge duty-type'}, typeName(m))),
            h('p', {}, `${t(`duties.level.${m.level}`)} · ${where(m)} · ${t('duties.period', {from: day(m.from)})}`, m.until ? ` ${t('duties.until', {until: day(m.until)})}` : ''),
            h('p', {id: 'duty-year-line'}, t('duties.yearLine', {year: this.year, records: y.records, confirmed: y.confirmed, hours: y.hours})),
            m.member_type !== 'party_member' && section('pledges', d.pledges.length === 0 ? h('p', {class: 'bad duty-no-pledge'}, t('duties.noPledges')) :
                h('ul', {id: 'duty-pledges'}, d.pledges.map((p) => h('li', {class: p.current ? '' : 'muted'},
                    t('duties.signedOn', {day: day(p.signed_on), from: day(p.from), until: day(p.until)}), ' ',
                    p.current && h('span', {class: 'badge duty-confirmed'}, t('duties.current')), ' ', p.items.join('；'),
                    p.has_scan && h('a', {href: `/api/v1/duty-pledges/${p.id}/scan`, target: '_blank'}, ` ${t('duties.scan')}`)))),
                !m.pledge_current && d.pledges.length > 0 && h('p', {class: 'bad duty-no-pledge'}, t('duties.noPledge'))),
            this.mayEnter(m) && this.entryForm(m),
            section('recordList', d.records.length ? this.recordTable(d.records, false) : h('p', {class: 'muted'}, t('duties.noRecords'))),
            m.member_type === 'party_member' && this.evaluationView(d));
    }

    entryForm(m) {
        const field = (key, input) => h('label', {class: 'op-field'}, h('span', {}, t(`duties.${key}`)), input);
        const today = beijingToday();
        const dayIn = h('input', {id: 'duty-day', type: 'date', value: today, max: today, required: true});
        const kind = h('select', {id: 'duty-kind'}, this.kinds.filter((k) => !k.retired).map((k) => h('option', {value: k.code}, this.kindName(k.code))));
        const hours = h('input', {id: 'duty-hours', type: 'number', min: '0.25', max: '24', step: '0.25', value: '1', required: true});
        const desc = h('textarea', {id: 'duty-description', rows: 2, required: true});
        const photos = h('input', {id: 'duty-photos', type: 'file', accept: 'image/jpeg,image/png,image/webp', multiple: true, 'aria-label': t('duties.photos')});
        const pointText = () => (this.point ? t('duties.point', {lon: this.point[0].toFixed(5), lat: this.point[1].toFixed(5)})
            : t(this.picking ? 'duties.picking' : 'duties.noPoint'));
        const point = h('span', {id: 'duty-point', class: this.point ? '' : 'muted'}, pointText());
        this.onPoint = () => {
            point.className = this.point ? '' : 'muted';
            replace(point, pointText());
        };
        const here = () => navigator.geolocation?.getCurrentPosition((p) => this.setPoint(p.coords.longitude, p.coords.latitude), () => {},
            {enableHighAccuracy: true, timeout: 10000});
        const submit = () => this.act(async () => {
            const body = {member_id: m.id, day: dayIn.value, kind: kind.value, hours: Number(hours.value), description: desc.value,
                photos: await Promise.all([...photos.files].slice(0, 6).map(readFile))};
            if (this.point) Object.assign(body, {lon: this.point[0], lat: this.point[1]});
            const r = await api.enterDutyRecord(body);
            this.point = null;
            return r;
        });
        return h('form', {id: 'duty-form', class: 'op-form', onsubmit: (e) => (e.preventDefault(), submit())},
            h('h3', {}, t('duties.enter')),
            field('day', dayIn), field('kind', kind), field('hours', hours), field('description', desc), field('photos', photos),
            h('div', {class: 'op-field'}, h('span', {}, t('duties.place')), point,
                h('button', {type: 'button', class: 'secondary', id: 'duty-pick', onclick: () => {
                    this.picking = true;
                    this.onPoint();
                }}, t('duties.pick')),
                h('button', {type: 'button', class: 'secondary', id: 'duty-here', onclick: here}, t('duties.here'))),
            h('div', {class: 'op-action'}, h('button', {type: 'submit', id: 'duty-submit'}, t('duties.submit'))));
    }

    evaluationView(d) {
        const latest = d.evaluations?.[0];
        const exportHref = `/api/v1/duty-members/${d.member.id}/evaluations/${d.evYear}?format=xlsx&lang=${lang()}`;
        const name = (it) => (lang() === 'en' ? it.name_en : it.name_zh);
        const inputs = new Map();
        const form = this.mayEvaluate(d.member) && h('form', {id: 'duty-evaluate', class: 'op-form', onsubmit: (e) => {
            e.preventDefault();
            const scores = Object.fromEntries([...inputs].map(([code, el]) => [code, Number(el.value)]));
            this.act(async () => {
                await api.evaluateDutyMember({member_id: d.member.id, year: d.evYear, scores, evaluator: form.querySelector('#duty-evaluator').value,
                    notes: form.querySelector('#duty-notes').value, reason: form.querySelector('#duty-eval-reason').value});
                return null;
            });
        }}, (d.template?.items || []).map((it) => {
            const el = h('input', {type: 'number', min: '0', max: String(it.max_points), step: '0.5', required: true,
                value: latest ? String(latest.scores[it.code] ?? '') : '', dataset: {item: it.code}});
            inputs.set(it.code, el);
            return h('label', {class: 'op-field'}, h('span', {}, `${name(it)} (${it.max_points})`), el);
        }),
        h('label', {class: 'op-field'}, h('span', {}, t('duties.evaluator')), h('input', {id: 'duty-evaluator', value: latest?.evaluator || ''})),
        h('label', {class: 'op-field'}, h('span', {}, t('duties.notes')), h('input', {id: 'duty-notes', value: latest?.notes || ''})),
        latest && h('label', {class: 'op-field'}, h('span', {}, t('duties.reason')), h('input', {id: 'duty-eval-reason'})),
        !latest && h('input', {id: 'duty-eval-reason', type: 'hidden', value: ''}),
        h('div', {class: 'op-action'}, h('button', {type: 'submit', id: 'duty-evaluate-submit'}, t('duties.evaluate'))));
        return h('section', {class: 'op-section', id: 'duty-evaluation'}, h('h3', {}, t('duties.evaluation'), ' · ', t('duties.evaluationOf', {year: d.evYear})),
            latest ? h('p', {}, `${t('duties.total')} ${latest.total} · `, h('strong', {class: `duty-grade duty-grade-${latest.grade}`}, t(`duties.grade.${latest.grade}`)),
                ` · ${t('duties.evaluator')} ${latest.evaluator}`, latest.revision > 1 ? ` · ${t('duties.revision', {n: latest.revision})}` : '',
                latest.notes && ` · ${latest.notes}`, ' ', h('span', {class: 'muted'}, formatTime(latest.created_at)))
                : h('p', {class: 'muted'}, t('duties.noEvaluation', {year: d.evYear})),
            latest && h('p', {}, h('a', {id: 'duty-export-appraisal', href: exportHref, download: ''}, t('duties.exportAppraisal'))),
            form);
    }

    async act(fn) {
        try {
            await fn();
            this.toast(t('duties.saved'));
            if (this.detail) await this.open(this.detail.member.id);
            else await this.load();
            this.showOnMap();
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail || e.message}), true);
        }
    }

    // wantsPoint says whether the next click on the map places the record being entered.
    wantsPoint() {
        return this.picking && !!this.detail;
    }

    setPoint(lon, lat) {
        this.point = [lon, lat];
        this.picking = false;
        this.onPoint?.();
        const data = {type: 'FeatureCollection', features: [{type: 'Feature', geometry: {type: 'Point', coordinates: this.point}, properties: {}}]};
        if (this.map.getSource('duty-pick')) this.map.getSource('duty-pick').setData(data);
        else if (this.map.isStyleLoaded?.()) {
            this.map.addSource('duty-pick', {type: 'geojson', data});
            this.map.addLayer({id: 'duty-pick', type: 'circle', source: 'duty-pick',
                paint: {'circle-color': '#1565c0', 'circle-radius': 7, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2}});
        }
    }

    async showOnMap() {
        const params = {year: this.year};
        if (this.detail) params.member = this.detail.member.id;
        let data;
        try {
            data = await api.dutyRecordsGeoJSON(params);
        } catch {
            return; // the panel says what failed; the map simply stays without the layer
        }
        if (this.detail) data.features = data.features.filter((f) => f.properties.member_id === this.detail.member.id);
        if (!this.map.isStyleLoaded?.()) return;
        if (this.map.getSource('duty-records')) return this.map.getSource('duty-records').setData(data);
        this.map.addSource('duty-records', {type: 'geojson', data});
        this.map.addLayer({id: 'duty-records', type: 'circle', source: 'duty-records', paint: {
            'circle-radius': 5, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1,
            'circle-color': ['match', ['get', 'status'], 'pending', STATUS_COLOURS.pending, 'returned', STATUS_COLOURS.returned, STATUS_COLOURS.confirmed]}});
    }

    hideOnMap() {
        for (const id of ['duty-records', 'duty-pick']) {
            if (this.map.getLayer?.(id)) this.map.removeLayer(id);
            if (this.map.getSource?.(id)) this.map.removeSource(id);
        }
        this.picking = false;
    }
}
