// The alerts module's public face: the module for src/modules.ts, the runtime handle for tests
// and benchmarks, and the services the CLI uses.
export { alertsModule, alertsRuntime, type AlertsRuntime } from './module.ts';
export {
  applyRulesYaml,
  createRule,
  describeRules,
  exportRulesYaml,
  removeRule,
  replaceRule,
} from './rules.ts';
export { parseChannel, resolveChannel } from './channels.ts';
export { parseMatchers, formatMatcher } from './matchers.ts';
export { parseMaintenance, windowOpen } from './muting.ts';
export { send, describeError } from './senders.ts';
export * as alertQueries from './queries.ts';
export * as ruleQueries from './queries-rules.ts';
export * as notifyQueries from './queries-notify.ts';
export * as mutingQueries from './queries-muting.ts';
export * as alertListQueries from './queries-alerts.ts';
export type * from './types.ts';
