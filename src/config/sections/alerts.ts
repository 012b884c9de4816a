import type { SectionDef } from '../define.ts';

// Settings of the alerts module. Keys are added here by the module that uses them.
export const alerts = {} satisfies SectionDef;
