// The field app's words: t(key, values) looks a string up in the current language (Simplified
// Chinese by default, English on the switch) and fills its {placeholders}. The choice is shared
// with the dashboard's (the same storage key), so a user sees one language on both.
import zh from './zh.js';
import en from './en.js';

const catalogs = {zh, en};
const listeners = [];
let current = 'zh';
try {
    const saved = localStorage.getItem('streetchief.lang');
    if (saved in catalogs) current = saved;
} catch { /* storage may be disabled: keep the default */ }

export function lang() {
    return current;
}

export function t(key, values) {
    let s = catalogs[current][key] ?? catalogs.zh[key] ?? key;
    if (values) s = s.replace(/\{(\w+)\}/g, (m, name) => (name in values ? String(values[name]) : m));
    return s;
}

export function setLang(next) {
    if (!(next in catalogs) || next === current) return;
    current = next;
    try {
        localStorage.setItem('streetchief.lang', next);
    } catch { /* not remembered, still switched */ }
    document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
    for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
    listeners.push(fn);
}

// Times are shown in the city's zone, whatever the phone's.
const ZONE = 'Asia/Shanghai';

export function time(iso) {
    return new Date(iso).toLocaleTimeString(current === 'zh' ? 'zh-CN' : 'en-GB', {timeZone: ZONE, hour: '2-digit', minute: '2-digit'});
}

export function dateTime(iso) {
    return new Date(iso).toLocaleString(current === 'zh' ? 'zh-CN' : 'en-GB', {timeZone: ZONE, month: 'numeric', day: 'numeric',
        hour: '2-digit', minute: '2-digit'});
}

// beijingDay is the calendar day (YYYY-MM-DD) in Beijing of a time, as the server counts days.
export function beijingDay(d = new Date()) {
    return new Date(new Date(d).getTime() + 8 * 3600e3).toISOString().slice(0, 10);
}

export function metres(m) {
    return m >= 1000 ? t('unit.km', {n: (m / 1000).toFixed(2)}) : t('unit.m', {n: Math.round(m)});
}

export function duration(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const hh = Math.floor(s / 3600), mm = Math.floor((s % 3600) / 60), ss = s % 60;
    return `${hh}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}`;
}
