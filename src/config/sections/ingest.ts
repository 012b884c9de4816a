import type { SectionDef } from '../define.ts';

// Settings of the ingest module. Keys are added here by the module that uses them.
export const ingest = {} satisfies SectionDef;
