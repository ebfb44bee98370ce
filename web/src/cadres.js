// The linked cadres panel (挂钩干部): the year's bonus-basis table (奖金挂钩表) — each cadre post of the
// caller's subdistricts with its months held, the street chief's opinion and the subdistrict's KPI
// figures — its XLSX, the opinion form for the street chief (or an admin), the correction with its
// reason, and the history of corrections. The personnel office and the street chief see it; nobody else.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {lang, t} from './i18n/index.js';

// Who may read the table (the API's own rule); who may record opinions.
export const CADRE_ROLES = ['admin', 'district_leader', 'street_chief'];
const WRITERS = ['admin', 'street_chief'];
const RATINGS = ['excellent', 'competent', 'basically_competent', 'incompetent'];
const NEEDS_TEXT = ['basically_competent', 'incompetent'];

function beijingYear() {
    return new Date(Date.now() + 8 * 3600e3).getUTCFullYear();
}

const pct = (r) => (r && r.percent ? `${r.percent}%` : '—');
const postKey = (p) => `${p.person_id}:${p.subdistrict_id}:${p.role}:${p.department_id || 0}:${p.level}`;

export class CadresPanel {
    constructor(el, {session, toast}) {
        this.el = el;
        this.session = session;
        this.toast = toast;
        this.year = beijingYear() - 1; // the review asks about the year just ended
        this.table = null;
        this.history = [];
        this.editing = null; // {row, correcting}
        this.error = '';
        this.stale = true; // load on the next visit to the tab
    }

    mayWrite() {
        return WRITERS.includes(this.session().user?.role);
    }

    async load() {
        this.table = null;
        this.error = '';
        this.render();
        try {
            const [table, history] = await Promise.all([api.cadreTable(this.year), api.cadreOpinions(this.year)]);
            this.table = table;
            this.history = history;
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    clear() {
        this.stale = true;
        this.table = null;
        this.history = [];
        this.editing = null;
    }

    setYear(y) {
        if (!(y >= 2000 && y <= beijingYear())) return;
        this.year = y;
        this.editing = null;
        this.load();
    }

    edit(row, correcting) {
        this.editing = {row, correcting};
        this.render();
        this.el.querySelector('#cadre-form')?.scrollIntoView({block: 'nearest'});
    }

    async submit(form) {
        const {row, correcting} = this.editing;
        const rating = form.querySelector('#cadre-rating').value;
        const text = form.querySelector('#cadre-text').value.trim();
        const reason = correcting ? form.querySelector('#cadre-reason').value.trim() : '';
        const msg = form.querySelector('#cadre-form-error');
        if (NEEDS_TEXT.includes(rating) && !text) return (msg.textContent = t('cadres.needText'));
        if (correcting && !reason) return (msg.textContent = t('cadres.needReason'));
        try {
            if (correcting) {
                await api.correctCadreOpinion(row.opinion.id, {rating, text, reason});
            } else {
                await api.recordCadreOpinion({year: this.year, person_id: row.person_id, subdistrict_id: row.subdistrict_id,
                    role: row.role, department_id: row.department_id || 0, level: row.level, rating, text});
            }
        } catch (e) {
            msg.textContent = t('error.generic', {detail: e.detail || e.message});
            return;
        }
        this.toast(t(correcting ? 'cadres.corrected' : 'cadres.recorded'));
        this.editing = null;
        await this.load();
    }

    form() {
        const {row, correcting} = this.editing;
        const current = row.opinion;
        return h('form', {id: 'cadre-form', class: 'cadre-form', onsubmit: (e) => { e.preventDefault(); this.submit(e.target); }},
            h('h3', {}, t(correcting ? 'cadres.correctTitle' : 'cadres.formTitle', {name: row.person_name, year: this.year})),
            h('p', {class: 'muted'}, [row.department_name, t(`cadres.post.${row.role}`), row.subdistrict_name].filter(Boolean).join(' · ')),
            h('label', {for: 'cadre-rating'}, t('cadres.rating')),
            h('select', {id: 'cadre-rating'}, RATINGS.map((r) => h('option', {value: r, selected: (current?.rating || 'competent') === r}, t(`cadres.rating.${r}`)))),
            h('label', {for: 'cadre-text'}, t('cadres.text')),
            h('textarea', {id: 'cadre-text', maxlength: 2000, rows: 3, placeholder: t('cadres.textHint')}),
            correcting ? [h('label', {for: 'cadre-reason'}, t('cadres.reason')), h('input', {id: 'cadre-reason', maxlength: 500})] : null,
            h('p', {class: 'bad', id: 'cadre-form-error'}),
            h('div', {class: 'row'}, h('button', {type: 'submit', class: 'primary', id: 'cadre-save'}, t('cadres.save')),
                h('button', {type: 'button', class: 'secondary', onclick: () => { this.editing = null; this.render(); }}, t('cadres.cancel'))));
    }

    opinionCell(r) {
        const o = r.opinion;
        const cell = o ? [h('span', {class: `rating rating-${o.rating}`}, t(`cadres.rating.${o.rating}`)),
            o.supersedes ? h('span', {class: 'muted'}, ` ${t('cadres.wasCorrected')}`) : null,
            o.text ? h('div', {class: 'muted cadre-text'}, o.text) : null] : [h('span', {class: 'muted'}, t('cadres.none'))];
        if (this.mayWrite()) {
            cell.push(h('button', {type: 'button', class: 'link', dataset: {action: o ? 'correct' : 'record'},
                onclick: () => this.edit(r, !!o)}, t(o ? 'cadres.correct' : 'cadres.record')));
        }
        return h('td', {class: 'opinion'}, cell);
    }

    rows() {
        return this.table.rows.map((r) => h('tr', {dataset: {post: postKey(r)}},
            h('td', {}, r.person_name, r.primary ? null : h('span', {class: 'muted'}, ` ${t('cadres.deputy')}`)),
            h('td', {}, r.department_name || '—'),
            h('td', {}, t('cadres.postLevel', {post: t(`cadres.post.${r.role}`), level: t(`cadres.level.${r.level}`)})),
            h('td', {}, r.subdistrict_name),
            h('td', {class: 'num'}, r.months_held.toFixed(1)),
            this.opinionCell(r),
            h('td', {class: 'num'}, pct(r.closure_rate)), h('td', {class: 'num'}, pct(r.on_time_rate)), h('td', {class: 'num'}, pct(r.rework_rate)),
            h('td', {class: 'num'}, r.joint_cases == null ? '—' : r.joint_cases)));
    }

    historyList() {
        const corrections = this.history.filter((o) => o.supersedes);
        if (!corrections.length) return null;
        const byID = new Map(this.history.map((o) => [o.id, o]));
        return [h('h3', {}, t('cadres.history')), h('ul', {class: 'results', id: 'cadre-history'}, corrections.map((o) => {
            const old = byID.get(o.supersedes);
            return h('li', {dataset: {opinion: o.id}}, t('cadres.historyItem', {name: o.person_name,
                from: old ? t(`cadres.rating.${old.rating}`) : '—', to: t(`cadres.rating.${o.rating}`), reason: o.reason}));
        }))];
    }

    render() {
        const years = [];
        for (let y = beijingYear(); y >= beijingYear() - 5; y--) years.push(y);
        const title = h('div', {class: 'row'}, h('h2', {}, t('cadres.title')),
            h('select', {id: 'cadre-year', 'aria-label': t('cadres.year'), onchange: (e) => this.setYear(Number(e.target.value))},
                years.map((y) => h('option', {value: y, selected: y === this.year}, t('cadres.yearOption', {year: y})))));
        if (this.error) return replace(this.el, title, h('p', {class: 'bad', id: 'cadres-error'}, this.error));
        if (!this.table) return replace(this.el, title, h('p', {class: 'hint'}, t('loading')));
        const head = ['person', 'department', 'post', 'subdistrict', 'months', 'opinion', 'closure', 'onTime', 'rework', 'joint'];
        replace(this.el, title,
            h('p', {class: 'gap-links'}, h('a', {id: 'cadres-xlsx', download: `cadre-bonus-basis-${this.year}.xlsx`,
                href: `/api/v1/cadres/bonus-basis?year=${this.year}&format=xlsx&lang=${lang()}`}, t('cadres.xlsx'))),
            this.editing ? this.form() : null,
            this.table.rows.length ? h('div', {class: 'table-wrap'}, h('table', {class: 'overview', id: 'cadre-table'},
                h('thead', {}, h('tr', {}, head.map((k) => h('th', {}, t(`cadres.col.${k}`))))),
                h('tbody', {}, this.rows()))) : h('p', {class: 'hint', id: 'cadre-table'}, t('cadres.empty')),
            this.historyList(),
            h('p', {class: 'hint', id: 'cadres-basis'}, t('cadres.basis')));
    }
}
