// TypeBox schemas shared by the query routes (they appear in /openapi.json).
import { type TSchema, Type } from '@sinclair/typebox';

export const tags = ['query'];
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
export const Num = Nullable(Type.Number());
export const Time = Type.String({ format: 'date-time' });
export const TimeOrNull = Type.Union([Time, Type.Null()]);

export const RangeQuery = {
  from: Type.Optional(
    Type.String({ description: 'Start, ISO 8601 or Unix seconds (default: to minus a default span)' }),
  ),
  to: Type.Optional(Type.String({ description: 'End (exclusive), ISO 8601 or Unix seconds (default: now)' })),
};

export const Freshness = {
  as_of: TimeOrNull,
  age_seconds: Nullable(Type.Integer()),
};

export const ServerOut = Type.Object({
  id: Type.Integer(),
  hostname: Type.String(),
  region: Type.String(),
  environment: Type.String(),
  labels: Type.Record(Type.String(), Type.Unknown()),
  first_seen_at: Time,
  last_seen_at: TimeOrNull,
});

export const Stat = Type.Object({
  avg: Num,
  min: Num,
  max: Num,
  p95: Type.Optional(Num),
});

export const RegionPoint = Type.Object({
  region: Type.String(),
  ts: Time,
  servers_reporting: Type.Integer(),
  cpu_usage_avg: Num,
  cpu_usage_max: Num,
  cpu_usage_p95: Num,
  memory_usage_avg: Num,
  memory_usage_max: Num,
  memory_usage_p95: Num,
  disk_usage_avg: Num,
  network_in_bytes: Num,
  network_out_bytes: Num,
});
