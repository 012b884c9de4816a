// OpenAPI descriptions of the ingest endpoints (TypeBox). Bodies are read by Vigil's own parsers,
// which refuse bad rows one by one with a reason instead of failing the request, so these
// schemas document the formats; they are not what accepts or refuses a body.
import { Type } from '@sinclair/typebox';

const Labels = Type.Record(Type.String(), Type.String(), { description: 'string → string, at most 64' });
const Ts = Type.Union([Type.String({ format: 'date-time' }), Type.Number()], {
  description:
    'RFC 3339 (up to microseconds) or epoch milliseconds; within [now - max_past, now + max_future]',
});
const Pct = (what: string) =>
  Type.Optional(Type.Union([Type.Number({ minimum: 0, maximum: 100 }), Type.Null()], { description: what }));
const Bytes = (what: string) =>
  Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: what }));
const Load = Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()]));
const HostFields = {
  hostname: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$' })),
  region: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' })),
  environment: Type.Optional(Type.String()),
  labels: Type.Optional(Labels),
  metadata: Type.Optional(Type.Object({}, { additionalProperties: true })),
};

export const MetricRowSchema = Type.Object(
  {
    ...HostFields,
    ts: Ts,
    cpu_usage: Pct('percent busy'),
    memory_usage: Pct('percent used'),
    disk_usage: Pct('percent used of the root filesystem'),
    network_in_bytes: Bytes('bytes received since the previous sample'),
    network_out_bytes: Bytes('bytes sent since the previous sample'),
    load_1: Load,
    load_5: Load,
    load_15: Load,
  },
  { additionalProperties: false },
);

const SeriesRowSchema = Type.Object(
  {
    ...HostFields,
    ts: Ts,
    name: Type.String({ pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$' }),
    value: Type.Number(),
  },
  { additionalProperties: false },
);

export const MetricsBody = Type.Union([
  Type.Array(MetricRowSchema),
  Type.Object({
    ...HostFields,
    rows: Type.Array(MetricRowSchema, { description: 'rows inherit the batch hostname, region and labels' }),
    series: Type.Optional(
      Type.Array(SeriesRowSchema, { description: 'any other metric, kept in metric_series' }),
    ),
  }),
]);

const LogEntry = Type.Object(
  {
    ...HostFields,
    ts: Ts,
    severity: Type.Union([
      Type.Integer({ minimum: 0, maximum: 7 }),
      Type.String({ description: 'err, warning, info …' }),
    ]),
    source: Type.Optional(Type.String({ maxLength: 255 })),
    message: Type.String({ minLength: 1, maxLength: 16384 }),
    context: Type.Optional(Type.Object({}, { additionalProperties: true })),
  },
  { additionalProperties: false },
);

export const LogsBody = Type.Union([
  Type.Array(LogEntry),
  Type.Object({ ...HostFields, entries: Type.Array(LogEntry) }),
]);

export const CollectdBody = Type.Array(
  Type.Object({
    values: Type.Array(Type.Union([Type.Number(), Type.Null()])),
    dstypes: Type.Optional(Type.Array(Type.String())),
    dsnames: Type.Array(Type.String()),
    time: Type.Number({ description: 'epoch seconds' }),
    interval: Type.Optional(Type.Number()),
    host: Type.String(),
    plugin: Type.String(),
    plugin_instance: Type.Optional(Type.String()),
    type: Type.String(),
    type_instance: Type.Optional(Type.String()),
  }),
  { description: 'collectd write_http with Format "JSON"' },
);

export const LineProtocolBody = Type.String({
  description: 'InfluxDB line protocol, one point per line: measurement,tag=v field=1 1700000000000000000',
});
export const RemoteWriteBody = Type.String({
  format: 'binary',
  description: 'Prometheus remote_write 1.0: snappy-compressed protobuf WriteRequest',
});

export const WriteQuery = Type.Object({
  precision: Type.Optional(Type.String({ enum: ['ns', 'us', 'ms', 's', 'n', 'u', 'm', 'h'], default: 'ns' })),
  db: Type.Optional(Type.String({ description: 'accepted and ignored (InfluxDB v1 clients send it)' })),
});

const RowErrorSchema = Type.Object({
  index: Type.Integer({ description: 'position of the row in the request (-1: the whole body)' }),
  field: Type.String(),
  reason: Type.String(),
});

export const IngestResponse = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Integer(),
  errors: Type.Array(RowErrorSchema),
  errors_truncated: Type.Boolean(),
});

const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
});

/**
 * The 200 with its response header declared: @fastify/swagger turns a response schema's
 * `headers` into the OpenAPI response's `headers` (and leaves the body schema as it is), so
 * clients generated from /openapi.json know `Idempotent-Replayed`. Never on an error: a request
 * refused whole records no key, so its retry is judged afresh.
 */
const IngestOk = Type.Object(IngestResponse.properties, {
  headers: {
    'Idempotent-Replayed': Type.String({
      enum: ['true'],
      description:
        'Present, as `true`, when a request with an Idempotency-Key already seen (same token, ' +
        'endpoint and body) is answered with the first answer and nothing is written again; ' +
        'absent on a first write.',
    }),
  },
});

export const INGEST_RESPONSES = {
  200: IngestOk,
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  422: ErrorBody,
  503: ErrorBody,
};

/** Characters and length an Idempotency-Key may have (the table's CHECK says the same). */
export const IDEMPOTENCY_KEY_PATTERN = '^[A-Za-z0-9._~:+=/-]{1,128}$';

export const IngestHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      pattern: IDEMPOTENCY_KEY_PATTERN,
      description:
        'Makes a retry safe: the first request with this key (per token and endpoint) is written; a ' +
        'retry with the same key and the same body is answered with the first answer and header ' +
        '`Idempotent-Replayed: true`, writing nothing; the same key with another body gets 422. ' +
        'Keys are remembered for ingest.idempotency_retention (default 24 h). 1-128 characters of ' +
        'A-Z a-z 0-9 . _ ~ : + = / -, e.g. a UUID.',
    }),
  ),
});
