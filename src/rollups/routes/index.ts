// Every route of the query API, registered by the rollups module.
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../module.ts';
import { fleetRoutes } from './fleet.ts';
import { logRoutes } from './logs.ts';
import { reportRoutes } from './reports.ts';
import { serverRoutes } from './servers.ts';

export async function registerQueryRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  await serverRoutes(app, ctx);
  await fleetRoutes(app, ctx);
  await logRoutes(app, ctx);
  await reportRoutes(app, ctx);
}
