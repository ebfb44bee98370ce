// The 物业 panel: per community, how many residential compounds have a property manager under
// contract, a residents' team, or neither (GET /api/v1/compounds/summary), and a community's
// compounds with their manager, teams and building representatives at a date; and the same partners
// in the lookup popup of a compound (compoundPartners). Read only: records are kept through the API.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {t} from './i18n/index.js';

// Who may read compounds' partners (the API's own list).
export const PARTNER_ROLES = ['admin', 'district_leader', 'street_chief', 'lane_chief'];

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
    constructor(el, {session}) {
        this.el = el;
        this.session = session;
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
                    : this.compounds.length ? h('ul', {class: 'results partner-list'}, this.compounds.map((c) => h('li', {dataset: {compound: c.id}},
                        h('strong', {}, c.name), partnersView(c))))
                        : h('p', {class: 'hint'}, t('partners.none')));
        }
        replace(this.el, title, h('div', {class: 'table-wrap'}, table), h('p', {class: 'hint'}, t('partners.hint')), detail);
    }
}
