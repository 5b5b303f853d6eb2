// PutMetricData load for 10,000 distinct (tenant, workflow, model) combinations per interval, 5 traces
// each (50,000 finalised traces a minute): one datum per observation (the baseline, at the old limit of
// 20 data a request and at today's 1,000) against the exporter's interval aggregation with Values/Counts.
// The "after" rows run the real exporter and SDK client against the local endpoint and count at the wire.
// Run: node bench/cloudwatch-batching.ts
import '../scripts/sources-only.ts';
import { DatabaseSync } from 'node:sqlite';
import { startCloudWatchEndpoint } from '../packages/local-endpoints/src/cloudwatch-endpoint.ts';
import { LIMITS, pack, type PendingDatum } from '../collector/src/cloudwatch/batch.ts';
import { CloudWatchExporter } from '../collector/src/cloudwatch/exporter.ts';
import { CloudWatchEncoder } from '../collector/src/cloudwatch/encode.ts';
import { cloudWatchConfigFromEnv } from '../collector/src/config/cloudwatch.ts';
import { Registry } from '../collector/src/metrics/registry.ts';
import { finalisedTraces, observe } from '../collector/src/rollup/observations.ts';
import type { TraceRollup } from '../collector/src/rollup/types.ts';

const COMBINATIONS = 10_000;
const TRACES_PER_COMBINATION = 5;
const INTERVAL_MS = 60_000;
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0);
const MODELS = ['gpt-4o-mini', 'anthropic.claude-3-5-haiku-20241022-v1:0', 'amazon.nova-lite-v1:0'];

function rollups(): TraceRollup[] {
  const out: TraceRollup[] = [];
  for (let k = 0; k < TRACES_PER_COMBINATION; k++) {
    for (let i = 0; i < COMBINATIONS; i++) {
      const input = 800 + ((i * 7 + k * 13) % 400);
      const output = 50 + ((i + k) % 90);
      const inputUsd = input * 1.5e-7;
      const outputUsd = output * 6e-7;
      const total = inputUsd + outputUsd;
      const model = MODELS[i % 3]!;
      out.push({
        traceId: `${i}-${k}`, late: false, spans: 2, atMs: T0 + k * 1000, startMs: T0 + k * 1000, endMs: T0 + k * 1000, callCount: 1,
        labels: { tenant: `tenant-${i % 1000}`, feature: 'support', workflow: `workflow-${Math.floor(i / 1000)}`, outcome: 'resolved', success: k % 4 ? 'true' : 'false' },
        totalUsd: total, retryUsd: k === 0 ? outputUsd : 0, tokens: [input - 100, 100, 0, output],
        calls: [{ route: 'rag', provider: 'openai', model, totalUsd: total, components: { input: inputUsd, output: outputUsd }, tokens: [input - 100, 100, 0, output], cacheSavingsUsd: 100 * 1.35e-7, retryUsd: k === 0 ? outputUsd : 0,
          unpriced: 0, unknownUsage: 0, excludingCacheUsd: 0 }],
        unpriced: [], excludingCache: [], producers: [], ttft: [{ provider: 'openai', model, seconds: 0.2 + ((i + k) % 50) / 100 }],
      });
    }
  }
  return out;
}

interface Row {
  strategy: string;
  datums: number;
  requests: number;
  perRequest: number;
  bytesPerRequest: number;
  perMinute: number;
  perSecond: number;
  cpuMs?: number;
}

/** Baseline: every observation its own datum (Value), packed `perRequest` to a request. */
function perObservation(metrics: readonly string[], perRequest: number, all: TraceRollup[]): Row {
  const encoder = new CloudWatchEncoder(['Tenant', 'Workflow', 'Model'], metrics);
  const data: PendingDatum[] = [];
  for (const r of all) {
    for (const o of encoder.encode(observe(r))) {
      for (let c = 0; c < o.count; c++) {
        const datum = { MetricName: o.metric, Dimensions: o.dims.map(([Name, Value]) => ({ Name, Value })), Timestamp: new Date(r.atMs), Unit: o.unit, Value: o.value, StorageResolution: 60 };
        data.push({ datum, rowIds: [], bytes: Buffer.byteLength(JSON.stringify({ ...datum, Timestamp: r.atMs / 1000 })) + 1 });
      }
    }
  }
  const requests: PendingDatum[][] = [];
  for (const chunk of pack(data, LIMITS.requestBytes - 2_000)) for (let i = 0; i < chunk.length; i += perRequest) requests.push(chunk.slice(i, i + perRequest));
  const bytes = requests.reduce((t, q) => t + q.reduce((a, d) => a + d.bytes, 0), 0);
  return row(`one datum per observation, ≤ ${perRequest}/request`, data.length, requests.length, bytes);
}

/** The exporter: outbox, interval aggregation, Values/Counts, real client against the local endpoint. */
async function exporter(metrics: string, all: TraceRollup[], metricDimensions?: string): Promise<Row> {
  const ep = await startCloudWatchEndpoint({ now: () => T0 + INTERVAL_MS });
  const config = cloudWatchConfigFromEnv({
    TOKENLEDGER_CLOUDWATCH_NAMESPACE: 'Bench', TOKENLEDGER_CLOUDWATCH_REGION: 'us-east-1', TOKENLEDGER_CLOUDWATCH_ENDPOINT: ep.origin,
    TOKENLEDGER_CLOUDWATCH_MAX_TPS: '500', TOKENLEDGER_CLOUDWATCH_METRICS: metrics, TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS: metricDimensions,
  })!;
  const clock = { now: () => T0 + INTERVAL_MS };
  const e = new CloudWatchExporter({ config, db: new DatabaseSync(':memory:'), clock, registry: new Registry(10), clientConfig: { credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' } } });
  const cpu = process.cpuUsage();
  for (let i = 0; i < all.length; i += 2_000) e.onCommit(finalisedTraces(all.slice(i, i + 2_000))); // the finaliser's batch size
  await e.flush();
  const used = process.cpuUsage(cpu);
  await e.close();
  await ep.close();
  if (ep.violations.length) throw new Error(`limit violations: ${ep.violations.slice(0, 3).join('; ')}`);
  const name = metrics === 'CostUSD' ? 'CostUSD' : metrics === CORE ? 'core 4 metrics' : 'all 9 metrics';
  const how = metricDimensions ? ', every metric by Tenant,Workflow,Model' : ', default dimensions';
  const r = row(`${name}: exporter, Values/Counts per interval${how}`, ep.datums.length, ep.requests.length, ep.requests.reduce((t, q) => t + q.bytes, 0));
  r.cpuMs = (used.user + used.system) / 1000;
  return r;
}

function row(strategy: string, datums: number, requests: number, bytes: number): Row {
  const perMinute = requests * (60_000 / INTERVAL_MS);
  return { strategy, datums, requests, perRequest: datums / requests, bytesPerRequest: bytes / requests, perMinute, perSecond: perMinute / 60 };
}

const all = rollups();
const ALL = ['CostUSD', 'OutcomeCostUSD', 'Outcomes', 'Successes', 'Tokens', 'RetryCostUSD', 'CacheSavingsUSD', 'UnpricedCalls', 'TimeToFirstToken'];
const CORE = 'CostUSD,OutcomeCostUSD,Outcomes,Successes';
// The breakdowns default to Workflow,Model; this restores their tenant.
const EVERY_METRIC_BY_TENANT = 'Tokens=Tenant,Workflow,Model;RetryCostUSD=Tenant,Workflow,Model;CacheSavingsUSD=Tenant,Workflow,Model';
const rows: Row[] = [
  perObservation(['CostUSD'], 20, all),
  perObservation(['CostUSD'], LIMITS.datumsPerRequest, all),
  await exporter('CostUSD', all),
  perObservation(CORE.split(','), LIMITS.datumsPerRequest, all),
  await exporter(CORE, all),
  perObservation(ALL, 20, all),
  perObservation(ALL, LIMITS.datumsPerRequest, all),
  await exporter(ALL.join(','), all, EVERY_METRIC_BY_TENANT),
  await exporter(ALL.join(','), all),
];
rows[0]!.strategy = 'CostUSD: one datum per observation, ≤ 20/request';
rows[1]!.strategy = 'CostUSD: one datum per observation, ≤ 1000/request';
rows[3]!.strategy = 'core 4 metrics: one datum per observation, ≤ 1000/request';
rows[5]!.strategy = 'all 9 metrics: one datum per observation, ≤ 20/request';
rows[6]!.strategy = 'all 9 metrics: one datum per observation, ≤ 1000/request';

console.log(`${COMBINATIONS.toLocaleString('en')} (tenant, workflow, model) combinations × ${TRACES_PER_COMBINATION} traces per ${INTERVAL_MS / 1000} s interval, dimensions Tenant,Workflow,Model (the breakdowns Tokens, RetryCostUSD, CacheSavingsUSD by Workflow,Model by default); core 4 metrics = ${CORE}; every metric by tenant: TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS=${EVERY_METRIC_BY_TENANT}\n`);
const header = ['strategy', 'data/interval', 'requests/interval', 'data/request', 'KB/request', 'requests/min', 'requests/s', 'CPU ms', '< 1 req/s'];
const cells = rows.map((r) => [
  r.strategy, r.datums.toLocaleString('en'), r.requests.toLocaleString('en'), r.perRequest.toFixed(0), (r.bytesPerRequest / 1024).toFixed(0),
  r.perMinute.toLocaleString('en'), r.perSecond.toFixed(2), r.cpuMs === undefined ? '—' : r.cpuMs.toFixed(0), r.perSecond < 1 ? 'yes' : 'no',
]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
const line = (c: string[]) => c.map((s, i) => (i === 0 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join(' | ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const c of cells) console.log(line(c));
