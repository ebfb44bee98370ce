// The assessment tab (考评): a month's or quarter's result picked from the periods list — its state,
// the ranking with scores and outcomes (each with its reason on tap), one subdistrict's sheet with the
// assessors' entry of marks and spot-check draws on a draft, publication and amendment for leaders,
// the revisions with their reasons, the scores on the map, the trend per subdistrict, the XLSX and the
// printable sheet, and the rules simulator. The server decides who sees which rows.
import {api} from './api.js';
import {Charts, legend, loadCharts, paint, periodName, simulation, trendChart} from './assessment-map.js';
import {SheetView, itemName} from './assessment-sheet.js';
import {h, replace} from './dom.js';
import {formatTime, lang, t} from './i18n/index.js';

export const ASSESSMENT_ROLES = ['admin', 'district_leader', 'assessor', 'street_chief'];
const MARKERS = ['admin', 'district_leader', 'assessor'];
const PUBLISHERS = ['admin', 'district_leader'];

const two = (x) => (x == null ? '—' : Number(x).toFixed(2));

// The periods now under way (Beijing time): they are drafts an assessor marks before anyone lists them.
function current(kind) {
    const d = new Date(Date.now() + 8 * 3600e3);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth();
    if (kind === 'month') {
        const prev = m === 0 ? `${y - 1}-12` : `${y}-${String(m).padStart(2, '0')}`;
        return [`${y}-${String(m + 1).padStart(2, '0')}`, prev];
    }
    const q = Math.floor(m / 3) + 1;
    return [`${y}-Q${q}`, q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}`];
}

export class AssessmentPanel {
    constructor(el, {session, toast, map}) {
        this.el = el;
        this.session = session;
        this.toast = toast;
        this.map = map;
        this.kind = 'quarter';
        this.periods = [];
        this.label = '';
        this.result = null;
        this.trend = null;
        this.selected = 0; // the subdistrict whose sheet is open
        this.openReasons = new Set(); // outcome ids whose reason is shown
        this.amending = null; // [{subdistrict_id, item_code, points}]
        this.simAnswer = null;
        this.error = '';
        this.visible = false;
        this.stale = true;
        this.charts = new Charts();
        this.sheet = new SheetView({period: () => ({kind: this.kind, label: this.label}), toast,
            done: (reload = true) => (reload ? this.loadResult() : this.render())});
    }

    role() {
        return this.session().user?.role;
    }

    clear() {
        this.stale = true;
        this.result = null;
        this.periods = [];
        this.trend = null;
        this.simAnswer = null;
        this.paintMap();
    }

    show(visible) {
        this.visible = visible;
        this.paintMap();
        if (visible) requestAnimationFrame(() => this.charts.resize());
    }

    // paintMap colours only rows with a whole score: a draft's row still missing marks has none yet.
    paintMap() {
        paint(this.map()?.map, this.result?.rows.filter((r) => !r.missing?.length), this.visible);
    }

    async load() {
        loadCharts(); // with the periods and results, not after them
        this.error = '';
        this.result = null;
        this.render();
        try {
            const listed = await api.assessmentPeriods(this.kind);
            const labels = new Set(listed.map((p) => p.label));
            const drafts = current(this.kind).filter((l) => !labels.has(l)).map((label) => ({kind: this.kind, label, state: 'draft'}));
            this.periods = [...drafts, ...listed].sort((a, b) => (a.label < b.label ? 1 : -1));
            const published = listed.filter((p) => p.state === 'published');
            if (!this.periods.some((p) => p.label === this.label)) this.label = (published[0] || this.periods[0])?.label || '';
            this.trend = published.length ? await api.assessmentTrend(this.kind, published[published.length - 1].label, published[0].label) : null;
        } catch (e) {
            this.error = t('error.generic', {detail: e.detail || e.message});
            return this.render();
        }
        await this.loadResult();
    }

    async loadResult() {
        if (!this.label) return this.render();
        try {
            this.result = await api.assessmentResult(this.kind, this.label);
            this.error = '';
        } catch (e) {
            this.result = null;
            this.error = t('error.generic', {detail: e.detail || e.message});
        }
        if (this.result && !this.result.rows.some((r) => r.subdistrict_id === this.selected)) this.selected = this.result.rows[0]?.subdistrict_id || 0;
        this.paintMap();
        this.render();
    }

    setKind(kind) {
        this.kind = kind;
        this.label = '';
        this.amending = null;
        this.load();
    }

    setLabel(label) {
        this.label = label;
        this.amending = null;
        this.loadResult();
    }

    async publish(msg) {
        try {
            await api.assessmentPublish(this.kind, this.label);
        } catch (e) {
            msg.textContent = t('assess.publishRefused', {detail: e.detail || e.message});
            return;
        }
        this.toast(t('assess.published'));
        await this.load();
    }

    async amend(form) {
        const msg = form.querySelector('#assess-amend-error');
        const reason = form.querySelector('#assess-amend-reason').value.trim();
        const changes = [...form.querySelectorAll('.assess-change')].map((c) => ({
            subdistrict_id: Number(c.querySelector('[name=sub]').value), item_code: c.querySelector('[name=item]').value,
            points: c.querySelector('[name=points]').value.trim()}));
        if (changes.some((c) => !/^\d{1,3}(\.\d{1,2})?$/.test(c.points))) return (msg.textContent = t('assess.amend.badPoints'));
        if (!reason) return (msg.textContent = t('assess.amend.needReason'));
        try {
            await api.assessmentAmend(this.kind, this.label, {changes: changes.map((c) => ({...c, points: Number(c.points)})), reason});
        } catch (e) {
            msg.textContent = t('error.generic', {detail: e.detail || e.message});
            return;
        }
        this.amending = null;
        this.toast(t('assess.amended'));
        await this.loadResult();
    }

    async simulate(box, out) {
        let doc;
        try {
            doc = JSON.parse(box.value);
        } catch {
            return replace(out, h('p', {class: 'bad'}, t('assess.sim.badJSON')));
        }
        try {
            this.simAnswer = await api.assessmentSimulate(doc);
        } catch (e) {
            return replace(out, h('p', {class: 'bad', id: 'assess-sim-error'}, t('error.generic', {detail: e.detail || e.message})));
        }
        replace(out, simulation(this.simAnswer));
    }

    // simInput is the last four published quarters' scores, as the simulator reads them.
    simInput() {
        if (this.kind !== 'quarter' || !this.trend) return '{"quarters": []}';
        const n = this.trend.periods.length;
        const quarters = this.trend.periods.slice(Math.max(0, n - 4)).map((period, k) => {
            const i = Math.max(0, n - 4) + k;
            return {period, scores: Object.fromEntries(this.trend.series.filter((s) => s.scores[i] != null).map((s) => [s.name, s.scores[i]]))};
        });
        return JSON.stringify({quarters}, null, 1);
    }

    chip(o) {
        const label = o.yuan ? t(`assess.outcome.${o.kind}Yuan`, {yuan: Math.abs(o.yuan).toLocaleString('zh-CN')}) : t(`assess.outcome.${o.kind}`);
        const open = this.openReasons.has(o.id);
        return h('span', {class: 'assess-outcome'},
            h('button', {type: 'button', class: `chip outcome-${o.kind}`, dataset: {kind: o.kind, outcome: o.id}, 'aria-expanded': String(open),
                onclick: () => { open ? this.openReasons.delete(o.id) : this.openReasons.add(o.id); this.render(); }}, label),
            open ? h('span', {class: 'assess-reason'}, lang() === 'zh' ? o.text_zh : o.text) : null);
    }

    ranking() {
        const r = this.result;
        const quarter = this.kind === 'quarter';
        const head = ['rank', 'subdistrict', 'score', quarter ? 'sheetTotal' : null, quarter ? 'monthsAverage' : null, 'outcomes'].filter(Boolean);
        return h('div', {class: 'table-wrap'}, h('table', {class: 'overview', id: 'assess-ranking'},
            h('thead', {}, h('tr', {}, head.map((k) => h('th', {}, t(`assess.col.${k}`))))),
            h('tbody', {}, r.rows.map((row) => h('tr', {dataset: {subdistrict: row.subdistrict_id}, class: row.subdistrict_id === this.selected ? 'selected' : null},
                h('td', {class: 'num'}, r.state === 'published' ? row.rank : '—'),
                h('td', {}, h('button', {type: 'button', class: 'link', onclick: () => { this.selected = row.subdistrict_id; this.render(); }}, row.name)),
                h('td', {class: 'num assess-score'}, two(row.score)),
                quarter ? [h('td', {class: 'num'}, two(row.sheet_total)), h('td', {class: 'num'}, two(row.months_average))] : null,
                h('td', {class: 'assess-outcomes'}, row.outcomes.map((o) => this.chip(o))))))));
    }

    amendForm() {
        const r = this.result;
        const change = (c) => h('div', {class: 'row assess-change'},
            h('select', {name: 'sub', 'aria-label': t('assess.col.subdistrict')}, r.rows.map((row) => h('option', {value: row.subdistrict_id, selected: row.subdistrict_id === c.subdistrict_id}, row.name))),
            h('select', {name: 'item', 'aria-label': t('assess.amend.item')}, r.sheet.items.map((it) => h('option', {value: it.code, selected: it.code === c.item_code}, itemName(it)))),
            h('input', {name: 'points', inputmode: 'decimal', maxlength: 6, placeholder: t('assess.amend.points'), 'aria-label': t('assess.amend.points')}));
        return h('form', {id: 'assess-amend', class: 'cadre-form', onsubmit: (e) => { e.preventDefault(); this.amend(e.target); }},
            h('h3', {}, t('assess.amend.title', {label: periodName(this.label)})),
            this.amending.map(change),
            h('button', {type: 'button', class: 'link', id: 'assess-amend-add', onclick: () => {
                this.amending.push({subdistrict_id: this.selected, item_code: r.sheet.items[0].code}); this.render(); }}, t('assess.amend.add')),
            h('label', {for: 'assess-amend-reason'}, t('assess.amend.reason')), h('input', {id: 'assess-amend-reason', maxlength: 500}),
            h('p', {class: 'bad', id: 'assess-amend-error'}),
            h('div', {class: 'row'}, h('button', {type: 'submit', class: 'primary', id: 'assess-amend-save'}, t('assess.amend.save')),
                h('button', {type: 'button', class: 'secondary', onclick: () => { this.amending = null; this.render(); }}, t('assess.cancel'))));
    }

    actions() {
        const r = this.result;
        if (!PUBLISHERS.includes(this.role())) return null;
        if (r.state === 'draft') {
            const msg = h('p', {class: 'bad', id: 'assess-publish-error'});
            return [h('button', {type: 'button', class: 'primary', id: 'assess-publish', onclick: () => this.publish(msg)}, t('assess.publish')), msg];
        }
        if (this.amending) return this.amendForm();
        return h('button', {type: 'button', class: 'secondary', id: 'assess-amend-open', onclick: () => {
            this.amending = [{subdistrict_id: this.selected, item_code: r.sheet.items[0].code}]; this.render(); }}, t('assess.amend.open'));
    }

    revisions() {
        const revs = this.result.revisions || [];
        if (!revs.length) return null;
        return [h('h3', {}, t('assess.revisions')), h('ul', {class: 'results', id: 'assess-revisions'}, revs.map((v) => h('li', {dataset: {revision: v.revision}},
            t('assess.revisionItem', {n: v.revision, at: formatTime(v.published_at), by: v.published_by}),
            h('span', {class: 'assess-reason'}, ` ${v.reason || t('assess.firstPublication')}`))))];
    }

    simulator() {
        if (!MARKERS.includes(this.role())) return null;
        const box = h('textarea', {id: 'assess-sim-input', rows: 6, spellcheck: false, 'aria-label': t('assess.sim.title')}, this.simInput());
        const out = h('div', {id: 'assess-sim-output'}, this.simAnswer ? simulation(this.simAnswer) : null);
        return h('details', {id: 'assess-sim'}, h('summary', {}, t('assess.sim.title')), h('p', {class: 'hint'}, t('assess.sim.hint')), box,
            h('button', {type: 'button', class: 'secondary', id: 'assess-sim-run', onclick: () => this.simulate(box, out)}, t('assess.sim.run')), out);
    }

    header() {
        const st = this.result ? (this.result.state === 'published' ? t('assess.state.published', {n: this.result.revision}) : t('assess.state.draft')) : '';
        return [h('div', {class: 'row'}, h('h2', {}, t('assess.title')),
            h('select', {id: 'assess-kind', 'aria-label': t('assess.kind'), onchange: (e) => this.setKind(e.target.value)},
                ['quarter', 'month'].map((k) => h('option', {value: k, selected: k === this.kind}, t(`assess.kind.${k}`)))),
            h('select', {id: 'assess-period', 'aria-label': t('assess.period'), onchange: (e) => this.setLabel(e.target.value)},
                this.periods.map((p) => h('option', {value: p.label, selected: p.label === this.label}, periodName(p.label)))),
            st ? h('span', {class: `badge assess-state state-${this.result.state}`, id: 'assess-state'}, st) : null)];
    }

    render() {
        this.charts.dispose();
        if (this.error) return replace(this.el, this.header(), h('p', {class: 'bad', id: 'assess-error'}, this.error));
        if (!this.result) return replace(this.el, this.header(), h('p', {class: 'hint'}, t('loading')));
        const r = this.result;
        const q = `lang=${lang()}`;
        const base = `/api/v1/assessments/${this.kind}/${this.label}`;
        const row = r.rows.find((x) => x.subdistrict_id === this.selected);
        const mayMark = r.state === 'draft' && MARKERS.includes(this.role());
        const trendEl = this.trend ? h('div', {class: 'chart', id: 'assess-trend'}) : null;
        replace(this.el, this.header(),
            h('p', {class: 'muted'}, t('assess.sheetName', {name: r.sheet.name, version: r.sheet.version})),
            h('p', {class: 'gap-links'},
                h('a', {id: 'assess-xlsx', download: `assessment-${this.label}.xlsx`, href: `${base}?format=xlsx&${q}`}, t('assess.xlsx')),
                h('a', {id: 'assess-print', target: '_blank', href: `${base}?format=html&${q}`}, t('assess.print')),
                h('a', {id: 'assess-pdf', target: '_blank', href: `${base}?format=pdf&${q}`}, 'PDF'),
                this.kind === 'quarter' && r.state === 'published' ? h('a', {id: 'assess-funds', href: '#funds'}, t('assess.funds')) : null),
            legend(),
            r.rows.length ? this.ranking() : h('p', {class: 'hint', id: 'assess-ranking'}, t('assess.empty')),
            this.actions(),
            this.revisions(),
            row ? this.sheet.render(row, mayMark) : null,
            trendEl ? [h('h3', {}, t('assess.trend', {kind: t(`assess.kind.${this.kind}`)})), trendEl] : null,
            this.simulator());
        if (trendEl) requestAnimationFrame(() => trendEl.isConnected && trendChart(this.charts, trendEl, this.trend));
    }
}
