// Every feature module that `vigil start` runs, in start order. Add a module here, nowhere else.
import type { VigilModule } from './module.ts';
import { ingestModule } from './ingest/module.ts';
import { partitionsModule } from './storage/module.ts';

export const MODULES: VigilModule[] = [partitionsModule, ingestModule];
