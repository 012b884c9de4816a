// One score and one alarm decision from several detectors.
//
// Each detector reports a surprise: -log10 of the probability, under its own calibrated
// history, of a reading at least this extreme. The most surprised detector wins, minus
// log10(k) for looking at k of them (Bonferroni: the smallest of k p-values is k times
// more likely to be small by chance). That combined surprise S maps monotonically onto
// 0..1 as score = 1 - 2^(-S / alarmSurprise), so score 0.5 means "as unlikely as the alarm
// level" on every series, whatever its units or noise; that is what makes one shipped
// threshold meaningful.
//
// Alarms are episodes, not points: once an alarm fires, the same episode cannot alarm
// again until the score has stayed below `clearScore` for `quietPoints` consecutive
// points (and at least `minEpisodePoints` have passed). A level shift keeps the score high
// for a while; paging once for it is right, paging fifty times is noise.
//
// `reported` is the score as the product shows it: the raw score, except that points an
// episode suppressed are scaled below the alarm level. So `reported >= alarmScore` is exactly
// the alarm decision, and anyone thresholding the reported score (NAB's optimiser, a chart,
// an alert rule) sees the same events the product pages on, not every point of a long shift.

export interface CombinerOptions {
  /** Combined surprise (in -log10 p) that maps to score 0.5. */
  alarmSurprise: number;
  /** Score at or above which a new episode raises an alarm. */
  alarmScore: number;
  /** Score below which a point counts as quiet. */
  clearScore: number;
  /** Consecutive quiet points that end an episode. */
  quietPoints: number;
  /** An episode lasts at least this many points after its alarm. */
  minEpisodePoints: number;
}

export class Combiner {
  /** Index of the detector that produced the last combined surprise (-1 if none). */
  dominant = -1;
  /** Last combined surprise, before mapping to 0..1. */
  surprise = 0;
  /** Score of the last decide(), after suppression (see the file comment). */
  reported = 0;
  private inEpisode = false;
  private sinceAlarm = 0;
  private quiet = 0;
  private readonly ln2: number = Math.LN2;

  constructor(private readonly opts: CombinerOptions) {}

  /**
   * @param surprises per-detector surprise, NaN for a detector that is not ready yet
   * @param sensitivity multiplies the surprise (a server's sensitivity setting): 2 alarms
   *   on events half as unlikely in log terms, 0.5 only on much rarer ones
   * @returns the calibrated score in [0, 1]
   */
  score(surprises: ArrayLike<number>, sensitivity = 1): number {
    let best = 0;
    let active = 0;
    this.dominant = -1;
    for (let i = 0; i < surprises.length; i++) {
      const s = surprises[i]!;
      if (Number.isNaN(s)) continue;
      active++;
      if (s > best) {
        best = s;
        this.dominant = i;
      }
    }
    const S = active > 1 ? best - Math.log10(active) : best;
    this.surprise = S > 0 ? S * sensitivity : 0;
    return 1 - Math.exp((-this.surprise / this.opts.alarmSurprise) * this.ln2);
  }

  /** Alarm decision for this point's score, with per-episode suppression. */
  decide(score: number): boolean {
    const alarm = this.step(score);
    // Suppressed points keep their order among themselves but stay below the alarm level
    // (strictly: the CLI prints six decimals, so a cap just under it could round up).
    const below = this.opts.alarmScore * 0.98;
    this.reported = alarm ? score : this.inEpisode ? score * below : Math.min(score, below);
    return alarm;
  }

  private step(score: number): boolean {
    if (this.inEpisode) {
      this.sinceAlarm++;
      this.quiet = score < this.opts.clearScore ? this.quiet + 1 : 0;
      if (this.quiet >= this.opts.quietPoints && this.sinceAlarm >= this.opts.minEpisodePoints) {
        this.inEpisode = false;
      }
      return false;
    }
    if (score >= this.opts.alarmScore) {
      this.inEpisode = true;
      this.sinceAlarm = 0;
      this.quiet = 0;
      return true;
    }
    return false;
  }
}
