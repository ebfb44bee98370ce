// The field-proof verdicts in words: the server stores a reason as a code with the figure measured
// and the limit it broke (internal/fieldproof), and each language says it here, so a verdict reads
// the same in both and stays a fact the reader can weigh, never a stored sentence.
import {h} from './dom.js';
import {t} from './i18n/index.js';

// What each code's figure and limit measure, for their rounding: shares (0..1) are shown in per cent.
const UNITS = {
    off_site: 'm', poor_accuracy: 'm', teleport: 'kmh', repeated_position: 'm', too_few_fixes: 'count',
    too_short: 'min', too_little_distance: 'm', too_fast: 'kmh', stationary: 'm', repeated_positions: 'share',
    replayed: 'share', area_not_covered: 'share',
};

// The server writes an instantaneous jump (two places at one instant) as fieldproof.MaxFigure.
const INSTANT = 1e9;

function figure(unit, x) {
    const v = Number(x);
    if (!Number.isFinite(v)) return '—';
    switch (unit) {
    case 'share': return String(Math.round(v * 100));
    case 'count': return String(Math.round(v));
    case 'min': return v < 10 ? v.toFixed(1) : String(Math.round(v));
    case 'kmh': return v < 10 ? v.toFixed(1) : String(Math.round(v));
    default: return String(Math.round(v));
    }
}

// reasonText is one reason in the current language; kind is 'patrol' or 'check_in', since the same
// code (poor accuracy) is judged on one fix at a check-in and on the median of a track's.
export function reasonText(r, kind = 'patrol') {
    const unit = UNITS[r.code];
    if (!unit) return t('proof.other');
    if (r.code === 'teleport' && Number(r.figure) >= INSTANT) return t('proof.teleport_instant');
    const key = r.code === 'poor_accuracy' && kind === 'check_in' ? 'proof.poor_accuracy_fix' : `proof.${r.code}`;
    return t(key, {figure: figure(unit, r.figure), limit: figure(unit, r.limit)});
}

// verdictView is a record's verdict: a credible mark, or a suspect badge with each reason in words.
export function verdictView(v, kind = 'patrol') {
    if (!v) return h('span', {class: 'muted proof-pending'}, t('proof.pending'));
    if (!v.suspect) return h('span', {class: 'proof-ok'}, t('proof.credible'));
    return h('span', {class: 'proof-suspect'}, h('span', {class: 'badge bad'}, t('proof.suspect')),
        h('ul', {class: 'proof-reasons'}, (v.reasons || []).map((r) => h('li', {dataset: {code: r.code}}, reasonText(r, kind)))));
}
