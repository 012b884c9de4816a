// Public face of anomaly detection. Everything outside src/anomaly imports from here.

export { anomalyModule, CATCHUP_JOB, RETRAIN_JOB } from './module.ts';

export { ALARM_SCORE, DEFAULT_COMBINER, DEFAULT_UNIVARIATE } from './defaults.ts';
export { averagePathLength, IsolationForest } from './detectors/isolation-forest.ts';
export { createRng } from './detectors/rng.ts';
export { UnivariateDetector, type Reading, type Component } from './detectors/univariate.ts';
export { explain } from './explain.ts';
export {
  DETECTORS,
  createDetector,
  isDetectorName,
  type DetectorName,
  type DetectorOverrides,
} from './registry.ts';
export { detectSeries, type SeriesResult } from './series.ts';
export {
  createAnomalyRunner,
  type AnomalyRunner,
  type AnomalyRunnerDeps,
  type RunSummary,
} from './runner.ts';
export { ServerDetector, SERVER_METRICS, type ServerMetric, type ServerReading } from './server-detector.ts';
export { DEFAULT_RUNNER, type AnomalyRunnerConfig } from './defaults.ts';
