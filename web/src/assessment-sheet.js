// One subdistrict's score sheet in the assessment tab: every item's points out of its maximum, a
// computed item's figures and formula, an entered item's mark and note, a spot-check item's drawn
// areas; on a draft, the assessor's (or leader's) inline mark entry with a photo compressed in the
// browser, the reason asked when a mark supersedes one, and the draw of a spot-check sample.
import {api} from './api.js';
import {h} from './dom.js';
import {formatTime, lang, t} from './i18n/index.js';
import {NotAnImage, compress} from './photos.js';

const two = (x) => (x == null ? '—' : Number(x).toFixed(2));
export const itemName = (it) => (lang() === 'en' ? it.name_en : it.name_zh);

// formula says how a computed item's points follow from its figure; the zh text is written here
// because the server's formula is in English.
function formula(it) {
    const f = it.figure;
    if (lang() === 'en') return f.formula;
    return `${two(it.max_points)} × 限于0至1（(数值 − ${f.zero_at}) ÷ (${f.full_at} − ${f.zero_at})），四舍五入到0.01`;
}

function figureText(it) {
    const f = it.figure;
    if (!f.value) return t('assess.figure.none');
    if (f.denominator) return t('assess.figure.ratio', {num: f.numerator, den: f.denominator, pct: (Number(f.value) * 100).toFixed(2)});
    return t('assess.figure.count', {n: f.numerator});
}

async function base64(file) {
    const {blob} = await compress(file);
    return new Promise((resolve, reject) => {
        const r = new FileReader();
        r.onload = () => resolve(String(r.result));
        r.onerror = () => reject(new NotAnImage(file.name));
        r.readAsDataURL(blob);
    });
}

// SheetView draws the sheet of row; mayMark says whether marks may be entered (a draft, a marker);
// done() is called after a mark or a draw so the panel reloads the result.
export class SheetView {
    constructor({period, toast, done}) {
        this.period = period;
        this.toast = toast;
        this.done = done;
        this.open = null; // the item code whose mark form is open
    }

    async saveMark(row, it, form) {
        const msg = form.querySelector('.assess-mark-error');
        const points = form.querySelector('[name=points]').value.trim();
        const note = form.querySelector('[name=note]').value.trim();
        const reason = form.querySelector('[name=reason]')?.value.trim() || '';
        const files = [...(form.querySelector('[name=photo]').files || [])];
        if (!/^\d{1,3}(\.\d{1,2})?$/.test(points) || Number(points) > Number(it.max_points)) {
            msg.textContent = t('assess.mark.badPoints', {max: two(it.max_points)});
            return;
        }
        if (it.mark && !reason) {
            msg.textContent = t('assess.mark.needReason');
            return;
        }
        let photos;
        try {
            photos = await Promise.all(files.slice(0, 6).map(base64));
        } catch {
            msg.textContent = t('assess.mark.badPhoto');
            return;
        }
        const p = this.period();
        try {
            await api.assessmentMark(p.kind, p.label, {subdistrict_id: row.subdistrict_id, item_code: it.code,
                points: Number(points), note, photos, reason});
        } catch (e) {
            msg.textContent = t('error.generic', {detail: e.detail || e.message});
            return;
        }
        this.open = null;
        this.toast(t('assess.mark.saved'));
        this.done();
    }

    // voidMark takes back a mark entered by mistake; it stays on record with the reason.
    async voidMark(it, form) {
        const msg = form.querySelector('.assess-mark-error');
        const reason = form.querySelector('[name=reason]').value.trim();
        if (!reason) {
            msg.textContent = t('assess.mark.needVoidReason');
            return;
        }
        try {
            await api.assessmentVoidMark(it.mark.id, reason);
        } catch (e) {
            msg.textContent = t('error.generic', {detail: e.detail || e.message});
            return;
        }
        this.open = null;
        this.toast(t('assess.mark.voided'));
        this.done();
    }

    async draw(row, it, count, msg) {
        const p = this.period();
        try {
            await api.assessmentSample(p.kind, p.label, {subdistrict_id: row.subdistrict_id, item_code: it.code, count});
        } catch (e) {
            msg.textContent = t('error.generic', {detail: e.detail || e.message});
            return;
        }
        this.toast(t('assess.sample.drawn'));
        this.done();
    }

    markForm(row, it) {
        return h('form', {class: 'assess-mark-form', dataset: {item: it.code},
            onsubmit: (e) => { e.preventDefault(); this.saveMark(row, it, e.target); }},
        h('label', {}, t('assess.mark.points', {max: two(it.max_points)}),
            h('input', {name: 'points', inputmode: 'decimal', maxlength: 6, value: it.mark ? two(it.mark.points) : '', required: true})),
        h('label', {}, t('assess.mark.note'), h('textarea', {name: 'note', maxlength: 2000, rows: 2})),
        h('label', {}, t('assess.mark.photo'), h('input', {name: 'photo', type: 'file', accept: 'image/*', capture: 'environment', multiple: true})),
        it.mark ? h('label', {}, t('assess.mark.reason'), h('input', {name: 'reason', maxlength: 500, required: true})) : null,
        h('p', {class: 'bad assess-mark-error'}),
        h('div', {class: 'row'}, h('button', {type: 'submit', class: 'primary'}, t('assess.mark.save')),
            it.mark ? h('button', {type: 'button', class: 'secondary', dataset: {action: 'void'},
                onclick: (e) => this.voidMark(it, e.target.form)}, t('assess.mark.void')) : null,
            h('button', {type: 'button', class: 'secondary', onclick: () => { this.open = null; this.done(false); }}, t('assess.cancel'))));
    }

    sampleBlock(row, it, mayMark) {
        if (it.sample?.length) {
            return h('ol', {class: 'assess-sample'}, it.sample.map((a) => h('li', {dataset: {area: a.area_id}}, a.name)));
        }
        if (!mayMark) return h('p', {class: 'muted'}, t('assess.sample.none'));
        const msg = h('p', {class: 'bad'});
        const count = h('input', {type: 'number', min: 1, max: 30, value: 5, class: 'assess-count', 'aria-label': t('assess.sample.count')});
        return h('div', {class: 'row assess-draw'}, count,
            h('button', {type: 'button', class: 'secondary', dataset: {action: 'draw'},
                onclick: () => this.draw(row, it, Number(count.value), msg)}, t('assess.sample.draw')), msg);
    }

    item(row, it, mayMark) {
        const m = it.mark;
        const pts = it.points == null ? h('span', {class: 'bad'}, t('assess.missing')) : two(it.points);
        return h('li', {class: 'assess-item', dataset: {item: it.code, source: it.source}},
            h('div', {class: 'row'}, h('strong', {}, itemName(it)),
                h('span', {class: 'assess-points'}, pts, ' / ', two(it.max_points)),
                h('span', {class: 'muted'}, t(`assess.source.${it.source}`))),
            it.amended_from != null ? h('p', {class: 'muted'}, t('assess.amendedFrom', {points: two(it.amended_from)})) : null,
            it.figure ? [h('p', {class: 'assess-figure'}, figureText(it)), h('p', {class: 'muted assess-formula'}, formula(it))] : null,
            m ? h('p', {class: 'assess-mark'}, t('assess.mark.by', {points: two(m.points), by: m.created_by, at: formatTime(m.created_at)}),
                m.note ? h('span', {class: 'assess-note'}, ` ${m.note}`) : null,
                m.photos ? h('span', {class: 'muted'}, ` ${t('assess.mark.photos', {n: m.photos})}`) : null,
                m.reason ? h('span', {class: 'muted'}, ` ${t('assess.mark.supersedes', {reason: m.reason})}`) : null) : null,
            it.source === 'sample' ? this.sampleBlock(row, it, mayMark) : null,
            mayMark && it.source !== 'computed' ? (this.open === it.code ? this.markForm(row, it)
                : h('button', {type: 'button', class: 'link', dataset: {action: 'mark'}, onclick: () => { this.open = it.code; this.done(false); }},
                    t(m ? 'assess.mark.change' : 'assess.mark.enter'))) : null);
    }

    render(row, mayMark) {
        return h('section', {id: 'assess-sheet', dataset: {subdistrict: row.subdistrict_id}},
            h('h3', {}, t('assess.sheetOf', {name: row.name})),
            row.missing?.length ? h('p', {class: 'bad'}, t('assess.missingCount', {n: row.missing.length})) : null,
            h('ul', {class: 'results assess-items'}, row.items.map((it) => this.item(row, it, mayMark))));
    }
}
