import type { SectionDef } from '../define.ts';

// Settings of the anomaly module. Keys are added here by the module that uses them.
export const anomaly = {} satisfies SectionDef;
