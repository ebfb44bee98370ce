// The volunteer tab's forms: an activity that took place (its day and hours in Beijing, kind, the
// volunteers and others who took part, hours each, photos made small in the browser, and its point
// from a click on the map or the map's centre) and a payment under a contract.
import {api} from './api.js';
import {h} from './dom.js';
import {formatYuan} from './funds.js';
import {t} from './i18n/index.js';
import {MAX_PHOTOS, compress} from './photos.js';

const KINDS = ['environment', 'civility', 'traffic', 'elderly_care', 'publicity', 'other'];
const beijingDay = (ms) => new Date(ms + 8 * 3600e3).toISOString().slice(0, 10);
const today = () => beijingDay(Date.now());
// lastMorning is the day the form offers: a morning activity is recorded after it, so before 11:00
// Beijing that is yesterday's (an activity ending in the future is refused).
const lastMorning = () => (new Date(Date.now() + 8 * 3600e3).getUTCHours() >= 11 ? today() : beijingDay(Date.now() - 24 * 3600e3));
const dataURL = (blob) => new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(r.result);
    r.onerror = () => reject(r.error);
    r.readAsDataURL(blob);
});
const field = (key, input) => h('label', {class: 'op-field'}, h('span', {}, t(key)), input);

export function activityForm(panel) {
    const f = panel.form;
    const org = h('select', {id: 'vol-org'}, panel.orgs.map((o) => h('option', {value: o.id}, o.name)));
    const day = h('input', {id: 'vol-day', type: 'date', value: lastMorning(), max: today(), required: true});
    const from = h('input', {id: 'vol-from', type: 'time', value: '09:00', required: true});
    const to = h('input', {id: 'vol-to', type: 'time', value: '11:00', required: true});
    const kind = h('select', {id: 'vol-kind'}, KINDS.map((k) => h('option', {value: k}, t(`vol.kind.${k}`))));
    const description = h('textarea', {id: 'vol-description', rows: 2, required: true});
    const head = h('input', {id: 'vol-head', type: 'number', min: '0', max: '10000', value: '0'});
    const hours = h('input', {id: 'vol-hours', type: 'number', min: '0.25', max: '24', step: '0.25', value: '2', required: true});
    const photos = h('input', {id: 'vol-photos', type: 'file', accept: 'image/jpeg,image/png,image/webp', multiple: true, 'aria-label': t('vol.photos')});
    const people = panel.volunteers.length
        ? h('div', {class: 'op-checks vol-people', id: 'vol-people'}, panel.volunteers.map((v) => h('label', {},
            h('input', {type: 'checkbox', value: v.id}), ` ${v.name} · ${v.community_name}`)))
        : h('p', {class: 'hint', id: 'vol-people'}, t('vol.noVolunteers'));
    const place = h('p', {id: 'vol-place', class: 'muted'}, f.point ? t('vol.placeSet', {lon: f.point[0], lat: f.point[1]}) : t('vol.placeNone'));
    const submit = async () => {
        if (!f.point) return panel.toast(t('vol.placeNone'), true);
        try {
            const files = [...photos.files].slice(0, MAX_PHOTOS);
            const body = {org_id: Number(org.value), starts_at: `${day.value}T${from.value}:00+08:00`, ends_at: `${day.value}T${to.value}:00+08:00`,
                place: {type: 'Point', coordinates: f.point}, kind: kind.value, description: description.value,
                volunteer_ids: [...panel.el.querySelectorAll('#vol-people input:checked')].map((c) => Number(c.value)),
                head_count: Number(head.value || 0), hours_each: Number(hours.value),
                photos: await Promise.all(files.map(async (file) => dataURL((await compress(file)).blob)))};
            await api.recordVolunteerActivity(body);
            await panel.saved(t('vol.saved'));
        } catch (e) {
            panel.toast(t('error.generic', {detail: e.detail || e.message}), true);
        }
    };
    return h('form', {id: 'vol-form', class: 'op-form', onsubmit: (e) => (e.preventDefault(), submit())},
        h('h3', {}, t('vol.record')),
        field('vol.org', org), field('vol.day', day),
        h('div', {class: 'vol-times'}, field('vol.from', from), field('vol.to', to)),
        field('vol.kind', kind), field('vol.description', description),
        h('h4', {}, t('vol.people')), people,
        h('div', {class: 'vol-times'}, field('vol.headCount', head), field('vol.hoursEach', hours)),
        field('vol.photos', photos),
        h('h4', {}, t('vol.place')), h('p', {class: 'hint'}, t('vol.placeHint')), place,
        h('button', {type: 'button', class: 'secondary', id: 'vol-centre', onclick: () => {
            const c = panel.map.getCenter();
            panel.setPoint(c.lng, c.lat);
        }}, t('vol.useCentre')),
        h('div', {class: 'op-action'}, h('button', {type: 'submit', id: 'vol-submit'}, t('vol.submit')),
            h('button', {type: 'button', class: 'secondary', id: 'vol-cancel', onclick: () => panel.stopRecording()}, t('vol.cancel'))));
}

export function paymentForm(panel) {
    const contract = h('select', {id: 'vol-pay-contract'}, panel.contracts.map((c) => h('option', {value: c.id},
        t('vol.contractLine', {org: c.org_name, year: c.year, yuan: formatYuan(c.yuan)}))));
    const paidOn = h('input', {id: 'vol-pay-on', type: 'date', value: today(), max: today(), required: true});
    const yuan = h('input', {id: 'vol-pay-yuan', inputmode: 'decimal', required: true});
    const note = h('input', {id: 'vol-pay-note'});
    const submit = async () => {
        try {
            // The amount goes as the typed decimal string: the server reads it exactly, never as a float.
            await api.payVolunteerContract(Number(contract.value), {paid_on: paidOn.value, yuan: yuan.value.trim(), note: note.value});
            await panel.saved(t('vol.paid'));
        } catch (e) {
            panel.toast(t('error.generic', {detail: e.detail || e.message}), true);
        }
    };
    return h('form', {id: 'vol-pay', class: 'op-form', onsubmit: (e) => (e.preventDefault(), submit())},
        h('h4', {}, t('vol.pay')),
        field('vol.payContract', contract), field('vol.paidOn', paidOn), field('vol.yuan', yuan), field('vol.note', note),
        h('div', {class: 'op-action'}, h('button', {type: 'submit', id: 'vol-pay-submit'}, t('vol.paySubmit'))));
}
