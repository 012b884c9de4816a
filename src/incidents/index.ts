// The incidents module's public face: the module for modules.ts, and the report for the CLI.
export { incidentsModule, ESCALATION_JOB, ALERT_SWEEP_JOB } from './module.ts';
export { incidentReport, formatReport, reportWindow, type IncidentReport } from './report.ts';
export { ALLOWED_FROM, canTransition, type Transition } from './state-machine.ts';
export type { IncidentRow, IncidentStatus, Severity } from './types.ts';
