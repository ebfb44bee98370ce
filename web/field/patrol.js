// Patrolling (巡街): start, pause and end; the track from the device's position, thinned here (a fix
// 5 m from the last kept one or 30 s after it), with its accuracy and time; distance and duration
// shown as they grow. The patrol's id is made here, so the start, each batch of fixes and the end
// are records of the outbox like any other and need no answer from the server to go on. The state is
// kept on the device after every kept fix, so a reload or a restarted phone resumes the patrol.
import {h, replace} from '../src/dom.js';
import {duration, metres, t, time} from './i18n/index.js';
import {newKey} from './outbox.js';
import {TRACK_MAX_ACCURACY_M, distanceM, keep, watch} from './position.js';
import {kv} from './store.js';

// A batch of fixes goes to the outbox when it has this many, or when this long has passed.
const BATCH_FIXES = 20;
const BATCH_MS = 60000;

export class Patrol {
    constructor(app) {
        this.app = app;
        this.state = null; // {id, started_at, paused_at, pauses, seq, pending, last, distance, events, batch_at}
        this.stop = null;
        this.gpsError = '';
        this.lastFix = null;
        this.result = null; // the last patrol's verdict, once the server has answered its end
    }

    active() {
        return !!this.state;
    }

    restore(state) {
        this.state = state || null;
        if (this.state && !this.state.paused_at) this.listen();
        kv.get('patrol-result').then((r) => (this.result = r || null));
    }

    save() {
        return this.state ? kv.set('patrol', this.state) : kv.del('patrol');
    }

    async start() {
        const id = newKey();
        const at = new Date().toISOString();
        this.state = {id, started_at: at, paused_at: null, pauses: [], seq: 0, pending: [], track: [], last: null, distance: 0,
            events: {}, batch_at: Date.now()};
        this.result = null;
        await kv.del('patrol-result');
        await this.save();
        await this.app.outbox.add({key: id, kind: 'patrol-start', label: t('patrol.title'), method: 'PUT', path: `/api/v1/patrols/${id}`,
            body: {started_at: at, note: ''}, made_at: at});
        this.listen();
    }

    listen() {
        this.stop?.();
        this.stop = watch((fix) => this.fix(fix), (err) => {
            this.gpsError = err.denied ? t('fix.denied') : t('fix.failed');
            this.changed();
        });
    }

    async fix(fix) {
        const s = this.state;
        if (!s || s.paused_at) return;
        this.gpsError = '';
        this.lastFix = fix;
        if (fix.accuracy_m > TRACK_MAX_ACCURACY_M || Date.parse(fix.at) < Date.parse(s.started_at) - 1000 || !keep(s.last, fix)) {
            this.changed();
            return;
        }
        // A step from the last fix before a pause to the first after it is not walked distance.
        if (s.last && !s.last.before_pause) s.distance += distanceM(s.last, fix);
        s.pending.push({seq: s.seq++, lon: fix.lon, lat: fix.lat, accuracy_m: fix.accuracy_m, at: fix.at});
        s.track.push([fix.lon, fix.lat]);
        s.last = fix;
        if (s.pending.length >= BATCH_FIXES || Date.now() - s.batch_at >= BATCH_MS) await this.flush();
        else await this.save();
        this.changed();
    }

    // flush moves the fixes kept so far into the outbox as one batch, keyed by its first seq.
    async flush() {
        const s = this.state;
        s.batch_at = Date.now();
        if (!s.pending.length) return this.save();
        const fixes = s.pending;
        s.pending = [];
        // Saved before the batch is queued: a crash between the two loses a batch's display, never
        // sends one twice (the outbox refuses a second record under the same key anyway).
        await this.save();
        await this.app.outbox.add({key: `${s.id}:fixes:${fixes[0].seq}`, kind: 'patrol-fixes', label: t('patrol.fixes', {n: fixes.length}),
            method: 'POST', path: `/api/v1/patrols/${s.id}/fixes`, body: {fixes}, made_at: fixes[0].at,
            position: {lon: fixes[0].lon, lat: fixes[0].lat}});
    }

    async pause() {
        const s = this.state;
        if (!s || s.paused_at) return;
        this.stop?.();
        this.stop = null;
        s.paused_at = new Date().toISOString();
        if (s.last) s.last = {...s.last, before_pause: true};
        await this.flush();
        this.changed();
    }

    async resume() {
        const s = this.state;
        if (!s || !s.paused_at) return;
        s.pauses.push({from: s.paused_at, until: new Date().toISOString()});
        s.paused_at = null;
        await this.save();
        this.listen();
        this.changed();
    }

    async end() {
        const s = this.state;
        if (!s) return;
        this.stop?.();
        this.stop = null;
        const ended = new Date().toISOString();
        if (s.paused_at) s.pauses.push({from: s.paused_at, until: ended});
        s.paused_at = null;
        await this.flush();
        const summary = {...this.summary(), id: s.id, started_at: s.started_at, ended_at: ended, events: s.events};
        await this.app.outbox.add({key: `${s.id}:end`, kind: 'patrol-end', label: t('patrol.endRecord'), method: 'POST',
            path: `/api/v1/patrols/${s.id}:end`, body: {ended_at: ended, pauses: s.pauses}, made_at: ended});
        this.state = null;
        this.result = {summary};
        await kv.set('patrol-result', this.result);
        await this.save();
        this.changed();
    }

    // event counts a record made along the way (the server ties it to the track by time).
    event(kind) {
        const s = this.state;
        s.events[kind] = (s.events[kind] || 0) + 1;
        this.save();
    }

    async verdict(answer) {
        if (!this.result || answer?.id !== this.result.summary.id) return;
        this.result = {...this.result, verdict: answer.verdict || null};
        await kv.set('patrol-result', this.result);
        this.changed();
    }

    summary() {
        const s = this.state;
        const now = s.paused_at ? Date.parse(s.paused_at) : Date.now();
        const paused = s.pauses.reduce((sum, p) => sum + Date.parse(p.until) - Date.parse(p.from), 0);
        return {distance: s.distance, duration: now - Date.parse(s.started_at) - paused, fixes: s.seq};
    }

    changed() {
        if (this.app.tab === 'map') this.app.screens.map?.view?.map && this.app.screens.map.view.drawTrack();
        const screen = this.app.screens.patrol;
        if (this.app.tab === 'patrol' && screen?.el?.isConnected) screen.draw();
    }
}

export class PatrolScreen {
    constructor(app) {
        this.app = app;
        this.timer = 0;
    }

    render(el) {
        this.el = el;
        this.draw();
        clearInterval(this.timer);
        this.timer = setInterval(() => this.app.patrol.active() && !this.app.patrol.state.paused_at && this.draw(), 1000);
    }

    leave() {
        clearInterval(this.timer);
        this.timer = 0;
    }

    draw() {
        const p = this.app.patrol;
        const s = p.state;
        if (!s) {
            replace(this.el, h('h2', {}, t('patrol.title')),
                p.result && this.resultCard(p.result),
                h('p', {class: 'hint'}, t('patrol.hint')),
                h('button', {type: 'button', class: 'primary big', id: 'patrol-start', onclick: () => p.start()}, t('patrol.start')));
            return;
        }
        const sum = p.summary();
        const ev = Object.entries(s.events);
        replace(this.el,
            h('h2', {}, t('patrol.title'), h('small', {}, ` ${t('patrol.since', {time: time(s.started_at)})}`)),
            h('div', {class: 'stats card'},
                h('div', {}, h('strong', {id: 'patrol-distance'}, metres(sum.distance)), h('small', {}, t('patrol.distance'))),
                h('div', {}, h('strong', {id: 'patrol-duration'}, duration(sum.duration)), h('small', {}, t('patrol.duration'))),
                h('div', {}, h('strong', {id: 'patrol-fixes'}, String(sum.fixes)), h('small', {}, t('patrol.points')))),
            h('p', {class: s.paused_at ? 'hint' : 'ok', id: 'patrol-state'}, s.paused_at ? t('patrol.paused') : t('patrol.recording'),
                p.lastFix && !s.paused_at && h('small', {}, ` ${t('fix.acc', {acc: Math.round(p.lastFix.accuracy_m)})}`)),
            p.gpsError && h('p', {class: 'bad'}, p.gpsError),
            h('div', {class: 'pair'},
                s.paused_at
                    ? h('button', {type: 'button', class: 'big', id: 'patrol-resume', onclick: () => p.resume()}, t('patrol.resume'))
                    : h('button', {type: 'button', class: 'big', id: 'patrol-pause', onclick: () => p.pause()}, t('patrol.pause')),
                h('button', {type: 'button', class: 'danger big', id: 'patrol-end', onclick: () => p.end()}, t('patrol.end'))),
            h('h3', {}, t('patrol.along')),
            h('div', {class: 'actions'},
                h('button', {type: 'button', class: 'big', id: 'patrol-report', onclick: () => this.app.go('report', {from: 'patrol'})}, t('today.report')),
                h('button', {type: 'button', class: 'big', id: 'patrol-sighting', onclick: () => this.app.go('sighting', {from: 'patrol'})}, t('today.sighting')),
                this.app.session.user.role !== 'street_chief' &&
                    h('button', {type: 'button', class: 'big', onclick: () => this.app.go('today')}, t('patrol.inspect'))),
            ev.length > 0 && h('p', {class: 'hint', id: 'patrol-events'}, ev.map(([k, n]) => t(`event.${k}`, {n})).join(' · ')));
    }

    resultCard(r) {
        const s = r.summary;
        const v = r.verdict;
        return h('div', {class: 'card', id: 'patrol-result'},
            h('strong', {}, t('patrol.last', {time: time(s.ended_at)})),
            h('p', {}, `${metres(s.distance)} · ${duration(s.duration)} · ${t('patrol.pointsN', {n: s.fixes})}`),
            !v ? h('p', {class: 'hint'}, t('patrol.verdictWaiting'))
                : v.suspect ? h('ul', {class: 'bad'}, v.reasons.map((x) => h('li', {}, reasonText(x))))
                    : h('p', {class: 'ok'}, t('patrol.credible')));
    }
}

const fmt = (x) => (Math.abs(x) >= 10 ? Math.round(x) : Math.round(x * 100) / 100);

// reasonText is a proof rule a record broke, in words, with its figure and limit.
export function reasonText(x) {
    return t(`proof.${x.code}`, {figure: fmt(x.figure), limit: fmt(x.limit)});
}
