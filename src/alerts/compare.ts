// The one definition of "value crosses threshold", used by evaluation and by tests.
import type { Operator } from './types.ts';

export function compare(value: number, op: Operator, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

/** The more alarming of two values for this operator (the episode's peak). */
export function worse(op: Operator, a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return op === '<' || op === '<=' ? Math.min(a, b) : Math.max(a, b);
}
