// Sign-in with an API token. The token goes to POST /api/v1/session once and comes back as an
// HttpOnly cookie: scripts (including this one) never keep it.
import { api } from '../api.ts';
import { field, h } from '../dom.ts';
import type { Me } from '../types.ts';
import { explain } from '../views.ts';

export function renderSignIn(root: HTMLElement, onSignedIn: (me: Me) => void): void {
  const input = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'current-password',
    required: true,
    spellcheck: 'false',
    placeholder: 'vgl_…',
  });
  const error = h('p', { class: 'state-error', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Vigil'),
    field(
      'API token',
      input,
      'The admin token is printed on first start and kept in .vigil/admin-token; create more with `vigil user create`.',
    ),
    error,
    submit,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    submit.disabled = true;
    error.hidden = true;
    api
      .signIn(input.value.trim())
      .then(onSignedIn, (e: unknown) => {
        error.textContent =
          (e as { status?: number }).status === 401
            ? 'That token is unknown, revoked or expired. Check it and try again.'
            : explain(e).message;
        error.hidden = false;
        input.focus();
      })
      .finally(() => (submit.disabled = false));
  });
  root.replaceChildren(h('main', { id: 'main', class: 'signin-wrap' }, form));
  input.focus();
}
