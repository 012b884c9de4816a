// The incident lifecycle as a table, so every refusal explains itself the same way:
//
//   triggered ──acknowledge──► acknowledged ──resolve──► resolved
//       └──────────────resolve──────────────────────────►  │
//       ◄───────────────────────reopen─────────────────────┘
//
// The database enforces the same thing with conditional UPDATEs (WHERE status IN …), which is
// what makes two concurrent acknowledgements safe; this table only words the error.
import { AppError } from '../core/errors.ts';
import type { IncidentStatus } from './types.ts';

export type Transition = 'acknowledge' | 'resolve' | 'reopen';

export const ALLOWED_FROM: Record<Transition, readonly IncidentStatus[]> = {
  acknowledge: ['triggered'],
  resolve: ['triggered', 'acknowledged'],
  reopen: ['resolved'],
};

export const RESULT_OF: Record<Transition, IncidentStatus> = {
  acknowledge: 'acknowledged',
  resolve: 'resolved',
  reopen: 'triggered',
};

export function canTransition(from: IncidentStatus, t: Transition): boolean {
  return ALLOWED_FROM[t].includes(from);
}

const HINT: Record<Transition, Partial<Record<IncidentStatus, string>>> = {
  acknowledge: {
    acknowledged: 'it is already acknowledged',
    resolved: 'it is resolved; reopen it first',
  },
  resolve: { resolved: 'it is already resolved' },
  reopen: {
    triggered: 'it is open (triggered), not resolved',
    acknowledged: 'it is open (acknowledged), not resolved',
  },
};

/** The 409 for a transition the current status does not allow; details carry the current state. */
export function illegalTransition(
  incidentId: number,
  t: Transition,
  current: { status: IncidentStatus } & Record<string, unknown>,
): AppError {
  const why = HINT[t][current.status] ?? `it is ${current.status}`;
  return new AppError(
    'ILLEGAL_TRANSITION',
    `cannot ${t} incident ${incidentId}: ${why} (allowed from: ${ALLOWED_FROM[t].join(', ')})`,
    { details: { incident_id: incidentId, transition: t, ...current } },
  );
}
