// The app's own sign-in screen: POST /api/v1/session sets the session cookie and answers the CSRF
// token, which the device keeps so that records queued offline can be sent after a reload. Only the
// roles that work in the street are let in; the others are sent to the dashboard.
import {h, replace} from '../src/dom.js';
import {t} from './i18n/index.js';

const FIELD = ['admin', 'street_chief', 'lane_chief', 'inspector'];

export class SignInScreen {
    constructor(app, username) {
        this.app = app;
        this.username = username;
        this.error = '';
        this.busy = false;
    }

    render(el) {
        this.el = el;
        const form = h('form', {id: 'signin', class: 'card', onsubmit: (e) => this.submit(e)},
            h('h2', {}, this.username ? t('signin.again') : t('signin.title')),
            this.username && h('p', {class: 'hint'}, t('signin.againHint')),
            h('label', {}, t('signin.username'), h('input', {id: 'signin-username', name: 'username', autocomplete: 'username',
                required: true, value: this.username || ''})),
            h('label', {}, t('signin.password'), h('input', {id: 'signin-password', name: 'password', type: 'password',
                autocomplete: 'current-password', required: true})),
            this.error && h('p', {class: 'bad', id: 'signin-error'}, this.error),
            h('button', {type: 'submit', class: 'primary big', id: 'signin-submit', disabled: this.busy}, t('signin.submit')));
        replace(el, form);
    }

    async submit(e) {
        e.preventDefault();
        const f = e.target;
        const username = f.username.value.trim();
        this.busy = true;
        this.error = '';
        let res, doc;
        try {
            res = await fetch('/api/v1/session', {method: 'POST', headers: {'Content-Type': 'application/json', Accept: 'application/json'},
                body: JSON.stringify({username, password: f.password.value}), cache: 'no-store'});
            doc = await res.json();
        } catch {
            this.error = t('signin.offline');
        }
        this.busy = false;
        if (res && !res.ok) this.error = t('signin.failed', {detail: doc?.detail || res.status});
        else if (res && !FIELD.includes(doc.user.role)) this.error = t('signin.notField');
        if (this.error) {
            this.username = username;
            this.render(this.el);
            this.el.querySelector('#signin-password').focus();
            return;
        }
        this.error = (await this.app.signedIn(doc)) || '';
        if (this.error) {
            this.username = username;
            this.render(this.el);
        }
    }
}
