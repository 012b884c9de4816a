import type { SectionDef } from '../define.ts';

// Settings of the incidents module. Keys are added here by the module that uses them.
export const incidents = {} satisfies SectionDef;
