// Escalation policies as the API takes them: steps name users by username and channels by name.
// Channel names belong to the alerts module; `email:<address>` pages an address directly, and
// `user:` is reserved for pages to notify_user.
import { validationError } from '../core/errors.ts';
import type { PoolClient } from '../db/pool.ts';
import { findUserId, type PolicyInput } from './queries.ts';

export interface PolicyBodyInput {
  description?: string;
  steps: { notify_user?: string; channels?: string[]; wait_minutes: number }[];
  repeat_count?: number;
  stop_on_ack?: boolean;
  default?: boolean;
}

const CHANNEL = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$/;
const EMAIL_CHANNEL = /^email:[^@\s]+@[^@\s]+$/;

/** Checks targets (users must exist and be active; channels well-formed) and resolves usernames. */
export async function toPolicyInput(c: PoolClient, name: string, b: PolicyBodyInput): Promise<PolicyInput> {
  const steps = [];
  for (const [i, s] of b.steps.entries()) {
    const channels = s.channels ?? [];
    if (s.notify_user === undefined && channels.length === 0) {
      throw validationError(`steps[${i}] notifies nobody: give notify_user and/or channels`, {
        field: `steps[${i}]`,
      });
    }
    for (const ch of channels) {
      // user:<id> is how escalation pages a person (notify_user); a step may not forge one.
      const reserved = ch.startsWith('email:') || ch.startsWith('user:');
      if (!(EMAIL_CHANNEL.test(ch) || (CHANNEL.test(ch) && !reserved))) {
        throw validationError(
          `steps[${i}].channels: "${ch}" is neither a channel name (letters, digits, _ . : -) nor email:<address>`,
          { field: `steps[${i}].channels` },
        );
      }
    }
    let userId: number | null = null;
    if (s.notify_user !== undefined) {
      userId = await findUserId(c, s.notify_user);
      if (userId === null) {
        throw validationError(`steps[${i}].notify_user: no user named "${s.notify_user}"`, {
          field: `steps[${i}].notify_user`,
        });
      }
    }
    steps.push({ notify_user_id: userId, channels, wait_minutes: s.wait_minutes });
  }
  return {
    name,
    description: b.description ?? '',
    repeat_count: b.repeat_count ?? 0,
    stop_on_ack: b.stop_on_ack ?? true,
    is_default: b.default ?? false,
    steps,
  };
}
