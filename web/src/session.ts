// Who is signed in and what their role may do. The API refuses anything the role may not do;
// the UI hides it so nobody is offered a button that can only fail.
import type { Me, Role } from './types.ts';

let me: Me | null = null;

export function setUser(user: Me | null): void {
  me = user;
  document.documentElement.dataset.role = user?.role ?? '';
}

export function user(): Me | null {
  return me;
}

const RIGHTS: Record<string, Role[]> = {
  'alert.acknowledge': ['admin', 'devops'],
  'silence.write': ['admin', 'devops'],
  'incident.write': ['admin', 'devops'],
  'rule.write': ['admin'],
  'maintenance.write': ['admin'],
  'admin.pages': ['admin'],
};

export function can(action: keyof typeof RIGHTS | string): boolean {
  return !!me && (RIGHTS[action] ?? []).includes(me.role);
}
