// Public face of the rollups module.
export { rollupsModule } from './module.ts';
export { refreshDaily, refreshHourly, refreshViews, type RefreshResult } from './refresh.ts';
export { stageStates, VIEWS, type ViewName } from './queries.ts';
export { METRICS, P95_METRICS, type Metric } from './columns.ts';
export { explainQuery, NAMED_QUERIES } from './explain.ts';
export {
  makeReport,
  parseFormat,
  renderReport,
  REPORT_FORMATS,
  REPORT_KINDS,
  type Report,
} from './report/index.ts';
