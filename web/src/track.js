// Following a report (#track=<number>[&token=…]): where it stands, in words, for whoever has the
// receipt's number, without signing in; and, for the reporter — the link with the receipt's token —
// the confirm or dispute of a resolution (POST …/verification with that token).
import {Marker} from 'maplibre-gl';

import {api} from './api.js';
import {h, replace} from './dom.js';
import {formatTime, lang, t} from './i18n/index.js';
import {STATUS_COLORS} from './map-style.js';

// placeWords says where a case is: the area, community and subdistrict, and the nearest road.
export function placeWords(place, address) {
    if (!place) return address || '';
    const parts = [];
    if (place.area) parts.push(`${place.area.name} (${t(`kind.${place.area.kind}`)})`);
    if (place.community) parts.push(place.community.name);
    if (place.subdistrict) parts.push(place.subdistrict.name);
    if (!parts.length) parts.push(t('lookup.outside'));
    if (place.road) parts.push(t('track.nearRoad', {road: place.road.name, m: place.road.distance_m}));
    return parts.join(' · ');
}

function withWords(w) {
    if (w.name) return t('track.withPerson', {name: w.name, post: t(`role.${w.post}`)});
    if (w.departments) return t('track.withDepartments', {departments: w.departments});
    if (w.queue === 'subdistrict') return t('report.toOffice', {unit: w.subdistrict || ''});
    return t('report.toDesk');
}

function eventWords(e) {
    switch (e.kind) {
    case 'reported':
        return t('track.event.reported', {status: t(`status.${e.to}`)});
    case 'transition':
        return t('track.event.transition', {status: t(`status.${e.to}`)});
    case 'verification':
        return t('track.event.verification', {outcome: t(`eventText.outcome.${e.outcome}`), by: t(`track.by.${e.by}`)});
    default:
        return t(`track.event.${e.kind}`);
    }
}

export class TrackPanel {
    constructor(el, {map, toast, categories}) {
        this.el = el;
        this.map = map;
        this.marker = null;
        this.toast = toast;
        this.categories = categories; // () → the catalogue, for the category's name
        this.number = '';
        this.token = '';
        this.data = null;
        this.error = '';
        this.busy = false;
    }

    async open(number, token) {
        if (number === this.number && token === this.token && this.data) return;
        this.number = number;
        this.token = token;
        this.data = null;
        this.error = '';
        this.render();
        try {
            this.data = await api.tracking(number, token || undefined);
            this.place();
        } catch (e) {
            this.error = ({404: t('track.unknown'), 422: t('track.malformed'), 403: t('track.badToken')})[e.status] ||
                (e.status ? t('error.generic', {detail: e.detail}) : t('error.network'));
        }
        this.render();
    }

    // place marks the case's spot on the map while the tracking view is open.
    place() {
        const d = this.data;
        if (!d || !this.visible) return;
        this.marker ||= new Marker({color: '#3949ab'});
        this.marker.getElement().id = 'track-pin';
        this.marker.setLngLat([d.lon, d.lat]).addTo(this.map);
        this.map.easeTo({center: [d.lon, d.lat], zoom: Math.max(this.map.getZoom(), 16)});
    }

    show(on) {
        this.visible = on;
        if (on) this.place();
        else this.marker?.remove();
    }

    async verify(outcome, note) {
        this.busy = true;
        this.render();
        try {
            await api.verify(this.data.id, {outcome, note, token: this.token});
            this.toast(t(outcome === 'confirmed' ? 'track.confirmed' : 'track.disputed'));
            this.data = null;
            const {number, token} = this;
            this.number = '';
            await this.open(number, token);
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail}), true);
        }
        this.busy = false;
        this.render();
    }

    categoryName(code) {
        const c = this.categories().find((x) => x.code === code);
        return c ? (lang() === 'zh' ? c.name_zh : c.name_en) : code;
    }

    render() {
        const d = this.data;
        const head = h('h2', {}, t('track.heading'), ' ', h('span', {class: 'tracking-number'}, d?.tracking_number || this.number));
        if (this.error) return replace(this.el, head, h('p', {class: 'bad', id: 'track-error'}, this.error), back());
        if (!d) return replace(this.el, head, h('p', {class: 'hint'}, t('loading')));
        replace(this.el, head,
            h('p', {id: 'track-status', class: 'track-status'},
                h('span', {class: 'badge', style: `background:${STATUS_COLORS[d.status] || '#777'}`}, t(`status.${d.status}`)),
                ' ', t(`track.means.${d.status}`)),
            h('table', {class: 'fields'},
                row(t('track.category'), this.categoryName(d.category)),
                row(t('track.place'), h('span', {id: 'track-place'}, placeWords(d.place, d.address))),
                row(t('track.with'), h('span', {id: 'track-with'}, withWords(d.with))),
                row(t('track.reportedAt'), formatTime(d.reported_at)),
                d.due_at && d.status !== 'resolved' && d.status !== 'closed' && row(t('track.dueAt'), formatTime(d.due_at)),
                row(t('track.photos'), String(d.photos))),
            d.description && h('p', {class: 'description'}, d.description),
            h('h3', {}, t('track.history')),
            h('ol', {class: 'history', id: 'track-history'}, d.events.map((e) => h('li', {},
                h('span', {class: 'muted'}, `${formatTime(e.at)} `), eventWords(e)))),
            d.status === 'resolved' && this.checkView(),
            d.messages && h('p', {id: 'track-messages'}, t('track.messages'), ' ',
                h('button', {type: 'button', class: 'link', id: 'track-stop', disabled: this.busy, onclick: () => this.stopMessages()},
                    t('track.stopMessages'))),
            back());
    }

    async stopMessages() {
        this.busy = true;
        try {
            await api.stopMessages(this.number, this.token);
            this.data = {...this.data, messages: false};
            this.toast(t('track.stopped'));
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail}), true);
        }
        this.busy = false;
        this.render();
    }

    checkView() {
        if (!this.data.reporter) return h('p', {class: 'hint', id: 'track-check-hint'}, t('track.onlyReporter'));
        const note = h('textarea', {id: 'track-note', rows: 2, maxlength: 4000, placeholder: t('track.disputeHint')});
        return h('div', {class: 'actions', id: 'track-check'},
            h('p', {}, t('track.askCheck')),
            h('div', {class: 'row'},
                h('button', {type: 'button', class: 'primary', id: 'track-confirm', disabled: this.busy,
                    onclick: () => this.verify('confirmed', note.value)}, t('track.confirm')),
                h('button', {type: 'button', class: 'danger', id: 'track-dispute', disabled: this.busy, onclick: () => {
                    if (!note.value.trim()) {
                        this.toast(t('track.disputeNeedsNote'), true);
                        note.focus();
                        return;
                    }
                    this.verify('failed', note.value);
                }}, t('track.dispute'))),
            note);
    }
}

function row(label, value) {
    return h('tr', {}, h('th', {}, label), h('td', {}, value));
}

function back() {
    return h('p', {}, h('a', {href: '#report'}, t('track.back')));
}
