// Routes of the alerts module under /api/v1/alerts. Every handler runs as the caller's database
// role (request.runAs), so the GRANTs of migrations 0008 and 0040 decide who may do what:
// readonly reads, devops acknowledges and manages silences and maintenance windows, admin
// manages rules and channels.
import type { FastifyInstance } from 'fastify';
import type { ModuleContext } from '../../module.ts';
import type { AlertsRuntime } from '../module.ts';
import { alertRoutes } from './alerts.ts';
import { channelRoutes } from './channels.ts';
import { ruleRoutes } from './rules.ts';
import { silenceRoutes } from './silences.ts';

export async function registerAlertRoutes(
  app: FastifyInstance,
  ctx: ModuleContext,
  rt: AlertsRuntime,
): Promise<void> {
  await ruleRoutes(app, ctx);
  await alertRoutes(app, ctx);
  await channelRoutes(app, ctx, rt);
  await silenceRoutes(app, ctx);
}
