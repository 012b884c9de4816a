// TypeBox schemas of the incident API: request validation and the shapes in /openapi.json.
import { Type } from '@sinclair/typebox';
import { SEVERITIES } from '../types.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([Type.Null(), t]);
const NullableInt = Type.Union([Type.Null(), Type.Integer()]);
const Time = Type.String({ format: 'date-time' });
const NullableTime = Type.Union([Type.Null(), Time]);

export const Severity = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const NameParams = Type.Object({ name: Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]{0,99}$' }) });

export const Incident = Type.Object({
  id: Type.Integer(),
  title: Type.String(),
  summary: Type.String(),
  status: Type.Union([Type.Literal('triggered'), Type.Literal('acknowledged'), Type.Literal('resolved')]),
  severity: Severity,
  region: Nullable(Type.String()),
  source: Type.Union([Type.Literal('manual'), Type.Literal('alert')]),
  assignee_id: NullableInt,
  assignee: Nullable(Type.String()),
  created_by: NullableInt,
  created_at: Time,
  acknowledged_at: NullableTime,
  acknowledged_by: NullableInt,
  acknowledged_by_name: Nullable(Type.String()),
  resolved_at: NullableTime,
  resolved_by: NullableInt,
  escalation_policy_id: NullableInt,
  escalation_step: NullableInt,
  escalation_repeats_done: Type.Integer(),
  next_escalation_at: NullableTime,
  alert_count: Type.Integer(),
});

export const LinkedAlert = Type.Object({
  id: Type.Integer(),
  rule_id: Type.Integer(),
  rule_name: Type.String(),
  server_id: Type.Integer(),
  hostname: Type.String(),
  state: Type.String(),
  severity: Type.String(),
  started_at: Time,
  fired_at: NullableTime,
  resolved_at: NullableTime,
  runbook_url: Nullable(Type.String()),
});

export const IncidentDetail = Type.Intersect([Incident, Type.Object({ alerts: Type.Array(LinkedAlert) })]);

export const LogEntry = Type.Object({
  id: Type.Integer(),
  ts: Time,
  actor_user_id: NullableInt,
  actor: Nullable(Type.String()),
  action: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  text: Type.String({ description: 'the entry in words, as in the postmortem export' }),
});

export const CreateIncident = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 300 }),
    summary: Type.Optional(Type.String({ maxLength: 20000 })),
    severity: Severity,
    region: Type.Optional(Nullable(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' }))),
    assignee: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    escalation_policy: Type.Optional(
      Nullable(Type.String({ maxLength: 100, description: 'policy name; omitted: the default; null: none' })),
    ),
  },
  { additionalProperties: false },
);

export const UpdateIncident = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    summary: Type.Optional(Type.String({ maxLength: 20000 })),
    severity: Type.Optional(Severity),
    assignee: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    escalation_policy: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const TransitionBody = Type.Object(
  { note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })) },
  { additionalProperties: false },
);
export const NoteBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 20000 }) },
  { additionalProperties: false },
);
export const RunbookStepBody = Type.Object(
  {
    step: Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'what was done, e.g. "2. failed over to replica"',
    }),
    runbook_url: Type.Optional(Type.String({ pattern: '^https?://', maxLength: 2000 })),
    output: Type.Optional(Type.String({ maxLength: 20000, description: 'what the step showed' })),
  },
  { additionalProperties: false },
);

export const ListQuery = Type.Object({
  status: Type.Optional(
    Type.String({
      pattern: '^(open|triggered|acknowledged|resolved)(,(open|triggered|acknowledged|resolved))*$',
    }),
  ),
  severity: Type.Optional(Severity),
  region: Type.Optional(Type.String({ maxLength: 63 })),
  before: Type.Optional(Type.Integer({ minimum: 1, description: 'page: incidents with a smaller id' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
});

export const ActionItem = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 500 }),
    owner: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    due: Type.Optional(Nullable(Type.String({ format: 'date' }))),
    done: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const PostmortemBody = Type.Object(
  {
    summary: Type.Optional(Type.String({ maxLength: 20000 })),
    impact: Type.Optional(Type.String({ maxLength: 20000 })),
    root_cause: Type.Optional(Type.String({ maxLength: 20000 })),
    action_items: Type.Optional(Type.Array(ActionItem, { maxItems: 100 })),
  },
  { additionalProperties: false },
);

export const PolicyStep = Type.Object(
  {
    notify_user: Type.Optional(
      Type.String({ maxLength: 64, description: 'username; paged at their e-mail address' }),
    ),
    channels: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 330 }), {
        maxItems: 10,
        description: 'alert-module channel names, or email:<address>',
      }),
    ),
    wait_minutes: Type.Integer({ minimum: 1, maximum: 10080 }),
  },
  { additionalProperties: false },
);

export const PolicyBody = Type.Object(
  {
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    steps: Type.Array(PolicyStep, { minItems: 1, maxItems: 20 }),
    repeat_count: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, default: 0 })),
    stop_on_ack: Type.Optional(Type.Boolean({ default: true })),
    default: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false },
);

export const ReportQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3660 })),
});
