import { type SectionDef, bool, duration } from '../define.ts';

// The in-process agent that `vigil start` runs for the local host.
export const agent = {
  enabled: {
    env: 'VIGIL_AGENT_ENABLED',
    default: true,
    doc: 'Run an agent for the local host inside `vigil start`, so a new install shows data at once.',
    ...bool,
  },
  interval: {
    env: 'VIGIL_AGENT_INTERVAL',
    default: 10_000,
    doc: 'How often the in-process agent samples the local host.',
    ...duration(1000, 3_600_000),
  },
} satisfies SectionDef;
