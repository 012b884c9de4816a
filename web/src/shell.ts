// The frame around every page: skip link, navigation, theme toggle, who is signed in, sign-out.
import { api } from './api.ts';
import { button, h } from './dom.ts';
import { user } from './session.ts';
import { currentTheme, toggleTheme } from './theme.ts';
import { toast } from './views.ts';

const NAV: [href: string, label: string][] = [
  ['#/', 'Overview'],
  ['#/servers', 'Servers'],
  ['#/alerts', 'Alerts'],
  ['#/incidents', 'Incidents'],
  ['#/anomalies', 'Anomalies'],
  ['#/reports', 'Reports'],
  ['#/rules', 'Rules'],
  ['#/silences', 'Silences'],
  ['#/maintenance', 'Maintenance'],
];

export interface Shell {
  main: HTMLElement;
  markActive(path: string): void;
}

export function renderShell(root: HTMLElement, onSignedOut: () => void): Shell {
  const me = user();
  const themeBtn = button(
    themeLabel(),
    () => {
      toggleTheme();
      themeBtn.textContent = themeLabel();
    },
    { class: 'ghost', 'aria-label': 'Toggle light or dark theme' },
  );
  const signOut = button(
    'Sign out',
    () => {
      void api.signOut().finally(() => {
        toast('Signed out');
        onSignedOut();
      });
    },
    { class: 'ghost' },
  );
  const links = NAV.map(([href, label]) => h('a', { href, 'data-nav': href.slice(1) }, label));
  const main = h('main', { id: 'main', tabindex: '-1' });
  root.replaceChildren(
    h('a', { class: 'skip', href: '#main', onclick: skipToMain }, 'Skip to content'),
    h(
      'header',
      { class: 'top' },
      h('a', { class: 'brand', href: '#/' }, 'Vigil'),
      h('nav', { 'aria-label': 'Main' }, links),
      h(
        'div',
        { class: 'who' },
        h('span', { 'data-testid': 'who' }, me ? `${me.username} (${me.role})` : ''),
        themeBtn,
        signOut,
      ),
    ),
    main,
    h('div', { id: 'toast', role: 'status', 'aria-live': 'polite' }),
  );
  return {
    main,
    markActive(path) {
      for (const a of links) {
        const target = a.dataset.nav ?? '';
        const active = target === '/' ? path === '/' : path === target || path.startsWith(`${target}/`);
        if (active) a.setAttribute('aria-current', 'page');
        else a.removeAttribute('aria-current');
      }
    },
  };
}

function themeLabel(): string {
  return currentTheme() === 'dark' ? 'Light theme' : 'Dark theme';
}

function skipToMain(ev: Event): void {
  ev.preventDefault(); // keep the hash route; just move focus
  document.getElementById('main')?.focus();
}
