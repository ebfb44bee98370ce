// The two quick records of the street: a case reported (上报问题: category, description, photos, the
// spot and time it was seen) and a vendor sighted (发现摊贩: a registered vendor or none). Both keep
// the fix and time of the moment the form opened, and wait in the outbox like every record.
import {h, replace} from '../src/dom.js';
import {lang, t} from './i18n/index.js';
import {FixTaker, PhotoPicker} from './inspect.js';
import {newKey} from './outbox.js';
import {categories} from './today.js';

class QuickForm {
    constructor(app) {
        this.app = app;
        this.note = '';
        this.error = '';
        this.photos = new PhotoPicker(() => this.draw());
        this.fix = new FixTaker(() => this.draw(), () => app.patrol.lastFix);
        this.fix.take();
    }

    render(el) {
        this.el = el;
        this.draw();
    }

    page(title, ...body) {
        replace(this.el,
            h('div', {class: 'row spread'},
                h('button', {type: 'button', class: 'secondary', onclick: () => this.back()}, t('back')),
                h('h2', {}, title)),
            this.fix.node(null),
            body,
            this.photos.node(),
            h('label', {}, t('quick.note'), h('textarea', {id: 'quick-note', rows: 3, maxlength: 2000,
                oninput: (e) => (this.note = e.target.value)}, this.note)),
            this.error && h('p', {class: 'bad', id: 'quick-error'}, this.error),
            h('button', {type: 'button', class: 'primary big', id: 'quick-submit', onclick: () => this.submit()}, t('quick.submit')));
    }

    back() {
        this.app.go(this.app.patrol.active() && this.from === 'patrol' ? 'patrol' : 'today');
    }

    ready() {
        this.error = this.fix.fix ? this.missing() : t('inspect.needFix');
        if (this.error) this.draw();
        return !this.error;
    }

    missing() {
        return '';
    }
}

export class ReportScreen extends QuickForm {
    constructor(app, arg) {
        super(app);
        this.from = arg?.from;
        this.category = '';
        this.cats = [];
        categories().then((c) => {
            this.cats = c.filter((x) => x.selectable);
            this.draw();
        });
    }

    draw() {
        if (!this.el) return;
        const name = (c) => (lang() === 'zh' ? c.name_zh : c.name_en);
        this.page(t('report.title'),
            h('label', {}, t('report.category'), h('select', {id: 'report-category', onchange: (e) => (this.category = e.target.value)},
                h('option', {value: ''}, t('report.pick')),
                this.cats.map((c) => h('option', {value: c.code, selected: c.code === this.category}, name(c))))));
    }

    missing() {
        return this.category ? '' : t('report.needCategory');
    }

    async submit() {
        if (!this.ready()) return;
        const f = this.fix.fix;
        const fields = {category: this.category, lon: String(f.lon), lat: String(f.lat), accuracy_m: String(f.accuracy_m),
            observed_at: f.taken || f.at, description: this.note.trim() || t('report.noDescription')};
        await this.app.record({key: newKey(), idempotent: true, kind: 'incident', label: t('report.title'), method: 'POST',
            path: '/api/v1/incidents', photoEncoding: 'multipart', fields, photos: this.photos.blobs(),
            position: {lon: f.lon, lat: f.lat, accuracy_m: f.accuracy_m}, made_at: f.taken || f.at});
        this.app.toast(t('quick.saved'));
        this.back();
    }
}

export class SightingScreen extends QuickForm {
    constructor(app, arg) {
        super(app);
        this.from = arg?.from;
        this.vendor = arg?.vendor || null;
    }

    draw() {
        if (!this.el) return;
        this.page(t('sighting.title'),
            h('div', {class: 'card'}, this.vendor
                ? [h('strong', {}, this.vendor.name), h('small', {}, ` ${this.vendor.goods || ''}`)]
                : h('span', {}, t('sighting.unregistered'))));
    }

    async submit() {
        if (!this.ready()) return;
        const f = this.fix.fix;
        const body = {lon: f.lon, lat: f.lat, accuracy_m: f.accuracy_m, at: f.taken || f.at, note: this.note.trim()};
        if (this.vendor) body.vendor_id = this.vendor.id;
        await this.app.record({key: newKey(), idempotent: true, kind: 'sighting', label: this.vendor?.name || t('sighting.title'),
            method: 'POST', path: '/api/v1/vendor-sightings', photoEncoding: 'base64', body, photos: this.photos.blobs(),
            position: {lon: f.lon, lat: f.lat, accuracy_m: f.accuracy_m}, made_at: f.taken || f.at});
        this.app.toast(t('quick.saved'));
        this.back();
    }
}
