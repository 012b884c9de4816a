import { type SectionDef, bool, duration, int, text } from '../define.ts';

// Settings of the alerts module (rules, evaluation, notifications). Rules themselves live in the
// database (alerts_configuration) or a YAML file applied with `vigil alerts rules apply`.
export const alerts = {
  enabled: {
    env: 'VIGIL_ALERTS_ENABLED',
    default: true,
    doc: 'Evaluate alert rules and send notifications in this process.',
    ...bool,
  },
  evaluation_interval: {
    env: 'VIGIL_ALERTS_EVALUATION_INTERVAL',
    default: 15_000,
    doc: 'How often every rule is evaluated for every server in scope, besides after each ingest batch: drives `for`, clear, keep_firing_for and no-data timing.',
    ...duration(1000, 3_600_000),
  },
  evaluation_concurrency: {
    env: 'VIGIL_ALERTS_EVALUATION_CONCURRENCY',
    default: 4,
    doc: 'Rules evaluated at the same time (each uses one database connection).',
    ...int(1, 32),
  },
  group_window: {
    env: 'VIGIL_ALERTS_GROUP_WINDOW',
    default: 1000,
    doc: 'Alerts of the same rule and region that fire or resolve within this window go out as one notification. Raise it (e.g. 30s) to group more on large fleets.',
    ...duration(0, 3_600_000),
  },
  repeat_interval: {
    env: 'VIGIL_ALERTS_REPEAT_INTERVAL',
    default: 4 * 3_600_000,
    doc: 'A firing, unacknowledged alert is notified again after this long.',
    ...duration(60_000, 7 * 86_400_000),
  },
  notify_interval: {
    env: 'VIGIL_ALERTS_NOTIFY_INTERVAL',
    default: 1000,
    doc: 'How often the notifier looks for due notifications and deliveries (it is also woken after each evaluation).',
    ...duration(100, 60_000),
  },
  delivery_timeout: {
    env: 'VIGIL_ALERTS_DELIVERY_TIMEOUT',
    default: 10_000,
    doc: 'Longest one delivery (webhook request, SMTP session) may take before it counts as failed.',
    ...duration(100, 300_000),
  },
  delivery_max_attempts: {
    env: 'VIGIL_ALERTS_DELIVERY_MAX_ATTEMPTS',
    default: 8,
    doc: 'Attempts before a notification becomes a dead letter (listed at /api/v1/alerts/deliveries?state=dead).',
    ...int(1, 100),
  },
  delivery_backoff: {
    env: 'VIGIL_ALERTS_DELIVERY_BACKOFF',
    default: 5000,
    doc: 'Delay before the first retry; it doubles after each failed attempt up to delivery_backoff_max.',
    ...duration(100, 3_600_000),
  },
  delivery_backoff_max: {
    env: 'VIGIL_ALERTS_DELIVERY_BACKOFF_MAX',
    default: 600_000,
    doc: 'Longest delay between two delivery attempts.',
    ...duration(1000, 86_400_000),
  },
  delivery_concurrency: {
    env: 'VIGIL_ALERTS_DELIVERY_CONCURRENCY',
    default: 8,
    doc: 'Deliveries in flight at once; a hanging receiver holds one slot until delivery_timeout.',
    ...int(1, 128),
  },
  email_channel: {
    env: 'VIGIL_ALERTS_EMAIL_CHANNEL',
    default: 'email',
    doc: 'The e-mail channel whose SMTP settings and sender deliver `user:<id>` targets (incident escalation paging a user; the address is read at send time) and `email:<address>` targets; `to` is replaced by that one recipient.',
    ...text(/^[a-z0-9][a-z0-9_.-]{0,62}$/, 'a channel name (lowercase letters, digits, _ . -)'),
  },
} satisfies SectionDef;
