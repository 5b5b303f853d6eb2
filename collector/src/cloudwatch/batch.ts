// Outbox rows → PutMetricData requests within every limit: one datum per interval, metric and
// dimension set (distributions as Values/Counts, ≤ 150 distinct values a datum), ≤ 1,000 data and
// ≤ 1 MB a request, timestamps within CloudWatch's window. Data carry at most 9 dimensions (the 8
// configurable ones + TokenType, see encode.ts), within the limit of 30.
import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import type { OutboxRow } from './outbox.ts';

export const LIMITS = {
  datumsPerRequest: 1_000,
  valuesPerDatum: 150,
  requestBytes: 1_000_000,
  /** CloudWatch takes timestamps up to two weeks old and two hours ahead. */
  maxAgeMs: 14 * 24 * 3_600_000,
  maxAheadMs: 2 * 3_600_000,
  /** Values must lie within ±2^360. */
  maxMagnitude: 2 ** 360,
} as const;

/** Room left for the request envelope and JSON encoding differences. */
const ENVELOPE_BYTES = 2_000;
/** A datum is dropped this long before CloudWatch would refuse it as too old (clock skew, time in flight). */
const AGE_MARGIN_MS = 3_600_000;

/** A datum with the outbox rows it carries: deleted once it is acknowledged (or dropped). */
export interface PendingDatum {
  datum: MetricDatum;
  rowIds: number[];
  /** Its size in the JSON body. */
  bytes: number;
}

export type DropReason = 'too_old' | 'too_new' | 'non_finite';

export interface Batches {
  requests: PendingDatum[][];
  dropped: { reason: DropReason; datum: PendingDatum }[];
}

/** Whether CloudWatch takes `v` as a value. */
export function validValue(v: number): boolean {
  return Number.isFinite(v) && Math.abs(v) <= LIMITS.maxMagnitude;
}

/** Builds the data of `rows` (all claimed, possibly from several claims) and packs them into requests. */
export function buildBatches(rows: readonly OutboxRow[], namespace: string, nowMs: number, storageResolution: 1 | 60): Batches {
  const groups = new Map<string, OutboxRow[]>();
  for (const r of rows) {
    const key = `${r.tsMs}\u0000${r.metric}\u0000${JSON.stringify(r.dims)}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const out: Batches = { requests: [], dropped: [] };
  const data: PendingDatum[] = [];
  for (const g of groups.values()) {
    for (const d of toData(g, storageResolution)) {
      const reason = check(d, g[0]!.tsMs, nowMs);
      if (reason) out.dropped.push({ reason, datum: d });
      else data.push(d);
    }
  }
  out.requests = pack(data, LIMITS.requestBytes - ENVELOPE_BYTES - Buffer.byteLength(namespace));
  return out;
}

function toData(g: OutboxRow[], storageResolution: 1 | 60): PendingDatum[] {
  const first = g[0]!;
  const base = {
    MetricName: first.metric,
    Dimensions: first.dims.map(([Name, Value]) => ({ Name, Value })),
    Timestamp: new Date(first.tsMs),
    Unit: first.unit,
    StorageResolution: storageResolution,
  };
  if (first.kind === 'sum') {
    return [finish({ ...base, Value: g.reduce((t, r) => t + r.value, 0) }, g.map((r) => r.id))];
  }
  // Distinct values with their counts (a value may sit in rows of several claims).
  const byValue = new Map<number, { count: number; ids: number[] }>();
  for (const r of g) {
    const v = byValue.get(r.value);
    if (v) {
      v.count += r.count;
      v.ids.push(r.id);
    } else byValue.set(r.value, { count: r.count, ids: [r.id] });
  }
  const entries = [...byValue.entries()];
  const out: PendingDatum[] = [];
  for (let i = 0; i < entries.length; i += LIMITS.valuesPerDatum) {
    const chunk = entries.slice(i, i + LIMITS.valuesPerDatum);
    const ids = chunk.flatMap(([, v]) => v.ids);
    out.push(finish({ ...base, Values: chunk.map(([v]) => v), Counts: chunk.map(([, v]) => v.count) }, ids));
  }
  return out;
}

function finish(datum: MetricDatum, rowIds: number[]): PendingDatum {
  // As the JSON protocol writes it: Timestamp in epoch seconds.
  const bytes = Buffer.byteLength(JSON.stringify({ ...datum, Timestamp: datum.Timestamp!.getTime() / 1000 })) + 1;
  return { datum, rowIds, bytes };
}

function check(d: PendingDatum, tsMs: number, nowMs: number): DropReason | undefined {
  if (tsMs < nowMs - LIMITS.maxAgeMs + AGE_MARGIN_MS) return 'too_old';
  if (tsMs > nowMs + LIMITS.maxAheadMs) return 'too_new';
  const values = d.datum.Values ?? [d.datum.Value!];
  if (!values.every(validValue) || !(d.datum.Counts ?? []).every(validValue)) return 'non_finite';
  return undefined;
}

/** Greedy packing in order: a new request when the next datum would pass the count or byte limit. */
export function pack(data: readonly PendingDatum[], maxBytes: number): PendingDatum[][] {
  const requests: PendingDatum[][] = [];
  let current: PendingDatum[] = [];
  let bytes = 0;
  for (const d of data) {
    if (current.length > 0 && (current.length === LIMITS.datumsPerRequest || bytes + d.bytes > maxBytes)) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(d);
    bytes += d.bytes;
  }
  if (current.length) requests.push(current);
  return requests;
}
