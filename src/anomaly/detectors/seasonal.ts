// Seasonal baseline: what is normal for this hour of the day (and, once there are a few
// weeks of history, this hour of this weekday). Servers follow people: backups at 02:00,
// traffic at 09:00, quiet weekends. A value that is ordinary for the day as a whole can
// be wrong for the hour (a missing nightly batch, a daytime peak that did not come), and
// only a per-slot baseline sees that. Each slot keeps its own robust EWMA, so one odd day
// does not rewrite the profile.

import { RobustEwma, type RobustEwmaOptions } from './robust-ewma.ts';

export interface SeasonalOptions {
  /** Width of a time-of-day slot in minutes (60 = hour of day). */
  slotMinutes: number;
  /** Samples a slot needs before it is trusted (per slot, not in total). */
  minSlotSamples: number;
  /** Robust EWMA settings of each slot; its span counts that slot's samples. */
  slot: RobustEwmaOptions;
  /** Use weekday x time-of-day slots once they have minSlotSamples each. */
  useDayOfWeek: boolean;
}

const MINUTES_PER_DAY = 24 * 60;
const MS_PER_MINUTE = 60_000;

export class SeasonalBaseline {
  private readonly daily: RobustEwma[];
  private readonly weekly: RobustEwma[];
  private readonly slotsPerDay: number;

  constructor(private readonly opts: SeasonalOptions) {
    this.slotsPerDay = Math.max(1, Math.round(MINUTES_PER_DAY / opts.slotMinutes));
    this.daily = Array.from({ length: this.slotsPerDay }, () => new RobustEwma(opts.slot));
    this.weekly = opts.useDayOfWeek
      ? Array.from({ length: this.slotsPerDay * 7 }, () => new RobustEwma(opts.slot))
      : [];
  }

  /** Weekly slot index (weekday * slotsPerDay + daily slot); daily slot = index % slotsPerDay. */
  private slotOf(tsMs: number): number {
    const minutes = Math.floor(tsMs / MS_PER_MINUTE);
    const minuteOfDay = ((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
    const day = Math.min(this.slotsPerDay - 1, Math.floor(minuteOfDay / this.opts.slotMinutes));
    // 1970-01-01 was a Thursday; shift so 0 = Monday (any fixed origin would do).
    const dayIndex = Math.floor(minutes / MINUTES_PER_DAY);
    const weekday = (((dayIndex + 3) % 7) + 7) % 7;
    return weekday * this.slotsPerDay + day;
  }

  /** The expected value behind the last z() (NaN when no slot was ready). */
  expected = NaN;

  /** Signed robust z-score of x against its slot's baseline; 0 when no slot is ready. */
  z(tsMs: number, x: number): number {
    const s = this.slotOf(tsMs);
    const w = this.weekly[s];
    const d = this.daily[s % this.slotsPerDay]!;
    if (d.count < this.opts.minSlotSamples) {
      this.expected = NaN;
      return 0;
    }
    if (!w || w.count < this.opts.minSlotSamples) {
      this.expected = d.mean;
      return d.z(x);
    }
    // A weekday-hour slot has a seventh of the samples of its hour-of-day slot, so its spread
    // is the noisier estimate: it may move the expected value (weekends differ) but not
    // narrow the spread below the hour's. Without this floor, the day each weekly slot took
    // over (two weeks in) brought a burst of chance alarms on clean seeded series (12 of 16
    // seasonal ones) and four false alarms at the end of NAB's grok_asg_anomaly.
    this.expected = w.mean;
    return (x - w.mean) / Math.max(w.sigma(), d.sigma());
  }

  update(tsMs: number, x: number): void {
    const s = this.slotOf(tsMs);
    this.daily[s % this.slotsPerDay]!.update(x);
    this.weekly[s]?.update(x);
  }
}
