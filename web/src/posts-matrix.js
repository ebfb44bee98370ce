// The fixed-posts panel (定岗定人, GET /api/v1/department-posts): the enforcement departments down and
// the subdistricts in the caller's scope across; each cell names the department's responsible
// leaders and responsible people for that subdistrict, city level before district, deputies smaller,
// phones where the caller's scope gives them, and is red with what it lacks when vacant. Above the
// departments: each subdistrict's street chief, linked leaders and cross-appointees. The table
// scrolls sideways inside the panel with the department column kept in view.
import {api} from './api.js';
import {h, replace} from './dom.js';
import {t} from './i18n/index.js';

// holder is one person in a post: level, name, deputy mark, the department a linked leader is for,
// and the phone as a link to call.
function holder(p, withDepartment = false) {
    return h('div', {class: p.primary ? 'holder' : 'holder deputy', dataset: {person: p.person_id}},
        p.level && h('span', {class: 'level'}, t(`level.${p.level}`)), ' ',
        h('strong', {}, p.name),
        !p.primary && h('span', {class: 'muted'}, ` ${t('posts.deputy')}`),
        withDepartment && p.department && h('span', {class: 'muted'}, ` ${t('posts.for', {department: p.department})}`),
        p.phone && h('a', {href: `tel:${p.phone}`, class: 'phone'}, ` ☎ ${p.phone}`));
}

function holders(list, withDepartment) {
    return list.length ? list.map((p) => holder(p, withDepartment)) : h('span', {class: 'muted'}, '—');
}

// A cell's missing posts in the matrix's own words.
const MISSING = {department_leader: 'posts.leader', department_liaison: 'posts.responsible'};

function cell(c) {
    return h('td', {class: c.vacant ? 'vacant' : null, dataset: {subdistrict: c.subdistrict_id}},
        c.leaders.length > 0 && h('div', {class: 'post'}, h('div', {class: 'post-name'}, t('posts.leader')), holders(c.leaders)),
        c.responsible.length > 0 && h('div', {class: 'post'}, h('div', {class: 'post-name'}, t('posts.responsible')), holders(c.responsible)),
        c.vacant && h('div', {class: 'missing'}, t('posts.missing', {posts: c.missing.map((r) => t(MISSING[r] || `role.${r}`)).join(t('posts.sep'))})));
}

export class PostsMatrixPanel {
    constructor(el) {
        this.el = el;
        this.matrix = null;
        this.error = '';
    }

    clear() {
        this.matrix = null;
        this.error = '';
    }

    async load() {
        this.matrix = null;
        this.error = '';
        this.render();
        try {
            this.matrix = await api.departmentPosts();
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        this.render();
    }

    render() {
        const m = this.matrix;
        const head = [h('h2', {}, t('posts.title')), h('p', {class: 'hint'}, t('posts.hint'))];
        if (this.error) return replace(this.el, head, h('p', {class: 'bad'}, this.error));
        if (!m) return replace(this.el, head, h('p', {class: 'hint'}, t('loading')));
        if (!m.subdistricts.length) return replace(this.el, head, h('p', {class: 'hint'}, t('posts.none')));
        const cells = m.departments.length * m.subdistricts.length;
        const above = [
            ['streetChief', (c) => c.street_chiefs, false],
            ['linked', (c) => c.linked_leaders, true],
            ['cross', (c) => c.cross_appointees, true],
        ];
        const table = h('table', {class: 'matrix', id: 'posts-matrix'},
            h('thead', {}, h('tr', {}, h('th', {class: 'dept'}, t('posts.department')),
                m.subdistricts.map((c) => h('th', {dataset: {subdistrict: c.id}}, c.name)))),
            h('tbody', {},
                above.map(([key, posts, withDepartment]) => h('tr', {class: 'above', dataset: {row: key}},
                    h('th', {class: 'dept'}, t(`posts.${key}`)),
                    m.subdistricts.map((c) => h('td', {dataset: {subdistrict: c.id}}, holders(posts(c), withDepartment))))),
                m.departments.map((d) => h('tr', {dataset: {department: d.id}}, h('th', {class: 'dept'}, d.name), d.cells.map(cell)))));
        replace(this.el, head,
            h('p', {id: 'posts-summary'}, t('posts.summary', {d: m.departments.length, s: m.subdistricts.length, v: m.vacant_cells, n: cells}), ' ',
                h('a', {id: 'posts-xlsx', href: '/api/v1/department-posts?format=xlsx', download: ''}, t('posts.xlsx'))),
            h('div', {class: 'matrix-scroll'}, table));
    }
}
