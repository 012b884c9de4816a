import { type SectionDef, bool, duration, int, num } from '../define.ts';

// Settings of the anomaly module. The detectors' own parameters are not here on purpose: they
// are the shipped defaults measured on NAB (src/anomaly/defaults.ts), and `vigil detect` must
// run exactly what the product runs. What an operator tunes per server is the sensitivity.
export const anomaly = {
  enabled: {
    env: 'VIGIL_ANOMALY_ENABLED',
    default: true,
    doc: 'Score every server after each ingest commit and write anomalies (off: the API still serves past anomalies and settings).',
    ...bool,
  },
  retrain_interval: {
    env: 'VIGIL_ANOMALY_RETRAIN_INTERVAL',
    default: 6 * 3_600_000,
    doc: 'How often every isolation forest is retrained on its trailing week (each also retrains itself every two days of samples).',
    ...duration(60_000, 7 * 86_400_000),
  },
  catchup_interval: {
    env: 'VIGIL_ANOMALY_CATCHUP_INTERVAL',
    default: 60_000,
    doc: 'How often servers with samples newer than their scoring watermark are scored without waiting for an ingest event (lost events, startup, another ingest process).',
    ...duration(1000, 3_600_000),
  },
  warmup_hours: {
    env: 'VIGIL_ANOMALY_WARMUP_HOURS',
    default: 168,
    doc: 'History replayed to rebuild a server’s detectors after a restart, and how far back a new server is scored (a week fills the calibration and forest windows of 5-minute samples).',
    ...int(1, 24 * 60),
  },
  sensitivity: {
    env: 'VIGIL_ANOMALY_SENSITIVITY',
    default: 1,
    doc: 'Sensitivity of servers without their own setting: multiplies the calibrated surprise (2 alarms on events far less extreme, 0.5 only on much rarer ones).',
    ...num(0.1, 10),
  },
} satisfies SectionDef;
