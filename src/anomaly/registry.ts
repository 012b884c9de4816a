// The named detectors and the factory that builds them with the shipped defaults.

import { DEFAULT_COMBINER, DEFAULT_UNIVARIATE } from './defaults.ts';
import type { CombinerOptions } from './detectors/combiner.ts';
import { type Component, UnivariateDetector, type UnivariateOptions } from './detectors/univariate.ts';

/**
 * Named detectors, as `vigil detect --detector NAME` and the `anomalies.method` column
 * know them. Each runs through the same calibration, combiner and suppression as the
 * shipped `combined` detector, so their scores are comparable.
 */
export const DETECTORS = {
  combined: DEFAULT_UNIVARIATE.components,
  ewma: ['ewma'],
  robust_ewma: ['spike', 'level', 'variance', 'stuck'],
  seasonal: ['seasonal'],
  isolation_forest: ['forest'],
} as const satisfies Record<string, readonly Component[]>;

export type DetectorName = keyof typeof DETECTORS;

export function isDetectorName(name: string): name is DetectorName {
  return Object.hasOwn(DETECTORS, name);
}

export interface DetectorOverrides {
  univariate?: Partial<UnivariateOptions>;
  combiner?: Partial<CombinerOptions>;
}

/** A fresh streaming detector with the shipped defaults (plus optional overrides). */
export function createDetector(
  name: DetectorName = 'combined',
  overrides: DetectorOverrides = {},
): UnivariateDetector {
  return new UnivariateDetector(
    { ...DEFAULT_UNIVARIATE, components: DETECTORS[name], ...overrides.univariate },
    { ...DEFAULT_COMBINER, ...overrides.combiner },
  );
}
