// An incident history row in the reader's language: the service stores each event's facts as params
// (internal/incidents/event_params.go) and this phrases them. Rows written before events had params
// show their stored note.
import {t} from './i18n/index.js';
import {jointEventText} from './joint-case.js';

// person is how people appear: their name, post and the unit of the post (黎敏晨 · 巷长 · 华庄村).
export function person(p) {
    return [p.person_name, p.role && t(`role.${p.role}`), p.unit].filter(Boolean).join(' · ');
}

// actorText names who wrote an event: their role, and their name where it is a person's.
export function actorText(e) {
    const role = e.params?.actor_role;
    if (role === 'public' || e.actor === 'public' || e.actor === 'anonymous' || e.actor === '公众 public') return t('eventText.actor.public');
    if (['escalator', 'rerouter', 'demo'].includes(e.actor)) return t('eventText.actor.system');
    return role ? `${e.actor} · ${t(`role.${role}`)}` : e.actor;
}

// eventText is the sentence of an event's params, or '' when it has none to say.
export function eventText(e) {
    const joint = jointEventText(e);
    if (joint !== null) return joint;
    const p = e.params || {};
    const parts = [];
    if (p.cause) parts.push(t(`eventText.cause.${p.cause}`, {id: p.id ?? '', last: p.last ?? '', count: p.count ?? '', days: p.days ?? ''}));
    if (p.route) {
        parts.push(t(`eventText.route.${p.route}`, {person: person(p), unit: p.unit || ''}));
    } else if (p.person_name) {
        parts.push(t('eventText.route.person', {person: person(p)}));
    }
    if (e.kind === 'duplicate_suspected' && p.of) parts.push(t('eventText.duplicate.suspected', {of: p.of, m: p.radius_m, h: p.hours}));
    else if (e.kind === 'duplicate_unlinked' && p.of) parts.push(t('eventText.duplicate.unlinked', {of: p.of}));
    else if (p.of) parts.push(t('eventText.duplicate.of', {of: p.of}));
    if (p.outcome) {
        parts.push(t(`eventText.outcome.${p.outcome}`));
        if (p.by === 'reporter') parts.push(t('eventText.by.reporter'));
    }
    return parts.join('；');
}
