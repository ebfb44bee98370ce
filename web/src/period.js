// The period the dashboard counts over: a day, an ISO week, a month, a quarter, or custom dates
// from–to (both inclusive), all Beijing dates as the KPIs count them (docs/kpis.md). The period and
// the unit drilled down to are kept in the address's query (?period=week&at=2026-W49&subdistrict=12),
// so a link or a reload shows the same figures; the tab stays in the hash.
const DAY = 86400000;
const CITY_OFFSET = 8 * 3600e3; // UTC+8, no daylight saving

export const KINDS = ['day', 'week', 'month', 'quarter', 'custom'];
export const MAX_DAYS = 366; // the API's longest period

const dateRe = /^(\d{4})-(\d{2})-(\d{2})$/;
const weekRe = /^(\d{4})-W(\d{2})$/;
const monthRe = /^(\d{4})-(\d{2})$/;
const quarterRe = /^(\d{4})-Q([1-4])$/;

// Dates are YYYY-MM-DD strings; the arithmetic runs on their UTC midnights.
const ms = (d) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(5, 7)) - 1, Number(d.slice(8, 10)));
const iso = (t) => new Date(t).toISOString().slice(0, 10);
const pad = (n) => String(n).padStart(2, '0');

export function isDate(d) {
    return typeof d === 'string' && dateRe.test(d) && iso(ms(d)) === d;
}

export const addDays = (d, n) => iso(ms(d) + n * DAY);
export const daysBetween = (a, b) => Math.round((ms(b) - ms(a)) / DAY);

// cityToday is today's date in the city.
export function cityToday(now = new Date()) {
    return iso(now.getTime() + CITY_OFFSET);
}

// cityInstant is the RFC 3339 instant a city date's day starts, as the tile filters take it.
export function cityInstant(d) {
    return new Date(ms(d) - CITY_OFFSET).toISOString().replace('.000Z', 'Z');
}

function weekOne(year) {
    const jan4 = Date.UTC(year, 0, 4);
    return jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * DAY;
}

// labelOf names the period of that kind containing date d.
export function labelOf(kind, d) {
    switch (kind) {
    case 'day':
        return d;
    case 'week': {
        const t = ms(d);
        const thursday = t + (3 - ((new Date(t).getUTCDay() + 6) % 7)) * DAY; // ISO weeks belong to their Thursday's year
        const year = new Date(thursday).getUTCFullYear();
        return `${year}-W${pad(Math.floor((thursday - weekOne(year)) / (7 * DAY)) + 1)}`;
    }
    case 'month':
        return d.slice(0, 7);
    case 'quarter':
        return `${d.slice(0, 4)}-Q${Math.floor((Number(d.slice(5, 7)) - 1) / 3) + 1}`;
    }
    return '';
}

// bounds answers a calendar period's first and last dates, or null for a label that is not one.
function bounds(kind, at) {
    let m;
    if (kind === 'day' && isDate(at)) return [at, at];
    if (kind === 'week' && (m = weekRe.exec(at))) {
        const from = iso(weekOne(Number(m[1])) + (Number(m[2]) - 1) * 7 * DAY);
        return labelOf('week', from) === at ? [from, addDays(from, 6)] : null;
    }
    if (kind === 'month' && (m = monthRe.exec(at)) && Number(m[2]) >= 1 && Number(m[2]) <= 12) {
        const [y, mo] = [Number(m[1]), Number(m[2])];
        return [iso(Date.UTC(y, mo - 1, 1)), iso(Date.UTC(y, mo, 1) - DAY)];
    }
    if (kind === 'quarter' && (m = quarterRe.exec(at))) {
        const [y, q] = [Number(m[1]), Number(m[2])];
        return [iso(Date.UTC(y, (q - 1) * 3, 1)), iso(Date.UTC(y, q * 3, 1) - DAY)];
    }
    return null;
}

// make builds a period: {kind, at, from, to} with from and to inclusive dates; null when invalid.
export function make(kind, {at, from, to} = {}) {
    if (kind === 'custom') {
        if (!isDate(from) || !isDate(to) || to < from || daysBetween(from, to) + 1 > MAX_DAYS) return null;
        return {kind, at: '', from, to};
    }
    const b = KINDS.includes(kind) && bounds(kind, at);
    return b ? {kind, at, from: b[0], to: b[1]} : null;
}

// containing is the period of that kind containing date d (custom: the month's days so far).
export function containing(kind, d) {
    if (kind === 'custom') return make('custom', {from: `${d.slice(0, 7)}-01`, to: d});
    return make(kind, {at: labelOf(kind, d)});
}

export const defaultPeriod = (today = cityToday()) => containing('month', today);

// shift moves a period n of its own lengths on (a custom period keeps its number of days).
export function shift(p, n) {
    if (p.kind === 'custom') {
        const days = daysBetween(p.from, p.to) + 1;
        return make('custom', {from: addDays(p.from, n * days), to: addDays(p.to, n * days)});
    }
    if (p.kind === 'day' || p.kind === 'week') return containing(p.kind, addDays(p.from, n * (p.kind === 'day' ? 1 : 7)));
    const months = p.kind === 'month' ? 1 : 3;
    const d = new Date(ms(p.from));
    return containing(p.kind, iso(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n * months, 1)));
}

export const days = (p) => daysBetween(p.from, p.to) + 1;

// interval is the step of the trend charts: days for a short period, weeks up to a half year, then months.
export function interval(p) {
    const n = days(p);
    if (n <= 14) return 'day';
    return n <= 186 ? 'week' : 'month';
}

// kpiParams are the period as GET /api/v1/kpis takes it.
export function kpiParams(p) {
    return p.kind === 'custom' ? {from: p.from, to: p.to} : {period: p.kind, at: p.at};
}

// tileParams are the period as the incident tiles' from/to instants (to exclusive).
export function tileParams(p) {
    return {from: cityInstant(p.from), to: cityInstant(addDays(p.to, 1))};
}

// The view in the address: the period and the unit drilled down to.
const UNIT_KEYS = ['subdistrict', 'community', 'area'];

export function readQuery(search = location.search, today = cityToday()) {
    const q = new URLSearchParams(search);
    const kind = q.get('period') || (q.get('from') || q.get('to') ? 'custom' : '');
    const period = (kind && make(kind, {at: q.get('at') || labelOf(kind, today), from: q.get('from'), to: q.get('to')})) || defaultPeriod(today);
    const unit = {};
    for (const k of UNIT_KEYS) {
        const id = Number(q.get(k));
        if (Number.isInteger(id) && id > 0) unit[k] = id;
    }
    return {period, unit};
}

export function writeQuery({period, unit}) {
    const q = new URLSearchParams(location.search);
    for (const k of ['period', 'at', 'from', 'to', ...UNIT_KEYS]) q.delete(k);
    q.set('period', period.kind);
    if (period.kind === 'custom') {
        q.set('from', period.from);
        q.set('to', period.to);
    } else {
        q.set('at', period.at);
    }
    for (const k of UNIT_KEYS) if (unit?.[k]) q.set(k, unit[k]);
    history.replaceState(history.state, '', `${location.pathname}?${q}${location.hash}`);
}
