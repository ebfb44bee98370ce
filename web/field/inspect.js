// Inspecting a shop (门前三包 检查): the check-in takes the GPS fix and its accuracy at the moment the
// form opens (that moment is the inspection's time); the three duties as taps, ok or a violation
// with its incident category; photos from the camera, made small here; a note. A violation the
// shopkeeper refuses to correct is sent with refused=true in one tap: the server hands it to the
// street chief as a case.
import {h, replace} from '../src/dom.js';
import {MAX_PHOTOS, NotAnImage, compress} from '../src/photos.js';
import {beijingDay, lang, metres, t, time} from './i18n/index.js';
import {newKey} from './outbox.js';
import {NoPosition, currentFix, distanceM} from './position.js';
import {kv} from './store.js';
import {categories, categoryName} from './today.js';

export const ITEMS = ['sanitation', 'order', 'greenery'];
// The categories offered first for a violation of each duty; the rest of the catalogue follows.
const SUGGESTED = {
    sanitation: ['sanitation', '01-01', '01-03', '06-01'],
    order: ['05-03', 'street_occupying', 'random_piling', '05-06', '05-05'],
    greenery: ['damaged_greenery', '01-05'],
};
export const PHOTO_QUALITY = 0.7;
// A fix this fresh from the patrol's watch is the position at check-in.
const RECENT_MS = 10000;

// PhotoPicker is the camera button and the thumbnails, shared by every form that takes photos.
export class PhotoPicker {
    constructor(onChange) {
        this.onChange = onChange;
        this.photos = []; // {blob, url}
        this.error = '';
    }

    async add(files) {
        this.error = '';
        for (const file of files) {
            if (this.photos.length >= MAX_PHOTOS) {
                this.error = t('photo.tooMany', {n: MAX_PHOTOS});
                break;
            }
            try {
                const p = await compress(file, {quality: PHOTO_QUALITY});
                this.photos.push({blob: p.blob, url: URL.createObjectURL(p.blob)});
            } catch (e) {
                if (!(e instanceof NotAnImage)) throw e;
                this.error = t('photo.notImage', {name: file.name});
            }
        }
        this.onChange();
    }

    remove(i) {
        URL.revokeObjectURL(this.photos[i].url);
        this.photos.splice(i, 1);
        this.onChange();
    }

    blobs() {
        return this.photos.map((p) => p.blob);
    }

    node() {
        return h('div', {class: 'photos'},
            h('label', {class: 'button big secondary'}, t('photo.take', {n: this.photos.length, max: MAX_PHOTOS}),
                h('input', {type: 'file', accept: 'image/*', capture: 'environment', multiple: true, class: 'photo-input', hidden: true,
                    onchange: (e) => this.add([...e.target.files])})),
            h('div', {class: 'thumbs'}, this.photos.map((p, i) => h('button', {type: 'button', class: 'thumb', title: t('photo.remove'),
                onclick: () => this.remove(i)}, h('img', {src: p.url, alt: ''})))),
            this.error && h('p', {class: 'bad'}, this.error));
    }
}

// Fix is the GPS fix of a record, taken when the form opens and taken again on request.
export class FixTaker {
    // recent answers a fix the device took moments ago (the patrol's), which serves as well.
    constructor(onChange, recent = () => null) {
        this.onChange = onChange;
        this.recent = recent;
        this.fix = null;
        this.error = '';
        this.busy = false;
    }

    async take() {
        this.busy = true;
        this.error = '';
        this.onChange();
        try {
            const recent = this.recent();
            this.fix = recent && Date.now() - Date.parse(recent.at) < RECENT_MS ? {...recent, taken: new Date().toISOString()} : await currentFix();
        } catch (e) {
            this.error = e instanceof NoPosition && e.denied ? t('fix.denied') : t('fix.failed');
        }
        this.busy = false;
        this.onChange();
    }

    node(place) {
        const f = this.fix;
        return h('div', {class: 'fix', id: 'fix'},
            this.busy ? h('span', {}, t('fix.taking'))
                : f ? h('span', {}, t('fix.at', {time: time(f.at), acc: Math.round(f.accuracy_m)}),
                    place && h('small', {}, ` · ${t('fix.from', {d: metres(distanceM(f, place))})}`),
                    f.accuracy_m > 50 && h('small', {class: 'bad'}, ` ${t('fix.poor')}`))
                    : h('span', {class: 'bad'}, this.error || t('fix.none')),
            h('button', {type: 'button', class: 'secondary', onclick: () => this.take()}, t('fix.again')));
    }
}

export class InspectScreen {
    constructor(app, shop) {
        this.app = app;
        this.shop = shop;
        this.results = {}; // item → {ok, category}
        this.note = '';
        this.cats = [];
        this.error = '';
        this.photos = new PhotoPicker(() => this.draw());
        this.fix = new FixTaker(() => this.draw(), () => app.patrol.lastFix);
        this.fix.take();
        categories().then((c) => {
            this.cats = c.filter((x) => x.selectable);
            this.draw();
        });
    }

    render(el) {
        this.el = el;
        this.draw();
    }

    set(item, ok) {
        const prev = this.results[item];
        this.results[item] = ok ? {ok: true} : {ok: false, category: prev?.category || SUGGESTED[item][0]};
        this.draw();
    }

    options(item) {
        const first = SUGGESTED[item].filter((c) => this.cats.some((x) => x.code === c));
        const rest = this.cats.filter((x) => !first.includes(x.code)).map((x) => x.code);
        return [...(first.length ? first : SUGGESTED[item]), ...rest];
    }

    violations() {
        return ITEMS.filter((i) => this.results[i] && !this.results[i].ok);
    }

    draw() {
        if (!this.el) return;
        const place = {lon: this.shop.lon, lat: this.shop.lat};
        const anyBad = this.violations().length > 0;
        replace(this.el,
            h('div', {class: 'row spread'},
                h('button', {type: 'button', class: 'secondary', id: 'inspect-back', onclick: () => this.app.go('today')}, t('back')),
                h('h2', {}, t('inspect.title'))),
            h('div', {class: 'card'}, h('strong', {}, this.shop.name), h('small', {}, ` ${this.shop.address || ''}`)),
            this.fix.node(place),
            ITEMS.map((item) => {
                const r = this.results[item];
                return h('fieldset', {class: 'duty', 'data-item': item},
                    h('legend', {}, t(`item.${item}`)),
                    h('div', {class: 'pair'},
                        h('button', {type: 'button', class: `big ${r?.ok ? 'on ok' : ''}`, 'data-ok': item, onclick: () => this.set(item, true)}, t('inspect.ok')),
                        h('button', {type: 'button', class: `big ${r && !r.ok ? 'on bad' : ''}`, 'data-bad': item, onclick: () => this.set(item, false)}, t('inspect.bad'))),
                    r && !r.ok && h('select', {'data-category': item, onchange: (e) => (this.results[item].category = e.target.value)},
                        this.options(item).map((code) => h('option', {value: code, selected: code === r.category},
                            categoryName(this.cats, code, lang())))));
            }),
            this.photos.node(),
            h('label', {}, t('inspect.note'), h('textarea', {id: 'inspect-note', rows: 2, maxlength: 2000,
                oninput: (e) => (this.note = e.target.value)}, this.note)),
            this.error && h('p', {class: 'bad', id: 'inspect-error'}, this.error),
            h('button', {type: 'button', class: 'primary big', id: 'inspect-submit', onclick: () => this.submit(false)}, t('inspect.submit')),
            anyBad && h('button', {type: 'button', class: 'danger big', id: 'inspect-refused', onclick: () => this.submit(true)}, t('inspect.refused')),
            anyBad && h('p', {class: 'hint'}, t('inspect.refusedHint')));
    }

    async submit(refused) {
        const missing = ITEMS.filter((i) => !this.results[i]);
        if (missing.length) this.error = t('inspect.needItems', {items: missing.map((i) => t(`item.${i}`)).join('、')});
        else if (!this.fix.fix) this.error = t('inspect.needFix');
        else this.error = '';
        if (this.error) {
            this.draw();
            return;
        }
        const f = this.fix.fix;
        const fields = {merchant_id: String(this.shop.id), at: f.taken || f.at, lon: String(f.lon), lat: String(f.lat), accuracy_m: String(f.accuracy_m),
            results: ITEMS.map((item) => ({item, ...this.results[item]})), refused: String(refused), note: this.note.trim()};
        await this.app.record({key: newKey(), idempotent: true, kind: 'inspection', label: this.shop.name, merchant_id: this.shop.id,
            method: 'POST', path: '/api/v1/inspections', photoEncoding: 'multipart', fields, photos: this.photos.blobs(),
            position: {lon: f.lon, lat: f.lat, accuracy_m: f.accuracy_m}, made_at: f.taken || f.at});
        const day = `inspected:${beijingDay()}`;
        await kv.set(day, {...((await kv.get(day)) || {}), [this.shop.id]: true});
        this.app.toast(refused ? t('inspect.savedRefused', {name: this.shop.name}) : t('inspect.saved', {name: this.shop.name}));
        this.app.go('today');
    }
}
