// The vendors panel (流动摊贩): the night markets and vendor zones in the caller's scope with their
// hours, the registered vendors by zone with their sightings of the last 30 days (repeat offenders
// marked), and the sightings of a chosen day, each outside one linked to the incident it became.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {t} from './i18n/index.js';

// Who may read the vendor register (the API's own list).
export const VENDOR_ROLES = ['admin', 'district_leader', 'street_chief', 'lane_chief', 'inspector'];

// beijingDay is a date's day in Beijing (YYYY-MM-DD), the day sightings are kept by.
export function beijingDay(d = new Date()) {
    return new Date(d.getTime() + 8 * 3600e3).toISOString().slice(0, 10);
}

function beijingTime(iso) {
    return new Date(new Date(iso).getTime() + 8 * 3600e3).toISOString().slice(11, 16);
}

function beijingDate(iso) {
    return iso ? beijingDay(new Date(iso)) : '';
}

// verdict is a sighting's judgement in words.
function verdict(s) {
    if (!s.outside) return t('vendors.inside');
    if (s.vendor_id && !s.registered) return t('vendors.notRegistered');
    if (!s.in_zone) return t('vendors.outsideZone');
    return t('vendors.outsideHours');
}

export class VendorsPanel {
    constructor(el) {
        this.el = el;
        this.zones = null;
        this.vendors = [];
        this.sightings = [];
        this.offenders = [];
        this.day = beijingDay();
        this.error = '';
    }

    async load() {
        this.zones = null;
        this.error = '';
        this.render();
        try {
            const [zones, vendors, sightings, offenders] = await Promise.all([api.vendorZones(), api.vendors(),
                api.vendorSightings(this.day), api.vendorRepeatOffenders()]);
            this.zones = zones;
            this.vendors = vendors;
            this.sightings = sightings;
            this.offenders = offenders;
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    async showDay(day) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return;
        this.day = day;
        try {
            this.sightings = await api.vendorSightings(day);
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    clear() {
        this.zones = null;
        this.vendors = [];
        this.sightings = [];
        this.offenders = [];
    }

    zonesTable() {
        return h('table', {class: 'overview', id: 'vendor-zones'},
            h('thead', {}, h('tr', {}, ['zone', 'hours', 'active'].map((k) => h('th', {}, t(`vendors.${k}`))))),
            h('tbody', {}, this.zones.map((z) => h('tr', {dataset: {zone: z.id}},
                h('td', {}, z.name), h('td', {}, z.hours_text || t('vendors.noHours')), h('td', {class: 'num'}, z.vendors)))));
    }

    vendorsTable() {
        return h('table', {class: 'overview', id: 'vendor-list'},
            h('thead', {}, h('tr', {}, ['name', 'goods', 'zone', 'status', 'seen', 'outside', 'last'].map((k) => h('th', {}, t(`vendors.${k}`))))),
            h('tbody', {}, this.vendors.map((v) => h('tr', {dataset: {vendor: v.id}, class: v.repeat_offender ? 'repeat' : null},
                h('td', {}, v.name, v.repeat_offender ? h('span', {class: 'badge bad'}, t('vendors.repeat')) : null),
                h('td', {}, v.goods), h('td', {}, v.zone.name), h('td', {}, t(`vendors.status.${v.status}`)),
                h('td', {class: 'num'}, v.sightings), h('td', {class: 'num'}, v.outside), h('td', {}, beijingDate(v.last_seen))))));
    }

    sightingList() {
        if (!this.sightings.length) return h('p', {class: 'hint', id: 'vendor-sightings'}, t('vendors.noSightings'));
        return h('ul', {class: 'results', id: 'vendor-sightings'}, this.sightings.map((s) => h('li', {dataset: {sighting: s.id}},
            h('span', {}, `${beijingTime(s.at)} ${s.vendor_name || t('vendors.unregistered')}`),
            h('span', {class: s.outside ? 'bad' : 'muted'}, ` · ${verdict(s)}`),
            s.zone ? h('span', {class: 'muted'}, ` · ${s.zone.name}`) : null,
            s.incident_id ? h('a', {href: `#incidents/${s.incident_id}`, class: 'incident-link'}, ` ${t('vendors.incident', {id: s.incident_id})}`) : null)));
    }

    render() {
        const title = h('div', {class: 'row'}, h('h2', {}, t('vendors.title')),
            h('button', {type: 'button', class: 'secondary', id: 'vendors-refresh', onclick: () => this.load()}, t('vendors.refresh')));
        if (this.error) return replace(this.el, title, h('p', {class: 'bad', id: 'vendors-error'}, this.error));
        if (!this.zones) return replace(this.el, title, h('p', {class: 'hint'}, t('loading')));
        const day = h('input', {type: 'date', id: 'vendor-day', value: this.day, onchange: (e) => this.showDay(e.target.value)});
        replace(this.el, title,
            h('h3', {}, t('vendors.zones', {n: this.zones.length})), this.zones.length ? this.zonesTable() : h('p', {class: 'hint'}, t('vendors.noZones')),
            h('h3', {}, t('vendors.registered', {n: this.vendors.length, r: this.offenders.length})),
            this.vendors.length ? this.vendorsTable() : h('p', {class: 'hint'}, t('vendors.none')),
            h('h3', {}, t('vendors.sightings')), h('p', {}, h('label', {for: 'vendor-day'}, t('vendors.day')), ' ', day),
            this.sightingList(),
            h('p', {class: 'hint'}, t('vendors.note')));
    }
}
