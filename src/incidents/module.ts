// The incidents module: opens incidents from firing alerts ('alert.changed'), runs escalations
// on a timer (state in PostgreSQL, so a restart resumes them), and serves the incident API.
import type { VigilModule } from '../module.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { policyRoutes } from './routes/policies.ts';
import { postmortemRoutes } from './routes/postmortems.ts';
import { reportRoutes } from './routes/reports.ts';
import { IncidentService } from './service.ts';

export const ESCALATION_JOB = 'incident-escalation';
export const ALERT_SWEEP_JOB = 'incident-alert-sweep';

export const incidentsModule: VigilModule = {
  name: 'incidents',
  start(ctx) {
    const service = new IncidentService(ctx);
    const off = ctx.events.on('alert.changed', (e) => {
      // 'pending' never opens anything; 'firing' opens or joins, 'resolved' may auto-resolve.
      if (e.state !== 'pending') service.track(service.onAlert(e.alertId));
    });
    const every = ctx.config.incidents.escalation_interval;
    return {
      routes: async (app) => {
        await incidentRoutes(app, service);
        await postmortemRoutes(app, service);
        await policyRoutes(app, service);
        await reportRoutes(app, service);
      },
      jobs: [
        { name: ESCALATION_JOB, everyMs: every, run: () => service.escalate() },
        { name: ALERT_SWEEP_JOB, everyMs: every, run: () => service.sweepAlerts() },
      ],
      stop: async () => {
        off();
        await service.stop();
      },
    };
  },
};
