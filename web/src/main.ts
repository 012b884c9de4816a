// Entry point: theme first (no flash), then who is signed in, then the shell and the router.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { api, whenSignedOut } from './api.ts';
import { registerPages } from './pages/index.ts';
import { renderSignIn } from './pages/signin.ts';
import { resolve } from './router.ts';
import { setUser } from './session.ts';
import { renderShell } from './shell.ts';
import { applyTheme } from './theme.ts';
import type { Me } from './types.ts';
import { failure } from './views.ts';

const root = document.getElementById('app') as HTMLElement;
applyTheme();
registerPages();

function signedOut(): void {
  setUser(null);
  window.removeEventListener('hashchange', onHash);
  renderSignIn(root, signedIn);
}

let shell: ReturnType<typeof renderShell> | null = null;
function onHash(): void {
  if (shell) resolve(shell.main, shell.markActive);
}

function signedIn(me: Me): void {
  setUser(me);
  shell = renderShell(root, signedOut);
  window.addEventListener('hashchange', onHash);
  onHash();
}

whenSignedOut(signedOut);
api.me().then(signedIn, (e: unknown) => {
  if ((e as { status?: number }).status === 401) signedOut();
  else root.replaceChildren(failure(e, () => location.reload()));
});
