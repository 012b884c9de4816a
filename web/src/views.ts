// Loading, empty and error states: each says what is happening and what to do next.
import { ApiError } from './api.ts';
import { h, replace } from './dom.ts';

export function loading(what: string): HTMLElement {
  return h('p', { class: 'state state-loading', role: 'status', 'aria-live': 'polite' }, `Loading ${what}…`);
}

export function empty(message: string, hint?: string): HTMLElement {
  return h(
    'div',
    { class: 'state state-empty' },
    h('p', {}, message),
    hint ? h('p', { class: 'hint' }, hint) : null,
  );
}

export function explain(e: unknown): { message: string; hint: string } {
  if (e instanceof ApiError) {
    if (e.status === 0) return { message: e.message, hint: 'Retry once the server is back.' };
    if (e.status === 403)
      return {
        message: 'Your role may not see or do this.',
        hint: 'Ask an admin for a token with more rights.',
      };
    if (e.status === 404 && e.code === 'NOT_FOUND' && /no route/.test(e.message))
      return {
        message: 'This Vigil server does not offer this data yet.',
        hint: `The endpoint is missing (${e.message}); upgrade Vigil or enable the module that serves it.`,
      };
    if (e.status === 404)
      return { message: e.message, hint: 'It may have been deleted; go back to the list.' };
    if (e.status >= 500)
      return {
        message: `The server failed: ${e.message}`,
        hint: 'Retry; if it persists, check the Vigil log.',
      };
    return { message: e.message, hint: 'Check the values and retry.' };
  }
  return {
    message: String((e as Error)?.message ?? e),
    hint: 'Reload the page; if it persists, check the Vigil log.',
  };
}

export function failure(e: unknown, retry?: () => void): HTMLElement {
  const { message, hint } = explain(e);
  return h(
    'div',
    { class: 'state state-error', role: 'alert' },
    h('p', {}, h('strong', {}, 'Could not load: '), message),
    h('p', { class: 'hint' }, hint),
    retry ? h('button', { type: 'button', onclick: () => retry() }, 'Retry') : null,
  );
}

/** Shows loading in `el`, then what `render` builds, or an error with a retry button. */
export async function section<R>(
  el: HTMLElement,
  what: string,
  load: () => Promise<R>,
  render: (data: R) => Node | Node[],
): Promise<void> {
  replace(el, loading(what));
  try {
    const data = await load();
    replace(el, render(data));
  } catch (e) {
    replace(
      el,
      failure(e, () => void section(el, what, load, render)),
    );
  }
}

let toastTimer = 0;
/** A short status message for the result of an action, announced to screen readers. */
export function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  const el = document.getElementById('toast');
  if (!el) return;
  el.className = `toast toast-${kind}`;
  el.textContent = message;
  window.clearTimeout(toastTimer);
  toastTimer = window.setTimeout(() => (el.textContent = ''), 6000);
}

/** Runs an action from a button: disables it meanwhile and reports the result. */
export async function act(
  btn: HTMLButtonElement,
  run: () => Promise<unknown>,
  done: string,
): Promise<boolean> {
  btn.disabled = true;
  try {
    await run();
    toast(done);
    return true;
  } catch (e) {
    toast(explain(e).message, 'error');
    return false;
  } finally {
    btn.disabled = false;
  }
}
