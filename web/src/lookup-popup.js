// The lookup popup: click anywhere on the map and it asks /api/v1/lookup who answers for that spot —
// the covering areas and their people, the community's lane chief, the subdistrict's street chief and
// its other posts (departments' leaders and responsible people, linked leaders, cross-appointees) —
// now, or at the moment picked in its date field ("who was responsible then").
import {Popup} from 'maplibre-gl';

import {api} from './api.js';
import {h} from './dom.js';
import {t} from './i18n/index.js';
import {shopView, shopsNear} from './merchants.js';
import {compoundPartners, partnersView} from './partners.js';

// The city's clock: a picked local date and time is Beijing time.
const CITY_OFFSET = '+08:00';

export class LookupPopup {
    constructor(map, signedIn = () => false, mayPartners = () => false) {
        this.map = map;
        this.mayPartners = mayPartners; // a compound's property manager, teams and representatives
        this.compounds = new Map();
        this.signedIn = signedIn; // the shops near a click are answered to signed-in callers only
        this.shops = [];
        this.at = ''; // datetime-local value; empty means now
        this.popup = null;
        this.lngLat = null;
        this.answer = null;
        this.error = null;
    }

    async show(lngLat) {
        this.lngLat = lngLat;
        if (!this.popup || !this.popup.isOpen()) {
            this.popup = new Popup({maxWidth: 'min(340px, calc(100vw - 24px))', className: 'lookup-popup', focusAfterOpen: false});
        }
        this.popup.setLngLat(lngLat).addTo(this.map);
        await this.query();
    }

    async query() {
        const ll = this.lngLat;
        this.answer = null;
        this.error = null;
        this.shops = [];
        this.render();
        try {
            const at = this.at ? `${this.at.length === 16 ? `${this.at}:00` : this.at}${CITY_OFFSET}` : undefined;
            const [answer, shops] = await Promise.all([api.lookup(ll.lng, ll.lat, at),
                this.signedIn() ? shopsNear(ll.lng, ll.lat) : []]);
            const compounds = this.mayPartners() ? await compoundPartners(answer.areas, at) : new Map();
            if (ll !== this.lngLat) return; // a later click won
            this.answer = answer;
            this.compounds = compounds;
            this.shops = shops;
        } catch (e) {
            this.error = e.status ? t('error.generic', {detail: e.detail}) : t('error.network');
        }
        this.render();
    }

    render() {
        if (!this.popup || !this.popup.isOpen()) return;
        const when = h('label', {class: 'lookup-at'}, t('lookup.at'), ' ',
            h('input', {type: 'datetime-local', id: 'lookup-at', value: this.at, onchange: (e) => {
                this.at = e.target.value;
                this.query();
            }}),
            this.at && h('button', {type: 'button', class: 'link', onclick: () => {
                this.at = '';
                this.query();
            }}, t('lookup.now')));
        let body;
        if (this.error) body = h('p', {class: 'bad'}, this.error);
        else if (!this.answer) body = h('p', {class: 'hint'}, t('loading'));
        else body = h('div', {}, shopView(this.shops), answerView(this.answer, this.compounds));
        this.popup.setDOMContent(h('div', {class: 'lookup'}, h('h3', {}, t('lookup.title')), when, body));
    }

    close() {
        this.popup?.remove();
    }

    // relabel redraws an open popup in the new language.
    relabel() {
        this.render();
    }
}

function person(p, roleKey) {
    if (!p) return h('span', {class: 'bad'}, t('lookup.vacant'));
    return h('span', {class: 'person'},
        h('strong', {}, p.name),
        roleKey !== false && h('span', {class: 'muted'}, ` ${t(`role.${roleKey || p.role}`)}`),
        p.phone && h('a', {href: `tel:${p.phone}`, class: 'phone', title: t('lookup.phone')}, ` ☎ ${p.phone}`));
}

// subdistrictPosts lists, folded, the other posts over the subdistrict: linked leaders,
// cross-appointees, and each department's leaders and responsible people with their level.
function subdistrictPosts(posts) {
    if (!posts.length) return null;
    return h('details', {class: 'lookup-posts', id: 'lookup-posts'}, h('summary', {}, t('lookup.posts', {n: posts.length})),
        h('ul', {class: 'people'}, posts.map((p) => h('li', {class: p.deputy ? 'deputy' : null, dataset: {role: p.role}},
            p.department && h('span', {}, `${p.department} `),
            h('span', {class: 'muted'}, `${t(`role.${p.role}`)}${p.level ? ` · ${t(`level.${p.level}`)}` : ''} `),
            h('strong', {}, p.name), p.deputy && h('span', {class: 'muted'}, t('lookup.deputy')),
            p.phone && h('a', {href: `tel:${p.phone}`, class: 'phone', title: t('lookup.phone')}, ` ☎ ${p.phone}`)))));
}

function answerView(a, compounds = new Map()) {
    const areas = a.areas || [];
    const parts = [];
    parts.push(h('h4', {}, t('lookup.areas')));
    if (!areas.length) {
        parts.push(h('p', {class: 'hint'}, t('lookup.noArea')));
    } else {
        parts.push(h('ul', {class: 'lookup-areas'}, areas.map((ar) => h('li', {dataset: {area: ar.id}},
            h('div', {}, h('strong', {}, ar.name), h('span', {class: 'muted'}, ` ${t(`kind.${ar.kind}`)}`),
                ar.distance_m > 0 && h('span', {class: 'muted'}, ` · ${t('lookup.distance', {m: Math.round(ar.distance_m)})}`)),
            ar.responsible && ar.responsible.length
                ? h('ul', {class: 'people'}, ar.responsible.map((p) => h('li', {}, person(p))))
                : h('div', {class: 'bad'}, t('legend.uncovered')),
            compounds.has(ar.id) && partnersView(compounds.get(ar.id))))));
    }
    if (a.community) {
        parts.push(h('div', {class: 'unit'}, h('span', {class: 'muted'}, `${t('lookup.community')} `), h('strong', {}, a.community.name),
            h('div', {}, `${t('lookup.laneChief')}${t('colon')}`, person(a.community.lane_chief, false))));
    }
    if (a.subdistrict) {
        parts.push(h('div', {class: 'unit'}, h('span', {class: 'muted'}, `${t('lookup.subdistrict')} `), h('strong', {}, a.subdistrict.name),
            h('div', {}, `${t('lookup.streetChief')}${t('colon')}`, person(a.subdistrict.street_chief, false)),
            subdistrictPosts(a.subdistrict.posts || [])));
    }
    if (!a.community && !a.subdistrict) parts.push(h('p', {class: 'bad'}, t('lookup.outside')));
    parts.push(h('p', {class: 'coords muted'}, t('lookup.coords', {lon: a.lon.toFixed(5), lat: a.lat.toFixed(5)})));
    return h('div', {}, parts);
}

