// The language switch: t(key, values) looks a string up in the current language (Simplified Chinese
// by default) and fills its {placeholders}; panels re-render when the language changes.
import zh from './zh.js';
import en from './en.js';
import zhAssessment from './assessment-zh.js';
import enAssessment from './assessment-en.js';
import zhPatrols from './patrols-zh.js';
import enPatrols from './patrols-en.js';
import zhVolunteers from './volunteers-zh.js';
import enVolunteers from './volunteers-en.js';

import zhPartners from './partners-zh.js';
import enPartners from './partners-en.js';

import zhDuties from './duties-zh.js';
import enDuties from './duties-en.js';

import zhPoints from './points-zh.js';
import enPoints from './points-en.js';

const catalogs = {
    zh: {...zh, ...zhAssessment, ...zhPatrols, ...zhVolunteers, ...zhPartners, ...zhDuties, ...zhPoints},
    en: {...en, ...enAssessment, ...enPatrols, ...enVolunteers, ...enPartners, ...enDuties, ...enPoints},
};
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
    applyStatic(document);
    for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
    listeners.push(fn);
}

// applyStatic fills the page's own markup: data-i18n (text), data-i18n-title, -placeholder, -label.
export function applyStatic(root) {
    document.documentElement.lang = current === 'zh' ? 'zh-CN' : 'en';
    document.title = t('app.title');
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
    for (const el of root.querySelectorAll('[data-i18n-placeholder]')) el.placeholder = t(el.dataset.i18nPlaceholder);
    for (const el of root.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

// Formats for dates and numbers in the current language; times are shown in the city's zone.
export function formatTime(iso) {
    if (!iso) return '—';
    return new Date(iso).toLocaleString(current === 'zh' ? 'zh-CN' : 'en-GB',
        {timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit'});
}

export function formatPercent(x) {
    return x == null ? '—' : `${(x * 100).toFixed(0)}%`;
}
