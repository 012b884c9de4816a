// The demo's clock: the system clock, optionally set back while the seeder replays the recent
// past. Alert rules are evaluated as time passes (pending, then firing after `for`, resolved
// once the value recovers); replaying a few past instants through the real alert engine is how
// the demo gets genuine episodes and incidents without waiting half an hour.
import type { Clock } from '../core/clock.ts';

export class ReplayClock implements Clock {
  private behindMs = 0;

  now(): Date {
    return new Date(Date.now() - this.behindMs);
  }

  /** Sets the clock to `at` (in the past) until `live()` is called. */
  replayAt(at: Date): void {
    this.behindMs = Math.max(0, Date.now() - at.getTime());
  }

  live(): void {
    this.behindMs = 0;
  }
}
