// The host agent: /proc collectors, the durable spool and the sender.
export { Agent, AGENT_VERSION, type AgentOptions } from './agent.ts';
export { HostSampler, hostMetadata, localHostname } from './sampler.ts';
export { Sender, backoffMs, combine, type AgentBatch } from './sender.ts';
export { Spool } from './spool.ts';
export { counterDelta, parseLoadavg, parseMeminfo, parseMounts, parseNetDev, parseProcStat } from './proc.ts';
