// The host agent: /proc collectors, the durable spool and the sender.
export { Agent, AGENT_VERSION, COUNTER_STATE_MAX_INTERVALS, type AgentOptions } from './agent.ts';
export { counterStatePath, decodeReadings, encodeReadings } from './counter-state.ts';
export { HostSampler, hostMetadata, localHostname } from './sampler.ts';
export { type AgentBatch, type SpoolEntry, combine, groupSize } from './batch.ts';
export { Sender, backoffMs } from './sender.ts';
export { Spool, type SpooledEntry } from './spool.ts';
export { counterDelta, parseLoadavg, parseMeminfo, parseMounts, parseNetDev, parseProcStat } from './proc.ts';
