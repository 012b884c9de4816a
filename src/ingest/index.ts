// The ingest module's public face: parsers for every accepted format, row validation, and the
// per-source counter state that rates need.
export * from './types.ts';
export * from './time.ts';
export { CounterState } from './counters.ts';
export { checkContext, checkHost, checkLog, checkMetric, checkSeries, checkTimestamp } from './validate.ts';
export { parseJsonLogs, parseJsonMetrics, decodeJson, SEVERITY_NAMES } from './parsers/json.ts';
export { parseLineProtocol, PRECISIONS } from './parsers/line-protocol.ts';
export { parseRemoteWrite, encodeRemoteWrite, decodeRemoteWrite } from './parsers/remote-write.ts';
export { mapPromSeries, hostOf, type PromSeries, type PromSample } from './parsers/node-exporter.ts';
export { parsePrometheusText, parseScrape } from './parsers/prometheus-text.ts';
export { parseCollectd } from './parsers/collectd.ts';
export { parseSyslog, type SyslogContext } from './parsers/syslog.ts';
export { SyslogFramer } from './syslog-framer.ts';
