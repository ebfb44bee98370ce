// The outbox as the user sees it: what waits to be sent, in order, with when and where each record
// was made; and what the server refused (the shop closed meanwhile, the case already resolved, a
// check the server makes), with its reason, kept until the user dismisses it.
import {h, replace} from '../src/dom.js';
import {dateTime, t} from './i18n/index.js';
import {reasonText} from './patrol.js';
import {attention, kv, outbox} from './store.js';

export class QueueScreen {
    constructor(app) {
        this.app = app;
    }

    render(el) {
        this.el = el;
        this.refresh();
    }

    async refresh() {
        if (!this.el?.isConnected) return;
        const [waiting, refused, sent] = await Promise.all([outbox.all(), attention.all(), kv.get('sent')]);
        const state = this.app.outbox.state;
        replace(this.el,
            h('h2', {}, t('queue.title')),
            h('section', {id: 'attention'},
                h('h3', {}, t('queue.attention'), h('small', {}, ` ${refused.length}`)),
                refused.length === 0 && h('p', {class: 'hint'}, t('queue.noAttention')),
                h('ul', {class: 'list'}, refused.map((r) => h('li', {class: 'item static refused', 'data-key': r.key},
                    h('span', {class: 'main'}, h('strong', {}, `${t(`kind.${r.kind}`)} · ${r.label || ''}`),
                        h('small', {}, t('queue.made', {at: dateTime(r.made_at)})),
                        h('span', {class: 'bad problem'}, problemText(r.problem))),
                    h('button', {type: 'button', class: 'secondary', 'data-dismiss': r.key, onclick: () => this.dismiss(r.key)}, t('queue.dismiss')))))),
            h('section', {id: 'waiting'},
                h('div', {class: 'row spread'},
                    h('h3', {}, t('queue.waiting'), h('small', {}, ` ${waiting.length}`)),
                    waiting.length > 0 && h('button', {type: 'button', class: 'secondary', id: 'queue-send', onclick: () => this.app.outbox.kick(true)},
                        t('queue.sendNow'))),
                h('p', {class: 'hint', id: 'queue-state'}, waiting.length ? t(`queue.state.${state}`) : t('queue.allSent')),
                h('ol', {class: 'list'}, waiting.map((r) => h('li', {class: 'item static', 'data-key': r.key},
                    h('span', {class: 'main'}, `${t(`kind.${r.kind}`)} · ${r.label || ''}`,
                        h('small', {}, [t('queue.made', {at: dateTime(r.made_at)}),
                            r.position && `${r.position.lon.toFixed(5)}, ${r.position.lat.toFixed(5)}`,
                            r.photos?.length ? t('queue.photos', {n: r.photos.length}) : ''].filter(Boolean).join(' · '))))))),
            sent?.length > 0 && h('section', {id: 'sent'},
                h('h3', {}, t('queue.sent')),
                h('ul', {class: 'list'}, sent.filter((r) => r.kind !== 'patrol-fixes').map((r) => h('li', {class: 'item static', 'data-key': r.key},
                    h('span', {class: 'main'}, `${t(`kind.${r.kind}`)} · ${r.label || ''}`,
                        h('small', {}, t('queue.sentAt', {made: dateTime(r.made_at), sent: dateTime(r.sent_at)})),
                        r.suspect && h('small', {class: 'bad'}, r.reasons.map(reasonText).join('; '))),
                    h('span', {class: 'side'}, r.suspect ? h('span', {class: 'tag bad'}, t('patrol.suspect')) : h('span', {class: 'tag done'}, t('queue.ok'))))))),
            h('section', {},
                h('h3', {}, t('queue.account')),
                h('p', {class: 'hint'}, t('queue.signedInAs', {name: this.app.session.user.username, role: t(`role.${this.app.session.user.role}`)})),
                h('button', {type: 'button', class: 'secondary big', id: 'signout', onclick: () => this.app.signOut()}, t('signout'))));
    }

    async dismiss(key) {
        await attention.dismiss(key);
        this.app.counts();
    }
}

// problemText says why the server refused a record: a sentence in the UI language for the kind of
// refusal, then the server's own detail (which names the exact check).
export function problemText(p) {
    if (!p) return '';
    const kind = t(`problem.${p.code || p.status}`);
    const head = kind.startsWith('problem.') ? t('problem.other', {status: p.status}) : kind;
    return `${head}${p.field ? ` (${t('problem.field', {field: p.field})})` : ''}: ${p.detail}`;
}
