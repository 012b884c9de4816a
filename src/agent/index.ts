// The host agent: /proc collectors and their counters kept across restarts, the durable spool
// (batches with their Idempotency-Keys) and the sender.
export { Agent, AGENT_VERSION, type AgentOptions } from './agent.ts';
export { counterStatePath, decodeReadings } from './counter-state.ts';
export { HostSampler, hostMetadata, localHostname } from './sampler.ts';
export { type AgentBatch, type SpoolEntry, combine, groupSize } from './batch.ts';
export { Sender, backoffMs } from './sender.ts';
export { Spool, type SpooledEntry } from './spool.ts';
export { counterDelta, parseLoadavg, parseMeminfo, parseMounts, parseNetDev, parseProcStat } from './proc.ts';
