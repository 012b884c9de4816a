// Every page and its route. Add a page here, nowhere else.
import { route } from '../router.ts';
import { renderAlerts } from './alerts.ts';
import { renderAnomalies } from './anomalies.ts';
import { renderFleet } from './fleet.ts';
import { renderIncident } from './incident.ts';
import { renderIncidents } from './incidents.ts';
import { renderReports } from './reports.ts';
import { renderRules } from './rules.ts';
import { renderServer } from './server.ts';
import { renderServers } from './servers.ts';
import { windowsPage } from './windows.ts';

export function registerPages(): void {
  route('/', 'Fleet overview', renderFleet);
  route('/servers', 'Servers', renderServers);
  route('/servers/:id', 'Server', renderServer);
  route('/alerts', 'Alerts', renderAlerts);
  route('/incidents', 'Incidents', renderIncidents);
  route('/incidents/:id', 'Incident', renderIncident);
  route('/anomalies', 'Anomalies', renderAnomalies);
  route('/reports', 'Reports', renderReports);
  route('/rules', 'Alert rules', renderRules);
  route('/silences', 'Silences', windowsPage('silences'));
  route('/maintenance', 'Maintenance windows', windowsPage('maintenance'));
}
