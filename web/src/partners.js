// The 物业 panel: per community, how many residential compounds have a property manager under
// contract, a residents' team, or neither (GET /api/v1/compounds/summary), and a community's
// compounds with their manager, teams and building representatives at a date; and the same partners
// in the lookup popup of a compound (compoundPartners). Those who keep the records (the street and
// lane chiefs, the administrator) sign a property manager on for a compound here, a handover with
// its reason when one is under contract; teams and building representatives go through the API.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {t} from './i18n/index.js';

// Who may read compounds' partners, and who may record them (the API's own lists).
export const PARTNER_ROLES = ['admin', 'district_leader', 'street_chief', 'lane_chief'];
const PARTNER_WRITERS = ['admin', 'street_chief', 'lane_chief'];
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const yearOn = (date) => `${Number(date.slice(0, 4)) + 1}${date.slice(4)}`;

const day = (iso) => (iso ? new Date(new Date(iso).getTime() + 8 * 3600e3).toISOString().slice(0, 10) : '');
// The day before an exclusive end is the last one a contract runs.
const lastDay = (iso) => (iso ? day(new Date(new Date(iso).getTime() - 1).toISOString()) : '');
const atParam = (date) => (date ? `${date}T12:00:00+08:00` : undefined);

// compoundPartners answers, by area id, the compounds among a lookup's areas with their partners at
// the popup's moment; a compound outside the caller's scope is left out.
export async function compoundPartners(areas, at) {
    const compounds = (areas || []).filter((a) => a.kind === 'residential_compound');
    const out = new Map();
    await Promise.all(compounds.map(async (a) => {
        const c = await api.compoundOf(a.id, at);
        if (c) out.set(a.id, c);
    }));
    return out;
}

// partnersView lays out one compound's partners.
export function partnersView(c) {
    const m = c.manager;
    const rows = [];
    rows.push(h('div', {class: 'partner-manager'}, h('span', {class: 'muted'}, `${t('partners.manager')}${t('colon')}`),
        m ? h('span', {}, h('strong', {}, m.company), m.contact && ` · ${m.contact}`,
            m.phone && h('a', {href: `tel:${m.phone}`, class: 'phone', title: t('lookup.phone')}, ` ☎ ${m.phone}`),
            h('span', {class: 'muted'}, ` ${t('partners.until', {day: lastDay(m.until)})}`))
            : h('span', {class: 'bad'}, t('partners.noManager'))));
    if (c.teams.length) {
        rows.push(h('div', {class: 'partner-teams'}, h('span', {class: 'muted'}, `${t('partners.teams')}${t('colon')}`),
            c.teams.map((tm, i) => h('span', {}, i ? '；' : '', h('strong', {}, tm.name), ` · ${t(`partners.teamType.${tm.team_type}`)}`,
                ` · ${t('partners.leader', {name: tm.person})} · ${t('partners.members', {n: tm.members})}`))));
    }
    if (!m && !c.teams.length) rows.push(h('div', {class: 'bad partner-gap'}, t('partners.neither')));
    if (c.building_reps.length) {
        rows.push(h('div', {class: 'partner-reps'}, h('span', {class: 'muted'}, `${t('partners.reps')}${t('colon')}`),
            c.building_reps.map((r, i) => `${i ? '、' : ''}${r.building} ${r.person}`)));
    }
    return h('div', {class: 'compound-partners', dataset: {compound: c.id}}, rows);
}

export class PartnersPanel {
    constructor(el, {session, toast}) {
        this.el = el;
        this.session = session;
        this.toast = toast;
        this.signing = null; // the compound whose contract form is open
        this.companies = null;
        this.stale = true;
        this.date = '';
        this.summary = null;
        this.community = null; // the summary row opened
        this.compounds = null;
        this.error = '';
    }

    clear() {
        this.stale = true;
        this.summary = null;
        this.community = null;
        this.compounds = null;
        this.error = '';
    }

    async load() {
        this.summary = null;
        this.error = '';
        this.render();
        try {
            this.summary = await api.compoundSummary(atParam(this.date));
            // A lane chief has one community: open it at once.
            if (!this.community && this.summary.length === 1) this.community = this.summary[0];
            if (this.community) await this.openCommunity(this.community, false);
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    async openCommunity(row, render = true) {
        this.community = row;
        this.compounds = null;
        if (render) this.render();
        try {
            this.compounds = await api.compounds({community: row.community_id, at: atParam(this.date)});
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        if (render) this.render();
    }

    mayWrite() {
        return PARTNER_WRITERS.includes(this.session()?.user?.role);
    }

    async openForm(c) {
        this.signing = c;
        this.render();
        try {
            this.companies ??= await api.propertyCompanies();
        } catch (e) {
            this.signing = null;
            this.toast(t('error.generic', {detail: e.detail || e.message}), true);
        }
        this.render();
        this.el.querySelector('#partner-company')?.focus();
    }

    async sign(c, form) {
        const v = (id) => form.querySelector(`#${id}`).value.trim();
        const body = {company_id: Number(v('partner-company')), signed_on: v('partner-signed'), from: v('partner-from'),
            until: v('partner-until') || undefined, note: v('partner-note')};
        if (c.manager) Object.assign(body, {handover: true, reason: v('partner-reason')});
        try {
            await api.signCompoundContract(c.id, body);
        } catch (e) {
            return this.toast(t('error.generic', {detail: e.detail || e.message}), true);
        }
        this.signing = null;
        this.companies = null; // their counts of compounds changed
        this.toast(t('partners.signed', {company: form.querySelector('#partner-company').selectedOptions[0].textContent, compound: c.name}));
        await this.openCommunity(this.community);
    }

    // contractForm signs a company on: a handover, with its reason, when the compound has one.
    contractForm(c) {
        if (!this.companies) return h('p', {class: 'hint'}, t('loading'));
        const field = (key, input) => h('label', {class: 'op-field'}, h('span', {}, t(key)), input);
        const from = today();
        return h('form', {id: 'partner-form', class: 'op-form', dataset: {compound: c.id}, onsubmit: (e) => {
            e.preventDefault();
            this.sign(c, e.target);
        }},
        h('h4', {}, t(c.manager ? 'partners.handoverTitle' : 'partners.signTitle', {compound: c.name})),
        field('partners.company', h('select', {id: 'partner-company', required: true},
            this.companies.filter((co) => co.name !== c.manager?.company).map((co) => h('option', {value: co.id}, co.name)))),
        field('partners.signedOn', h('input', {id: 'partner-signed', type: 'date', value: from, max: from, required: true})),
        h('div', {class: 'vol-times'}, field('partners.from', h('input', {id: 'partner-from', type: 'date', value: from, required: true})),
            field('partners.untilDay', h('input', {id: 'partner-until', type: 'date', value: yearOn(from)}))),
        c.manager && field('partners.reason', h('textarea', {id: 'partner-reason', rows: 2, required: true})),
        field('partners.note', h('input', {id: 'partner-note', type: 'text', maxlength: 500})),
        h('div', {class: 'row'}, h('button', {type: 'submit', id: 'partner-submit'}, t('partners.submit')),
            h('button', {type: 'button', class: 'secondary', id: 'partner-cancel', onclick: () => {
                this.signing = null;
                this.render();
            }}, t('partners.cancel'))));
    }

    compoundItem(c) {
        const open = this.signing?.id === c.id;
        return h('li', {dataset: {compound: c.id}}, h('strong', {}, c.name), partnersView(c),
            this.mayWrite() && !open && h('button', {type: 'button', class: 'secondary partner-sign', dataset: {compound: c.id},
                onclick: () => this.openForm(c)}, t(c.manager ? 'partners.handover' : 'partners.sign')),
            open && this.contractForm(c));
    }

    render() {
        const title = h('div', {class: 'row'}, h('h2', {}, t('partners.title')),
            h('label', {}, `${t('partners.at')} `, h('input', {type: 'date', id: 'partners-at', value: this.date, onchange: (e) => {
                this.date = e.target.value;
                this.load();
            }})));
        if (this.error) return replace(this.el, title, h('p', {class: 'bad', id: 'partners-error'}, this.error));
        if (!this.summary) return replace(this.el, title, h('p', {class: 'hint'}, t('loading')));
        const sum = this.summary.reduce((a, r) => ({c: a.c + r.compounds, m: a.m + r.with_manager, tm: a.tm + r.with_team,
            n: a.n + r.neither, b: a.b + r.building_reps}), {c: 0, m: 0, tm: 0, n: 0, b: 0});
        const table = h('table', {class: 'overview', id: 'partners-summary'},
            h('thead', {}, h('tr', {}, ['community', 'compounds', 'withManager', 'withTeam', 'neither', 'reps'].map((k) => h('th', {}, t(`partners.col.${k}`))))),
            h('tbody', {}, this.summary.map((r) => h('tr', {dataset: {community: r.community_id},
                class: this.community?.community_id === r.community_id ? 'selected' : null},
            h('td', {}, h('button', {type: 'button', class: 'link', onclick: () => this.openCommunity(r)}, r.community || t('partners.noCommunity')),
                h('div', {class: 'muted'}, r.subdistrict)),
            h('td', {class: 'num'}, r.compounds), h('td', {class: 'num'}, r.with_manager), h('td', {class: 'num'}, r.with_team),
            h('td', {class: r.neither ? 'num bad' : 'num'}, r.neither), h('td', {class: 'num'}, r.building_reps)))),
            h('tfoot', {}, h('tr', {}, h('th', {}, t('partners.total')), [sum.c, sum.m, sum.tm, sum.n, sum.b].map((v) => h('td', {class: 'num'}, v)))));
        let detail = null;
        if (this.community) {
            detail = h('section', {id: 'partners-compounds', dataset: {community: this.community.community_id}},
                h('h3', {}, t('partners.compoundsOf', {community: this.community.community})),
                !this.compounds ? h('p', {class: 'hint'}, t('loading'))
                    : this.compounds.length ? h('ul', {class: 'results partner-list'}, this.compounds.map((c) => this.compoundItem(c)))
                        : h('p', {class: 'hint'}, t('partners.none')));
        }
        replace(this.el, title, h('div', {class: 'table-wrap'}, table), h('p', {class: 'hint'}, t('partners.hint')), detail);
    }
}
