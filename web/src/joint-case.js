// The departments of a joint-enforcement case (联合执法) in its panel: each with whom it was asked of
// and since when, whether it acknowledged, and what it did; the department's liaison (or an
// administrator) acknowledges and records actions here. The server decides (internal/incidents
// joint.go, joint_action.go); this only offers the buttons its rules would accept.
import {api} from './api.js';
import {h} from './dom.js';
import {formatTime, t} from './i18n/index.js';
import {MAX_PHOTOS, compress} from './photos.js';

export const ACTION_KINDS = ['inspection', 'order_to_correct', 'fine', 'seizure', 'referral'];

const JOINT_EVENTS = new Set(['department_added', 'department_withdrawn', 'department_acknowledged', 'joint_action', 'joint_action_voided']);

// jointEventText phrases a joint event's params, or answers null for any other event.
export function jointEventText(e) {
    if (!JOINT_EVENTS.has(e.kind)) return null;
    const p = e.params || {};
    const dept = p.department_name || '';
    const holder = p.vacant ? t('joint.vacant') : (p.person_name || '');
    switch (e.kind) {
    case 'department_added':
        return t('eventText.joint.added', {dept, holder});
    case 'department_withdrawn':
        return t('eventText.joint.withdrawn', {dept});
    case 'department_acknowledged':
        return t('eventText.joint.acknowledged', {dept, after: duration(p.seconds)});
    case 'joint_action': {
        const parts = [t('eventText.joint.action', {dept, action: t(`joint.kind.${p.action}`)})];
        if (p.amount_yuan) parts.push(t('joint.fineOf', {amount: p.amount_yuan, basis: p.legal_basis || ''}));
        if (p.referred_to) parts.push(t('joint.referredTo', {to: p.referred_to}));
        return parts.join('；');
    }
    default:
        return t('eventText.joint.voided', {action: t(`joint.kind.${p.action}`), id: p.action_id ?? ''});
    }
}

// duration says how long something took, in hours and minutes.
export function duration(seconds) {
    if (seconds == null) return '';
    const m = Math.round(seconds / 60);
    if (m < 60) return t('joint.minutes', {m});
    const hours = Math.floor(m / 60);
    return m % 60 ? t('joint.hoursMinutes', {h: hours, m: m % 60}) : t('joint.hours', {h: hours});
}

// speaksFor is forDepartment of joint.go: an administrator, or the department's liaison there.
export function speaksFor(user, inc, dept) {
    if (!user) return false;
    if (user.role === 'admin') return true;
    const s = user.scope || {};
    return user.role === 'department_liaison' && (s.subdistricts || []).includes(inc.subdistrict_id) &&
        (s.departments || []).includes(dept);
}

// chiefOf is the street chief of the case's subdistrict or an administrator: who brings departments
// in and withdraws them.
function chiefOf(user, inc) {
    if (!user) return false;
    return user.role === 'admin' || (user.role === 'street_chief' && (user.scope?.subdistricts || []).includes(inc.subdistrict_id));
}

// jointView draws the departments of case d for user; changed(incident) is called after a change;
// departments are the registry's, to bring one more in.
export function jointView(d, user, {changed, toast, departments = []}) {
    if (!(d.joint || []).length) return null;
    const open = d.status === 'joint_enforcement';
    const chief = open && chiefOf(user, d);
    const run = async (button, call, done) => {
        button.disabled = true;
        try {
            await call();
            toast(done);
            changed(await api.incident(d.id));
        } catch (e) {
            button.disabled = false;
            toast(t('action.failed', {detail: e.detail || e.message}), true);
        }
    };
    const standing = new Set(d.joint.filter((p) => !p.withdrawn_at).map((p) => p.department_id));
    const others = departments.filter((x) => !standing.has(x.id));
    return h('section', {class: 'joint', id: 'joint-departments'},
        h('h3', {}, t('joint.title')),
        h('ul', {class: 'joint-list'}, d.joint.map((p) => {
            const mine = open && p.withdrawn_at == null && speaksFor(user, d, p.department_id);
            return h('li', {class: 'joint-dept', dataset: {department: p.department_id, state: state(p)}},
                h('div', {class: 'joint-head'},
                    h('strong', {}, p.department_name),
                    p.lead && h('span', {class: 'badge lead'}, t('joint.lead')),
                    h('span', {class: `badge ${state(p) === 'pending' ? 'bad' : ''}`}, t(`joint.state.${state(p)}`))),
                h('div', {class: 'muted'}, p.vacant ? h('span', {class: 'bad'}, t('joint.noOne')) : t('joint.holder', {name: p.holder_name})),
                h('div', {class: 'muted'}, stateText(p)),
                p.withdrawn_reason && h('div', {class: 'note'}, p.withdrawn_reason),
                (p.actions || []).length ? h('ol', {class: 'joint-actions'}, p.actions.map((a) => actionItem(a,
                    mine && !a.voided_at && reasonForm(`joint-void-${a.id}`, t('joint.void'), (b, reason) =>
                        run(b, () => api.voidJointAction(d.id, a.id, reason), t('joint.voidedDone')))))) : null,
                chief && !p.lead && p.withdrawn_at == null && reasonForm(`joint-withdraw-${p.department_id}`, t('joint.withdraw'), (b, reason) =>
                    run(b, () => api.withdrawJointDepartment(d.id, p.department_id, reason), t('joint.withdrawnDone', {dept: p.department_name}))),
                mine && p.acknowledged_at == null && h('button', {type: 'button', class: 'primary', id: `joint-ack-${p.department_id}`,
                    onclick: (e) => acknowledge(d, p, e.currentTarget, {changed, toast})}, t('joint.acknowledge')),
                mine && p.acknowledged_at != null && actionForm(d, p, {changed, toast}));
        })),
        chief && others.length ? addForm(others, (b, dept) => run(b, () => api.addJointDepartment(d.id, dept), t('joint.addedDone'))) : null);
}

// reasonForm is a folded form asking the reason of a change that stays on record.
function reasonForm(id, label, submit) {
    const reason = h('input', {type: 'text', id: `${id}-reason`, placeholder: t('joint.reason'), 'aria-label': t('joint.reason')});
    const button = h('button', {type: 'button', class: 'danger', id}, label);
    button.addEventListener('click', () => {
        if (!reason.value.trim()) {
            reason.focus();
            return;
        }
        submit(button, reason.value.trim());
    });
    return h('details', {class: 'joint-reason'}, h('summary', {}, label), reason, button);
}

function addForm(departments, submit) {
    const select = h('select', {id: 'joint-add-department', 'aria-label': t('joint.add')},
        departments.map((x) => h('option', {value: x.id}, x.name)));
    const button = h('button', {type: 'button', class: 'secondary', id: 'joint-add'}, t('joint.add'));
    button.addEventListener('click', () => submit(button, Number(select.value)));
    return h('div', {class: 'row wrap joint-add'}, select, button);
}

function state(p) {
    if (p.withdrawn_at) return 'withdrawn';
    return p.acknowledged_at ? 'acknowledged' : 'pending';
}

function stateText(p) {
    if (p.withdrawn_at) return t('joint.withdrawnAt', {at: formatTime(p.withdrawn_at)});
    if (p.acknowledged_at) {
        const secs = (new Date(p.acknowledged_at) - new Date(p.requested_at)) / 1000;
        return t('joint.acknowledgedAt', {at: formatTime(p.acknowledged_at), after: duration(secs)});
    }
    return t('joint.awaitingSince', {at: formatTime(p.requested_at)});
}

function actionItem(a, voidForm) {
    return h('li', {class: a.voided_at ? 'voided' : '', dataset: {action: a.id, kind: a.kind, voided: a.voided_at ? 'true' : 'false'}},
        h('span', {class: 'muted'}, formatTime(a.at)), ' ',
        h('strong', {}, t(`joint.kind.${a.kind}`)),
        a.amount_yuan && ` ${t('joint.fineOf', {amount: a.amount_yuan, basis: a.legal_basis})}`,
        a.referred_to && ` ${t('joint.referredTo', {to: a.referred_to})}`,
        a.note && h('div', {class: 'note'}, a.note),
        a.voided_at && h('div', {class: 'bad'}, t('joint.voided', {reason: a.void_reason})),
        voidForm);
}

async function acknowledge(d, p, button, {changed, toast}) {
    button.disabled = true;
    try {
        changed(await api.acknowledgeJoint(d.id, p.department_id));
        toast(t('joint.acknowledged', {dept: p.department_name}));
    } catch (e) {
        button.disabled = false;
        toast(t('action.failed', {detail: e.detail}), true);
    }
}

function actionForm(d, p, {changed, toast}) {
    const kind = h('select', {id: `joint-kind-${p.department_id}`, 'aria-label': t('joint.kind')},
        ACTION_KINDS.map((k) => h('option', {value: k}, t(`joint.kind.${k}`))));
    const amount = h('input', {type: 'text', inputmode: 'decimal', id: `joint-amount-${p.department_id}`, placeholder: t('joint.amount'),
        'aria-label': t('joint.amount')});
    const basis = h('input', {type: 'text', id: `joint-basis-${p.department_id}`, placeholder: t('joint.basis'), 'aria-label': t('joint.basis')});
    const to = h('input', {type: 'text', id: `joint-to-${p.department_id}`, placeholder: t('joint.to'), 'aria-label': t('joint.to')});
    const note = h('textarea', {rows: 2, id: `joint-note-${p.department_id}`, placeholder: t('action.note'), 'aria-label': t('action.note')});
    // The browser's own file button speaks the browser's language: a label of ours stands for it.
    const chosen = h('span', {}, t('joint.photos'));
    const photos = h('input', {type: 'file', accept: 'image/*', capture: 'environment', multiple: true, id: `joint-photos-${p.department_id}`,
        onchange: () => (chosen.textContent = photos.files.length ? t('joint.photosChosen', {n: photos.files.length}) : t('joint.photos'))});
    const pick = h('label', {class: 'secondary file-button'}, chosen, photos);
    const fine = h('div', {class: 'joint-fine'}, amount, basis);
    const referral = h('div', {class: 'joint-referral'}, to);
    const show = () => {
        fine.hidden = kind.value !== 'fine';
        referral.hidden = kind.value !== 'referral';
    };
    kind.addEventListener('change', show);
    show();
    const submit = h('button', {type: 'button', class: 'primary', id: `joint-record-${p.department_id}`}, t('joint.record'));
    submit.addEventListener('click', async () => {
        const body = {department_id: p.department_id, kind: kind.value, note: note.value.trim()};
        if (kind.value === 'fine') Object.assign(body, {amount_yuan: amount.value.trim(), legal_basis: basis.value.trim()});
        if (kind.value === 'referral') body.referred_to = to.value.trim();
        submit.disabled = true;
        try {
            body.photos = await encodePhotos([...photos.files].slice(0, MAX_PHOTOS));
            await api.jointAction(d.id, body);
            toast(t('joint.recorded', {action: t(`joint.kind.${body.kind}`)}));
            changed(await api.incident(d.id));
        } catch (e) {
            submit.disabled = false;
            toast(t('action.failed', {detail: e.detail || e.message}), true);
        }
    });
    return h('div', {class: 'joint-form'}, h('h4', {}, t('joint.recordTitle')), kind, fine, referral, note, pick, submit);
}

async function encodePhotos(files) {
    const out = [];
    for (const f of files) {
        const {blob} = await compress(f);
        const b64 = await new Promise((resolve, reject) => {
            const r = new FileReader();
            r.onload = () => resolve(String(r.result).split(',')[1]);
            r.onerror = () => reject(r.error);
            r.readAsDataURL(blob);
        });
        out.push(b64);
    }
    return out;
}
