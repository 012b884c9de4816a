// Prometheus remote_write 1.0: a snappy block-compressed protobuf WriteRequest (decompressed by
// our own bounds-checked decoder, see snappy.ts). The schema is
// written here rather than fetched (prometheus/prompb/types.proto and remote.proto, only the
// fields Vigil reads; exemplars, histograms and metadata are skipped by the decoder).
import protobuf from 'protobufjs';
import snappy from 'snappyjs';
import type { CounterState } from '../counters.ts';
import { snappyUncompress } from './snappy.ts';
import { type IngestLimits, type ParseResult, emptyResult } from '../types.ts';
import { type PromSeries, mapPromSeries } from './node-exporter.ts';

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: {
          fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } },
        },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
});
export const WriteRequest = root.lookupType('prometheus.WriteRequest');

interface Decoded {
  timeseries?: {
    labels?: { name?: string; value?: string }[];
    samples?: { value?: number; timestamp?: unknown }[];
  }[];
}

const toMs = (ts: unknown): number => {
  if (typeof ts === 'number') return ts;
  if (ts && typeof ts === 'object' && 'toNumber' in ts) return (ts as { toNumber(): number }).toNumber();
  return 0;
};

/** The WriteRequest in a body, or the reason it cannot be read. Never throws. */
export function decodeRemoteWrite(
  body: Uint8Array,
  maxUncompressed: number,
): { series: PromSeries[] } | { reason: string } {
  let raw: Uint8Array;
  try {
    // The declared length is checked against the limit before allocating: no bombs.
    raw = snappyUncompress(body, maxUncompressed);
  } catch (e) {
    return { reason: `not a valid snappy block: ${(e as Error).message.slice(0, 120)}` };
  }
  let msg: Decoded;
  try {
    msg = WriteRequest.toObject(WriteRequest.decode(raw), { defaults: false }) as Decoded;
  } catch (e) {
    return { reason: `not a valid remote_write WriteRequest: ${(e as Error).message.slice(0, 120)}` };
  }
  const series: PromSeries[] = [];
  for (const ts of msg.timeseries ?? []) {
    const labels: Record<string, string> = {};
    for (const l of ts.labels ?? []) labels[l.name ?? ''] = l.value ?? '';
    const samples = (ts.samples ?? []).map((s) => ({ value: s.value ?? 0, tsMs: toMs(s.timestamp) }));
    series.push({ labels, samples });
  }
  return { series };
}

export interface RemoteWriteOptions {
  state: CounterState;
  /** Largest accepted uncompressed WriteRequest. */
  maxUncompressed: number;
}

export function parseRemoteWrite(
  body: Uint8Array,
  limits: IngestLimits,
  opts: RemoteWriteOptions,
): ParseResult {
  const result = emptyResult();
  const decoded = decodeRemoteWrite(body, opts.maxUncompressed);
  if ('reason' in decoded) {
    result.errors.push({ index: -1, field: 'body', reason: decoded.reason });
    return result;
  }
  const samples = decoded.series.reduce((n, s) => n + s.samples.length, 0);
  if (samples > limits.maxRows) {
    result.errors.push({
      index: -1,
      field: 'body',
      reason: `more than ${limits.maxRows} samples in one request`,
    });
    result.total = samples;
    return result;
  }
  for (const s of decoded.series) {
    if (s.labels.__name__ === undefined) {
      // Keep indexes aligned with samples: a nameless series refuses each of its samples.
      s.labels.__name__ = '';
    }
  }
  return mapPromSeries(decoded.series, limits, opts.state, result);
}

/** Encodes a WriteRequest the way Prometheus does: for tests, the bench and tools. */
export function encodeRemoteWrite(series: PromSeries[]): Uint8Array {
  const msg = WriteRequest.fromObject({
    timeseries: series.map((s) => ({
      labels: Object.entries(s.labels).map(([name, value]) => ({ name, value })),
      samples: s.samples.map((p) => ({ value: p.value, timestamp: p.tsMs })),
    })),
  });
  return snappy.compress(WriteRequest.encode(msg).finish());
}
