// Every feature module that `vigil start` runs, in start order. Add a module here, nowhere else.
import type { VigilModule } from './module.ts';
import { alertsModule } from './alerts/index.ts';
import { anomalyModule } from './anomaly/index.ts';
import { incidentsModule } from './incidents/index.ts';
import { ingestModule } from './ingest/module.ts';
import { rollupsModule } from './rollups/index.ts';
import { partitionsModule } from './storage/module.ts';
import { webModule } from './web/module.ts';

// ingest last: modules stop in reverse order, so its final flush still reaches alerts and anomaly.
export const MODULES: VigilModule[] = [
  partitionsModule,
  rollupsModule,
  alertsModule,
  incidentsModule,
  anomalyModule,
  webModule,
  ingestModule,
];
