// The sign-in dialog: POST /api/v1/session sets the session cookie and answers the CSRF token that
// every later change sends back; signing out ends the session.
import {ApiError, api, setCSRF} from './api.js';
import {h, replace} from './dom.js';
import {t} from './i18n/index.js';

export class SignIn {
    constructor(dialog, onSession) {
        this.dialog = dialog;
        this.onSession = onSession; // (session) → void
        this.error = '';
    }

    open() {
        this.error = '';
        this.render();
        this.dialog.showModal();
        this.dialog.querySelector('#signin-username').focus();
    }

    render() {
        const form = h('form', {method: 'dialog', id: 'signin-form', onsubmit: (e) => this.submit(e)},
            h('h2', {}, t('signin.title')),
            h('p', {class: 'hint'}, t('signin.hint')),
            h('label', {}, t('signin.username'), h('input', {id: 'signin-username', name: 'username', autocomplete: 'username', required: true})),
            h('label', {}, t('signin.password'), h('input', {id: 'signin-password', name: 'password', type: 'password',
                autocomplete: 'current-password', required: true})),
            this.error && h('p', {class: 'bad', id: 'signin-error'}, this.error),
            h('div', {class: 'row end'},
                h('button', {type: 'button', class: 'secondary', onclick: () => this.dialog.close()}, t('signin.cancel')),
                h('button', {type: 'submit', class: 'primary', id: 'signin-submit'}, t('signin.submit'))));
        replace(this.dialog, form);
    }

    async submit(e) {
        e.preventDefault();
        const f = e.target;
        try {
            const s = await api.signIn(f.username.value.trim(), f.password.value);
            setCSRF(s.csrf_token);
            this.dialog.close();
            await this.onSession({signed_in: true, user: s.user, csrf_token: s.csrf_token});
        } catch (err) {
            this.error = t('signin.failed', {detail: err instanceof ApiError && err.status ? err.detail : t('error.network')});
            const user = f.username.value;
            this.render();
            this.dialog.querySelector('#signin-username').value = user;
            this.dialog.querySelector('#signin-password').focus();
        }
    }

    async signOut() {
        try {
            await api.signOut();
        } finally {
            setCSRF('');
            await this.onSession({signed_in: false, user: null});
        }
    }
}
