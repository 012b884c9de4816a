// The shipped default configuration of anomaly detection, in one place. The CLI
// (`vigil detect`), the benchmark and the runner all start from these values, so what is
// measured is what is shipped. Spans and windows count points; they were chosen for
// 5-minute samples (NAB's cadence and a common scrape interval), where 12 points = 1 h,
// 288 = 1 day, 2016 = 1 week.

import type { CombinerOptions } from './detectors/combiner.ts';
import { COMPONENTS, type UnivariateOptions } from './detectors/univariate.ts';

/** Score at or above which an anomaly alarm is raised: the product's fixed threshold. */
export const ALARM_SCORE = 0.5;

export const DEFAULT_COMBINER: CombinerOptions = {
  // Score 0.5 = a combined surprise of 3.3, i.e. p ~ 5e-4 per point after calibration and
  // the Bonferroni correction (each component alone needs ~4.4). The level is chosen by the
  // rate of chance alarms on seeded clean series (`npm run bench -- anomaly --clean`: 90
  // series of noise, some with a daily cycle, 666,000 points after warm-up), not by the NAB
  // score: 3.5 gave 40 alarms there before the tails learned two weeks and their top ten
  // (see calibration below), and it was accepted; with those, 3.3 gives 34 (3.5: 17, 3.0: 75).
  // NAB subset, standard profile: 3.2 to 3.4 all catch 28 of 36 windows (70.0-70.2), 3.5
  // catches 27 (67.9), 3.0 catches 29 with twice the chance alarms.
  alarmSurprise: 3.3,
  alarmScore: ALARM_SCORE,
  // An episode ends after two hours below a clearly-normal score (and lasts at least two
  // hours): one incident, one anomaly. Longer minimums also swallowed the next, distinct
  // incident on NAB's real series.
  clearScore: 0.3,
  quietPoints: 24,
  minEpisodePoints: 24,
};

export const DEFAULT_UNIVARIATE: UnivariateOptions = {
  seed: 42,
  // The baseline remembers about a day; shorter follows noise, longer misses drift.
  baseline: { span: 288, warmup: 24, clip: 3, relativeFloor: 1e-3, absoluteFloor: 1e-9, rawFloor: 0.3 },
  // Plain (non-robust) EWMA z, kept as the textbook reference detector.
  ewma: { span: 288, warmup: 24, relativeFloor: 1e-3, absoluteFloor: 1e-9 },
  // "Recent" means the last half hour for the level and the last hour for variability.
  levelSpan: 6,
  varianceSpan: 12,
  slowSpan: 36,
  seasonal: {
    slotMinutes: 60,
    // One day of 5-minute samples per hour slot (and one week per weekday-hour slot) before
    // the profile is trusted. Two days left the first two days of a series without it; one
    // day used to cost ten false alarms on the NAB subset, but with the tails' two weeks and
    // top ten it costs one (standard 70.26 -> 70.23) and catches three more events in young
    // series (cuts 50.0 -> 55.9), with fewer chance alarms on clean series (38 -> 34).
    minSlotSamples: 12,
    slot: { span: 36, warmup: 12, clip: 5, relativeFloor: 1e-3, absoluteFloor: 1e-9, rawFloor: 0.1 },
    useDayOfWeek: true,
  },
  stuck: { span: 2016, warmup: 48 },
  // Contextual novelty (context.ts): 10 quantile + 10 equal-width bins of the last week;
  // edges exist after 96 values, the log-loss means something after 192 learned
  // transitions. The loss is averaged over an hour: long enough that one odd point is
  // diluted, short enough that a burst of odd transitions is not (on NAB's
  // art_increase_spike_density, 6 or 12 points catch it, 18 or 24 do not). Counts lose 5%
  // every 128 points (half-life about 1700 points, six days), so a new rhythm becomes normal.
  context: {
    bins: 10,
    history: 2016,
    minHistory: 96,
    minLearn: 192,
    refitEvery: 128,
    decay: 0.95,
    span: 12,
    prior: 0.5,
  },
  forest: {
    dims: 4,
    // 32 trees: the averaged path length is already stable enough for a calibrated tail,
    // and scoring cost is linear in trees. Retrained every two days on the last week.
    trees: 32,
    sampleSize: 256,
    window: 2016,
    minTrain: 256,
    retrainEvery: 576,
    seed: 42,
  },
  // Each detector's tail is learned from its last two weeks of readings, refitted every
  // 128 points or 1/16 of its history, whichever is longer (a refit is O(history), and the
  // quantile barely moves in that time; young series keep the 128, which their few
  // readings need: refitting every 256 from the start cost 4.5 points on the cuts). Two
  // weeks, not one: the tail above the 97th percentile of a smooth statistic (a three-hour
  // average) is a handful of independent excursions a week, and an exponential fitted to
  // so few is often too steep. With twice the excursions, chance alarms on seeded clean
  // series fell from 34 to 21 per 666,000 points and false alarms on the NAB subset from 32
  // to 24, with the same windows caught. The tails are the same memory as before (the
  // refit's work space is shared, see tail-calibrator.ts).
  // Below 200 readings nothing is trusted, and until 1000 (about 3.5 days) surprise is
  // scaled by sqrt(readings / 1000) (0.45 at 200, 0.71 at 500), so a new series is paged
  // only on clear events while its tails are still guesses (see trustAfter in
  // tail-calibrator.ts). The linear ramp this replaces (0.2 at 200) cost nothing on NAB's
  // long files but missed nearly every event in the first few days of a series.
  calibration: {
    history: 4032,
    minHistory: 200,
    quantile: 0.97,
    refitEvery: 128,
    refitShare: 1 / 16,
    minExcess: 0.25,
    trustAfter: 1000,
    // The ten largest readings (of two weeks) also get their own tail: a recurring extreme
    // (a daily cron spike) is then a mode the history has, not a record each time it comes
    // out a little higher. NAB subset: false alarms 24 -> 16, the same windows caught (on
    // ec2_cpu_utilization_c6585a, every daily spike a few percent above the last had paged).
    // 5, 10 and 20 all gave 16-17, so the count is not critical.
    topCount: 10,
  },
  // Floors for the tail's mean excess in each statistic's own units (see tail-calibrator.ts).
  // context: log10 units of an averaged log-loss.
  minExcess: {
    ewma: 0.25,
    spike: 0.25,
    level: 0.25,
    variance: 0.05,
    seasonal: 0.25,
    forest: 0.005,
    context: 0.05,
  },
  // Every component but the plain EWMA, which is kept as a standalone baseline detector: its
  // robust variant does the same job without being dragged by the spikes it should flag.
  components: COMPONENTS.filter((c) => c !== 'ewma'),
};

/** Options of the anomaly runner (src/anomaly/runner.ts); see the final report / docs. */
export interface AnomalyRunnerConfig {
  /**
   * How much history rebuilds a server's detectors after a restart (replayed without
   * writing anomalies), and how far back a server seen for the first time is scored.
   * A week of 5-minute samples: the forest's window, and enough readings for every calibrated
   * tail to be fully trusted (the second week of calibration history refills as it runs).
   */
  warmupHours: number;
  /** Samples fetched per query per server; larger backlogs are paged. */
  pageSize: number;
  /** Sensitivity of a server without its own anomaly_settings row (config anomaly.sensitivity). */
  defaultSensitivity: number;
}

export const DEFAULT_RUNNER: AnomalyRunnerConfig = {
  warmupHours: 168,
  pageSize: 10_000,
  defaultSensitivity: 1,
};
