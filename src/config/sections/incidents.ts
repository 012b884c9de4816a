import { type SectionDef, bool, duration, list } from '../define.ts';

// Settings of the incidents module. Escalation policies are data (admin API), not config.
export const incidents = {
  auto_open: {
    env: 'VIGIL_INCIDENTS_AUTO_OPEN',
    default: true,
    doc: 'Open (or join) an incident when an alert starts firing.',
    ...bool,
  },
  auto_open_severities: {
    env: 'VIGIL_INCIDENTS_AUTO_OPEN_SEVERITIES',
    default: Object.freeze(['critical', 'warning']) as readonly string[],
    doc: 'Alert severities that open incidents; other firing alerts only notify through their rule.',
    ...list(/^(critical|warning|info)$/, 'a list of critical, warning, info'),
  },
  group_window: {
    env: 'VIGIL_INCIDENTS_GROUP_WINDOW',
    default: 15 * 60_000,
    doc: 'A firing alert joins the open incident of the same region and severity opened at most this long before it fired; 0s opens one incident per alert.',
    ...duration(0, 7 * 86_400_000),
  },
  auto_resolve: {
    env: 'VIGIL_INCIDENTS_AUTO_RESOLVE',
    default: false,
    doc: 'Resolve an incident when the last of its alerts resolves (off: a person resolves it).',
    ...bool,
  },
  escalation_interval: {
    env: 'VIGIL_INCIDENTS_ESCALATION_INTERVAL',
    default: 15_000,
    doc: 'How often the escalation job looks for due escalations (and firing alerts without an incident).',
    ...duration(1000, 600_000),
  },
} satisfies SectionDef;
