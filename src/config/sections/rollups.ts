import type { SectionDef } from '../define.ts';

// Settings of the rollups module. Keys are added here by the module that uses them.
export const rollups = {} satisfies SectionDef;
