// The volunteer-services tab (志愿): the organisations' contracts with what is paid and remaining,
// a year's volunteer-hours by month (a small chart) and by community, the latest activities with
// their points on the map, and the forms of each role — record an activity (admin, street and lane
// chiefs, in their area) and book a payment (admin, district leader). Forms in volunteers-form.js.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {formatYuan} from './funds.js';
import {formatTime, lang, t} from './i18n/index.js';
import {activityForm, paymentForm} from './volunteers-form.js';
import './volunteers.css';

// Who reads volunteer services, who records activities, who pays (the API's own rules).
export const VOLUNTEER_ROLES = ['admin', 'district_leader', 'street_chief', 'lane_chief'];
export const RECORDERS = ['admin', 'street_chief', 'lane_chief'];
export const FINANCE = ['admin', 'district_leader'];

const SOURCE = 'volunteer-activities';
const LAYER = 'volunteer-activities-point';

export function beijingYear() {
    return new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
}

const hoursText = (x) => Number(x).toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', {maximumFractionDigits: 1});

export class VolunteersPanel {
    constructor(el, {map, session, toast}) {
        this.el = el;
        this.map = map;
        this.session = session;
        this.toast = toast;
        this.year = beijingYear();
        this.stale = true; // load on the next visit to the tab
        this.visible = false;
        this.form = null; // the activity being recorded: {point, ...}
        this.clear();
    }

    role() {
        return this.session().user?.role;
    }

    clear() {
        this.stale = true;
        this.contracts = null;
        this.totals = null;
        this.activities = [];
        this.points = null;
        this.orgs = [];
        this.volunteers = [];
        this.error = '';
        this.form = null;
        this.hideOnMap();
    }

    async load() {
        this.contracts = null;
        this.error = '';
        this.render();
        const from = `${this.year}-01-01`;
        const to = `${this.year}-12-31`;
        try {
            [this.contracts, this.totals, this.activities, this.points, this.orgs] = await Promise.all([
                api.volunteerContracts(this.year), api.volunteerTotals(this.year), api.volunteerActivities({from, to, limit: 30}),
                api.volunteerActivityPoints({from, to}), api.volunteerOrgs()]);
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
        this.showOnMap();
    }

    setYear(y) {
        this.year = y;
        this.load();
    }

    // show follows the tab: the activities' points are on the map only while it is open.
    show(on) {
        this.visible = on;
        if (on) this.showOnMap();
        else this.hideOnMap();
    }

    showOnMap() {
        if (!this.visible || !this.points || !this.map.isStyleLoaded?.()) return;
        if (this.map.getSource(SOURCE)) {
            this.map.getSource(SOURCE).setData(this.points);
        } else {
            this.map.addSource(SOURCE, {type: 'geojson', data: this.points});
            this.map.addLayer({id: LAYER, type: 'circle', source: SOURCE,
                paint: {'circle-color': '#00897b', 'circle-radius': 6, 'circle-opacity': 0.85, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5}});
        }
        this.drawPick();
    }

    hideOnMap() {
        for (const id of [LAYER, 'volunteer-pick-point']) if (this.map?.getLayer(id)) this.map.removeLayer(id);
        for (const id of [SOURCE, 'volunteer-pick']) if (this.map?.getSource(id)) this.map.removeSource(id);
    }

    // picking says whether a click on the map places the activity being recorded.
    get picking() {
        return !!this.form;
    }

    setPoint(lon, lat) {
        if (!this.form) return;
        this.form.point = [Number(lon.toFixed(6)), Number(lat.toFixed(6))];
        this.drawPick();
        const el = this.el.querySelector('#vol-place');
        if (el) el.textContent = t('vol.placeSet', {lon: this.form.point[0], lat: this.form.point[1]});
    }

    drawPick() {
        const data = {type: 'FeatureCollection', features: this.form?.point ? [{type: 'Feature', geometry: {type: 'Point', coordinates: this.form.point}, properties: {}}] : []};
        if (!this.map.isStyleLoaded?.()) return;
        if (this.map.getSource('volunteer-pick')) return this.map.getSource('volunteer-pick').setData(data);
        this.map.addSource('volunteer-pick', {type: 'geojson', data});
        this.map.addLayer({id: 'volunteer-pick-point', type: 'circle', source: 'volunteer-pick',
            paint: {'circle-color': '#d84315', 'circle-radius': 8, 'circle-stroke-color': '#fff', 'circle-stroke-width': 2}});
    }

    async startRecording() {
        try {
            this.volunteers = await api.volunteerList();
        } catch (e) {
            return this.toast(t('error.generic', {detail: e.detail || e.message}), true);
        }
        this.form = {point: null};
        this.render();
    }

    stopRecording() {
        this.form = null;
        this.drawPick();
        this.render();
    }

    async saved(message) {
        this.toast(message);
        this.form = null;
        await this.load();
    }

    contractView(c) {
        const paid = c.yuan > 0 ? Math.min(100, (c.paid / c.yuan) * 100) : 0;
        return h('li', {class: 'vol-contract', dataset: {contract: c.id}},
            h('div', {}, h('strong', {}, t('vol.contractLine', {org: c.org_name, year: c.year, yuan: formatYuan(c.yuan)})),
                c.revision > 1 && h('span', {class: 'badge'}, t('vol.revision', {n: c.revision}))),
            h('div', {class: 'vol-bar', role: 'img', 'aria-label': t('vol.paidRemaining', {paid: formatYuan(c.paid), remaining: formatYuan(c.remaining)})},
                h('div', {class: 'vol-bar-paid', style: `width: ${paid.toFixed(1)}%`})),
            h('div', {class: 'vol-paid muted'}, t('vol.paidRemaining', {paid: formatYuan(c.paid), remaining: formatYuan(c.remaining)})),
            h('div', {class: 'vol-hours muted'}, t('vol.hours', {delivered: hoursText(c.hours_delivered), target: hoursText(c.hours_target)})));
    }

    chart() {
        const months = this.totals?.by_month || [];
        const max = Math.max(1, ...months.map((m) => m.volunteer_hours));
        return h('div', {class: 'vol-chart', id: 'vol-chart', role: 'img', 'aria-label': t('vol.chart')},
            months.map((m) => h('div', {class: 'vol-chart-col', title: `${m.month}: ${t('vol.hoursN', {n: hoursText(m.volunteer_hours)})}`},
                h('div', {class: 'vol-chart-bar', dataset: {month: m.month, hours: m.volunteer_hours}, style: `height: ${((m.volunteer_hours / max) * 100).toFixed(1)}%`}),
                h('span', {class: 'vol-chart-label'}, String(Number(m.month.slice(5)))))));
    }

    totalsTable() {
        const rows = this.totals?.rows || [];
        if (!rows.length) return h('p', {class: 'hint', id: 'vol-totals'}, t('vol.noTotals'));
        const head = ['month', 'community', 'activities', 'participants', 'hours'];
        return h('div', {class: 'table-wrap vol-totals-wrap'}, h('table', {class: 'overview', id: 'vol-totals'},
            h('thead', {}, h('tr', {}, head.map((k) => h('th', {class: k === 'month' || k === 'community' ? '' : 'num'}, t(`vol.col.${k}`))))),
            h('tbody', {}, rows.map((r) => h('tr', {dataset: {community: r.community_id, month: r.month}},
                h('td', {}, r.month), h('td', {}, r.community_name), h('td', {class: 'num'}, r.activities),
                h('td', {class: 'num'}, r.participants), h('td', {class: 'num'}, hoursText(r.volunteer_hours)))))));
    }

    activityList() {
        if (!this.activities.length) return h('p', {class: 'hint', id: 'vol-activities'}, t('vol.noActivities'));
        return h('ul', {class: 'vol-activities', id: 'vol-activities'}, this.activities.map((a) => h('li', {dataset: {activity: a.id}},
            h('div', {}, h('strong', {}, formatTime(a.starts_at)), ' ', a.community_name, ' ', h('span', {class: 'badge'}, t(`vol.kind.${a.kind}`))),
            h('div', {class: 'muted'}, a.description, ' · ', t('vol.participantsN', {n: a.participants}), ' · ', t('vol.hoursN', {n: hoursText(a.volunteer_hours)})),
            a.photos > 0 && h('span', {class: 'op-photos'}, Array.from({length: a.photos}, (_, i) => {
                const src = `/api/v1/volunteer-activities/${a.id}/photos/${i + 1}`;
                return h('a', {href: src, target: '_blank'}, h('img', {src, alt: t('vol.photos'), height: 40}));
            })))));
    }

    render() {
        const years = [];
        for (let y = beijingYear(); y >= beijingYear() - 3; y--) years.push(y);
        const title = h('div', {class: 'row'}, h('h2', {}, t('vol.title')),
            h('select', {id: 'vol-year', 'aria-label': t('vol.year'), onchange: (e) => this.setYear(Number(e.target.value))},
                years.map((y) => h('option', {value: y, selected: y === this.year}, t('vol.yearOption', {year: y})))));
        if (this.error) return replace(this.el, title, h('p', {class: 'bad', id: 'vol-error'}, this.error));
        if (!this.contracts) return replace(this.el, title, h('p', {class: 'hint'}, t('loading')));
        if (this.form) return replace(this.el, title, activityForm(this));
        const role = this.role();
        replace(this.el, title,
            RECORDERS.includes(role) && h('p', {}, h('button', {type: 'button', id: 'vol-record', onclick: () => this.startRecording()}, t('vol.record'))),
            h('h3', {}, t('vol.contracts')),
            this.contracts.length ? h('ul', {class: 'vol-contracts', id: 'vol-contracts'}, this.contracts.map((c) => this.contractView(c)))
                : h('p', {class: 'hint', id: 'vol-contracts'}, t('vol.noContracts')),
            FINANCE.includes(role) && this.contracts.length > 0 && paymentForm(this),
            h('h3', {}, t('vol.totals')),
            this.chart(),
            h('p', {class: 'gap-links'}, h('a', {id: 'vol-xlsx', download: `volunteers-${this.year}.xlsx`,
                href: `/api/v1/volunteer-totals?year=${this.year}&format=xlsx&lang=${lang()}`}, t('vol.xlsx'))),
            this.totalsTable(),
            h('h3', {}, t('vol.activities', {n: this.points?.features?.length ?? 0})),
            h('p', {class: 'hint'}, t('vol.onMap')),
            this.activityList());
    }
}
