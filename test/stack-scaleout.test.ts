// Scale-out behind the OpenTelemetry Collector's `loadbalancing` exporter (routing_key: traceID): every
// span of a trace reaches the same instance, so two instances together report exactly what one does.
// The workload goes over OTLP (the SDK's exporter), each trace to the instance a hash of its trace id
// picks, as the exporter's ring does; the negative control deals out spans instead and is noticed.
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanRecord } from '../collector/src/model/span-record.ts';
import { finalisedTraces, parseExposition, type RunningCollector, type Sample, startCollector, until } from './stack-helpers.ts';
import { otlpExporter, send, toSpanRecords, workload } from './workload.ts';

const CONTRACT = /^tokenledger_(cost_usd_total|tokens_total|outcomes_total|outcome_cost_usd_(sum|count|bucket)|retry_cost_usd_total|cache_savings_usd_total|unpriced_calls_total|time_to_first_token_seconds_(sum|count|bucket))$/;

const traces = workload(6);
const running: RunningCollector[] = [];
let one: RunningCollector;
let pair: RunningCollector[];
let split: RunningCollector[];

/** Waits until every instance has no trace open (each finalised what it holds). */
async function settled(targets: RunningCollector[]): Promise<void> {
  await until('all traces finalised', async () => {
    for (const t of targets) {
      const open = parseExposition(await (await fetch(`${t.base}/metrics`)).text()).samples.find((s) => s.name === 'tokenledger_collector_traces_open');
      if (open?.value !== 0) return false;
    }
    return true;
  });
}

/** Over OTLP with the SDK's exporter, each trace to the instance its trace id picks. */
async function feedByTrace(targets: RunningCollector[], pick: (traceId: string) => number): Promise<void> {
  const exporters = targets.map((t) => otlpExporter(t.otlp));
  await send(traces, (traceId) => exporters[pick(traceId)]!);
  await until('every trace received', async () => (await Promise.all(targets.map((t) => finalisedTraces(t.base)))).reduce((a, b) => a + b, 0) === traces.length);
  await settled(targets);
}

/** The negative control: spans dealt out alternately, as a trace-unaware balancer would. */
async function feedBySpan(targets: RunningCollector[]): Promise<void> {
  const parts = targets.map(() => [] as SpanRecord[]);
  toSpanRecords(traces).forEach((s, i) => {
    parts[i % targets.length]!.push(s);
  });
  await Promise.all(targets.map((t, k) => t.collector.sink.accept(parts[k]!)));
  await settled(targets);
}

/** Contract series summed over instances, keyed by name and labels. */
async function totals(targets: RunningCollector[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of targets) {
    for (const s of parseExposition(await (await fetch(`${t.base}/metrics`)).text()).samples as Sample[]) {
      if (!CONTRACT.test(s.name)) continue;
      const key = `${s.name}{${Object.entries(s.labels).sort().map(([k, v]) => `${k}=${v}`).join(',')}}`;
      out.set(key, (out.get(key) ?? 0) + s.value);
    }
  }
  return out;
}

/** The instance of a trace id among `n` (the loadbalancing exporter hashes it onto a ring). */
const byTraceId = (n: number) => (traceId: string) => crc32(Buffer.from(traceId, 'hex')) % n;

beforeAll(async () => {
  // A trace part without its root (the negative control) is finalised by age: keep that short.
  for (let i = 0; i < 5; i++) running.push(await startCollector({ TOKENLEDGER_TRACE_MAX_AGE_MS: '1000' }));
  [one, ...pair] = running.slice(0, 3) as [RunningCollector, RunningCollector, RunningCollector];
  split = running.slice(3);
  await feedByTrace([one], () => 0);
  await feedByTrace(pair, byTraceId(2));
  await feedBySpan(split);
});

afterAll(async () => {
  await Promise.all(running.map((r) => r.close()));
});

describe('scale-out: traces partitioned by trace id across two instances', () => {
  it('each instance took a real share of the traces', async () => {
    const counts = await Promise.all(pair.map((p) => finalisedTraces(p.base)));
    expect(counts[0]! + counts[1]!).toBe(traces.length);
    for (const c of counts) expect(c).toBeGreaterThan(traces.length / 5);
  });

  it('give the same totals, series by series, as one instance', async () => {
    const single = await totals([one]);
    const summed = await totals(pair);
    expect(single.size).toBeGreaterThan(50);
    expect([...summed.keys()].sort()).toEqual([...single.keys()].sort());
    for (const [key, v] of single) expect(summed.get(key), key).toBeCloseTo(v, 12);
  });

  it('give the same cost per successful outcome per workflow as one instance', async () => {
    type Row = { group: { workflow: string }; costUsd: number; successes: number; costPerSuccessUsd: number };
    const rows = async (t: RunningCollector) => ((await (await fetch(`${t.base}/api/v1/outcomes?group_by=workflow`)).json()) as { rows: Row[] }).rows;
    const single = await rows(one);
    const parts = (await Promise.all(pair.map(rows))).flat();
    for (const r of single) {
      const mine = parts.filter((p) => p.group.workflow === r.group.workflow);
      const cost = mine.reduce((a, p) => a + p.costUsd, 0);
      const successes = mine.reduce((a, p) => a + p.successes, 0);
      expect(cost / successes).toBeCloseTo(r.costPerSuccessUsd, 12);
    }
  });

  it('negative control: spans of a trace split across instances do not add up (outcomes counted twice or lost)', async () => {
    const single = await totals([one]);
    const splitTotals = await totals(split);
    const outcomes = (m: Map<string, number>, success: string) =>
      [...m].filter(([k]) => k.startsWith('tokenledger_outcomes_total{') && k.includes(`success=${success}`)).reduce((a, [, v]) => a + v, 0);
    expect(outcomes(splitTotals, 'unknown')).toBeGreaterThan(outcomes(single, 'unknown'));
  });
});
