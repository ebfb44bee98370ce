// The report form (上报): a problem seen on the street, by anyone, signed in or not — its category,
// a description, photos from the camera made small here (photos.js), and the spot from the phone's
// position or a pin on the map. Before it is sent it says who will receive it, from the lookup at the
// spot by the rule the server routes by; after, the receipt's tracking number and link.
import {Marker} from 'maplibre-gl';

import {api} from './api.js';
import {h, replace} from './dom.js';
import {lang, t} from './i18n/index.js';
import {MAX_PHOTOS, NotAnImage, compress} from './photos.js';

// Beyond this a fix may put the report in the next lane, so the reporter is told to check the pin.
const POOR_ACCURACY_M = 100;

// recipient is who a report at the spot of lookup answer a goes to, as internal/incidents routes it
// (routeAnswer, lookup.Answer.Assignee): an area manager of an area the spot lies in, else the
// community's lane chief, else the subdistrict's street chief; with every post vacant the
// subdistrict's office, outside every subdistrict the district duty desk.
export function recipient(a) {
    for (const area of a.areas || []) {
        if (area.distance_m > 0) continue;
        const p = (area.responsible || []).find((r) => r.role === 'area_manager');
        if (p) return {name: p.name, role: 'area_manager', unit: area.name};
    }
    if (a.community?.lane_chief) return {name: a.community.lane_chief.name, role: 'lane_chief', unit: a.community.name};
    if (a.subdistrict?.street_chief) return {name: a.subdistrict.street_chief.name, role: 'street_chief', unit: a.subdistrict.name};
    if (!a.community && !a.subdistrict) return {desk: true};
    return {office: a.subdistrict?.name || ''};
}

export function recipientText(r) {
    if (r.desk) return t('report.toDesk');
    if (r.office !== undefined) return t('report.toOffice', {unit: r.office});
    return t('report.toPerson', {name: r.name, post: t(`role.${r.role}`), unit: r.unit});
}

// newKey is an Idempotency-Key; getRandomValues works where randomUUID (secure contexts only) may not.
function newKey() {
    const b = crypto.getRandomValues(new Uint8Array(16));
    return `web-${[...b].map((x) => x.toString(16).padStart(2, '0')).join('')}`;
}

export function trackingLink(number, token) {
    const q = new URLSearchParams({track: number});
    if (token) q.set('token', token);
    return `${location.origin}/#${q.toString()}`;
}

// contactKind says which contact the deployment can reach a reporter at: phone, email or either.
function contactKind(channels) {
    const sms = channels.includes('sms');
    const email = channels.includes('email');
    if (sms && email) return 'either';
    return sms ? 'sms' : 'email';
}

export class ReportPanel {
    constructor(el, {map, session, toast, onReported}) {
        this.el = el;
        this.map = map;
        this.session = session;
        this.toast = toast;
        this.onReported = onReported; // (receipt): a new case, for the lists and maps that show cases
        this.categories = [];
        this.marker = null;
        this.reset();
    }

    reset() {
        for (const p of this.photos || []) URL.revokeObjectURL(p.url);
        this.parent = '';
        this.category = '';
        this.description = '';
        this.contact = '';
        this.photos = [];
        this.photoError = '';
        this.point = null; // {lon, lat, accuracy?}
        this.locating = false;
        this.locateError = '';
        this.answer = null;
        this.lookupError = '';
        this.sending = false;
        this.sendError = '';
        this.receipt = null;
        this.key = '';
        this.marker?.remove();
        this.marker = null;
    }

    async start() {
        try {
            this.categories = await api.publicCategories();
        } catch (e) {
            this.toast(t('error.generic', {detail: e.detail}), true);
        }
        this.render();
    }

    name(c) {
        return lang() === 'zh' ? c.name_zh : c.name_en;
    }

    // changed marks the form edited: a new send is a new report with a new key.
    changed() {
        this.key = '';
        this.sendError = '';
    }

    // show puts the pin on the map while the form is open, and takes it off when it is not.
    show(on) {
        this.visible = on;
        if (!this.marker) return;
        if (on) this.marker.addTo(this.map);
        else this.marker.remove();
    }

    // setPoint is a spot from the map (a click or the pin dragged) or from the device.
    async setPoint(lon, lat, accuracy) {
        this.point = {lon, lat, accuracy};
        this.changed();
        if (!this.marker) {
            this.marker = new Marker({draggable: true, color: '#d9480f'});
            this.marker.getElement().id = 'report-pin';
            this.marker.on('dragend', () => {
                const ll = this.marker.getLngLat();
                this.setPoint(ll.lng, ll.lat);
            });
        }
        this.marker.setLngLat([lon, lat]);
        if (this.visible) this.marker.addTo(this.map);
        this.answer = null;
        this.lookupError = '';
        this.render();
        const asked = this.point;
        try {
            const answer = await api.lookup(lon, lat);
            if (asked !== this.point) return; // a later spot won
            this.answer = answer;
        } catch (e) {
            if (asked !== this.point) return;
            this.lookupError = e.status ? t('error.generic', {detail: e.detail}) : t('error.network');
        }
        this.render();
    }

    locate() {
        if (!navigator.geolocation) {
            this.locateError = t('report.noGeolocation');
            this.render();
            return;
        }
        this.locating = true;
        this.locateError = '';
        this.render();
        navigator.geolocation.getCurrentPosition((pos) => {
            this.locating = false;
            const {longitude: lon, latitude: lat, accuracy} = pos.coords;
            this.map.easeTo({center: [lon, lat], zoom: Math.max(this.map.getZoom(), 17)});
            this.setPoint(lon, lat, accuracy);
        }, (err) => {
            this.locating = false;
            this.locateError = err.code === err.PERMISSION_DENIED ? t('report.locateDenied') : t('report.locateFailed');
            this.render();
        }, {enableHighAccuracy: true, timeout: 20000, maximumAge: 0});
    }

    async addPhotos(files) {
        this.photoError = '';
        this.changed();
        for (const file of files) {
            if (this.photos.length >= MAX_PHOTOS) {
                this.photoError = t('report.tooManyPhotos', {n: MAX_PHOTOS});
                break;
            }
            try {
                const p = await compress(file);
                this.photos.push({...p, url: URL.createObjectURL(p.blob)});
            } catch (e) {
                if (!(e instanceof NotAnImage)) throw e;
                this.photoError = t('report.notAnImage', {name: file.name});
            }
        }
        this.render();
    }

    removePhoto(i) {
        URL.revokeObjectURL(this.photos[i].url);
        this.photos.splice(i, 1);
        this.photoError = '';
        this.changed();
        this.render();
    }

    missing() {
        if (!this.category) return t('report.needCategory');
        if (!this.point) return t('report.needPoint');
        return '';
    }

    async send() {
        if (this.sending || this.missing()) return;
        this.sending = true;
        this.sendError = '';
        // Kept until the form changes, so a second tap or a retry after a lost answer is the same report.
        this.key ||= newKey();
        const form = new FormData();
        form.set('category', this.category);
        form.set('description', this.description);
        form.set('lon', String(this.point.lon));
        form.set('lat', String(this.point.lat));
        form.set('crs', 'wgs84'); // the device and the map both give WGS-84
        if (this.contact.trim()) form.set('contact', this.contact.trim());
        this.photos.forEach((p, i) => form.append('photos', p.blob, `photo-${i + 1}.jpg`));
        this.render();
        try {
            const rc = await api.report(form, this.key);
            this.reset();
            this.receipt = rc;
            this.onReported?.(rc);
        } catch (e) {
            this.sendError = e.status ? t('error.generic', {detail: e.detail}) : t('report.offline');
        }
        this.sending = false;
        this.render();
    }

    render() {
        if (this.receipt) return replace(this.el, this.receiptView());
        const s = this.session();
        const parents = this.categories.filter((c) => !c.parent);
        const subs = this.categories.filter((c) => c.parent === this.parent && c.selectable);
        const missing = this.missing();
        replace(this.el,
            h('h2', {}, t('report.title')),
            h('p', {class: 'hint'}, s.signed_in ? t('report.asUser', {user: s.user.username}) : t('report.asPublic')),
            h('form', {id: 'report-form', class: 'report-form', onsubmit: (e) => {
                e.preventDefault();
                this.send();
            }},
            h('label', {}, t('report.category'),
                h('select', {id: 'report-parent', onchange: (e) => {
                    this.parent = e.target.value;
                    const only = this.categories.filter((c) => c.parent === this.parent && c.selectable);
                    this.category = only.length === 1 ? only[0].code : '';
                    this.changed();
                    this.render();
                }}, h('option', {value: ''}, t('report.pickParent')),
                parents.map((c) => h('option', {value: c.code, selected: c.code === this.parent}, this.name(c))))),
            this.parent && h('label', {}, t('report.subcategory'),
                h('select', {id: 'report-category', onchange: (e) => {
                    this.category = e.target.value;
                    this.changed();
                    this.render();
                }}, h('option', {value: ''}, t('report.pickCategory')),
                subs.map((c) => h('option', {value: c.code, selected: c.code === this.category}, this.name(c))))),
            h('label', {}, t('report.description'),
                h('textarea', {id: 'report-description', rows: 3, maxlength: 4000, placeholder: t('report.descriptionHint'),
                    oninput: (e) => {
                        this.description = e.target.value;
                        this.changed();
                    }}, this.description)),
            this.photosView(),
            this.pointView(),
            !s.signed_in && (s.reporter_channels || []).length > 0 && h('label', {}, t(`report.contact.${contactKind(s.reporter_channels)}`),
                h('input', {id: 'report-contact', type: 'text', inputmode: 'email', autocomplete: 'tel', maxlength: 320,
                    placeholder: t('report.contactHint'), value: this.contact, oninput: (e) => {
                        this.contact = e.target.value;
                        this.changed();
                    }})),
            this.sendError && h('p', {class: 'bad', id: 'report-error'}, this.sendError),
            h('button', {type: 'submit', class: 'primary', id: 'report-submit', disabled: this.sending || !!missing},
                this.sending ? t('report.sending') : t('report.send')),
            missing && h('span', {class: 'hint report-missing'}, ` ${missing}`)),
            this.trackBox());
    }

    photosView() {
        return h('div', {class: 'report-photos'},
            h('div', {class: 'row'}, h('span', {}, t('report.photos', {n: this.photos.length, max: MAX_PHOTOS})),
                h('label', {class: `secondary file-button${this.photos.length >= MAX_PHOTOS ? ' disabled' : ''}`}, t('report.addPhoto'),
                    h('input', {type: 'file', id: 'report-photos', accept: 'image/*', capture: 'environment', multiple: true,
                        disabled: this.photos.length >= MAX_PHOTOS, onchange: (e) => {
                            const files = [...e.target.files];
                            e.target.value = '';
                            this.addPhotos(files);
                        }}))),
            this.photos.length > 0 && h('ul', {class: 'report-thumbs'}, this.photos.map((p, i) => h('li', {},
                h('img', {src: p.url, alt: t('report.photoN', {n: i + 1}), width: 72, height: 72}),
                h('button', {type: 'button', class: 'thumb-remove', title: t('report.removePhoto'), 'aria-label': t('report.removePhoto'),
                    onclick: () => this.removePhoto(i)}, '×')))),
            this.photoError && h('p', {class: 'bad', id: 'report-photo-error'}, this.photoError));
    }

    pointView() {
        const p = this.point;
        let to = null;
        if (this.lookupError) to = h('p', {class: 'bad'}, this.lookupError);
        else if (p && !this.answer) to = h('p', {class: 'hint'}, t('loading'));
        else if (this.answer) to = h('p', {id: 'report-recipient', class: 'report-recipient'}, recipientText(recipient(this.answer)));
        return h('div', {class: 'report-point'},
            h('div', {class: 'row'}, h('span', {}, t('report.where')),
                h('button', {type: 'button', class: 'secondary', id: 'report-locate', disabled: this.locating, onclick: () => this.locate()},
                    this.locating ? t('report.locating') : t('report.locate'))),
            h('p', {class: 'hint'}, t('report.pinHint')),
            this.locateError && h('p', {class: 'bad'}, this.locateError),
            p && h('p', {id: 'report-coords', class: 'muted'}, t('lookup.coords', {lon: p.lon.toFixed(6), lat: p.lat.toFixed(6)}),
                p.accuracy != null && h('span', {id: 'report-accuracy'}, ` · ${t('report.accuracy', {m: Math.round(p.accuracy)})}`)),
            p?.accuracy > POOR_ACCURACY_M && h('p', {class: 'bad', id: 'report-accuracy-warning'}, t('report.poorAccuracy', {m: POOR_ACCURACY_M})),
            to);
    }

    receiptView() {
        const rc = this.receipt;
        // A retry answered from a key remembered before receipts had numbers carries none.
        if (!rc.tracking_number) return h('div', {class: 'report-receipt', id: 'report-receipt'}, h('h2', {}, t('report.thanks')));
        const link = trackingLink(rc.tracking_number, rc.verification_token);
        const copy = async (text) => {
            try {
                await navigator.clipboard.writeText(text);
                this.toast(t('report.copied'));
            } catch {
                this.toast(t('report.copyFailed'), true);
            }
        };
        return h('div', {class: 'report-receipt', id: 'report-receipt'},
            h('h2', {}, t('report.thanks')),
            h('p', {}, t('report.numberIs')),
            h('div', {class: 'row'}, h('strong', {id: 'report-number', class: 'tracking-number'}, rc.tracking_number),
                h('button', {type: 'button', class: 'secondary', onclick: () => copy(rc.tracking_number)}, t('report.copy'))),
            h('p', {class: 'hint'}, rc.assignee
                ? t('report.sentTo', {name: rc.assignee.name, post: t(`role.${rc.assignee.role}`)})
                : t(rc.queue === 'district_desk' ? 'report.toDesk' : 'report.toOffice', {unit: rc.subdistrict?.name || ''})),
            h('label', {}, t('report.link'), h('input', {id: 'report-link', readonly: true, value: link, onfocus: (e) => e.target.select()})),
            h('div', {class: 'row'},
                h('button', {type: 'button', class: 'secondary', onclick: () => copy(link)}, t('report.copyLink')),
                h('a', {href: link, id: 'report-track', class: 'button-link'}, t('report.follow'))),
            h('p', {class: 'hint'}, t('report.keepLink')),
            h('button', {type: 'button', class: 'link', id: 'report-another', onclick: () => {
                this.receipt = null;
                this.render();
            }}, t('report.another')));
    }

    trackBox() {
        return h('form', {class: 'track-box', id: 'track-form', onsubmit: (e) => {
            e.preventDefault();
            const n = e.target.elements.number.value.trim();
            if (n) location.hash = `#${new URLSearchParams({track: n})}`;
        }}, h('h3', {}, t('track.title')),
        h('div', {class: 'row'}, h('input', {name: 'number', id: 'track-number', placeholder: 'XXXX-XXXX-XXXX', autocomplete: 'off',
            'aria-label': t('track.number'), maxlength: 40}), h('button', {type: 'submit', class: 'secondary'}, t('track.go'))));
    }
}
