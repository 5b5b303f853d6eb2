// The real @aws-sdk/client-cloudwatch against the local endpoint: every limit checked at the wire,
// totals that match /metrics, and faults (throttling, 5xx, a bad datum, ambiguous timeouts, outages).
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { type CloudWatchEndpoint, startCloudWatchEndpoint } from '../../packages/local-endpoints/src/cloudwatch-endpoint.ts';
import { classify } from '../src/cloudwatch/classify.ts';
import { Outbox } from '../src/cloudwatch/outbox.ts';
import type { CloudWatchObservation } from '../src/cloudwatch/types.ts';
import { feed, type Harness, harness, registryTotal, until } from './cloudwatch-fixture.ts';

let ep: CloudWatchEndpoint;
const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  await ep?.close();
});

async function start(env: Record<string, string> = {}, faults = {}): Promise<Harness> {
  ep = await startCloudWatchEndpoint({ faults });
  const h = harness(ep.origin, env);
  open.push(h);
  return h;
}

/** Every figure the endpoint received equals what the registry (/metrics) holds, plus `extra`. */
function expectTotalsMatch(h: Harness, extra: (metric: string) => number = () => 0, only?: string[]): void {
  const near = (metric: string, expected: number) => {
    if (!only || only.includes(metric)) expect(ep.total(metric) - extra(metric)).toBeCloseTo(expected, 9);
  };
  near('CostUSD', registryTotal(h, 'tokenledger_cost_usd_total'));
  near('Tokens', registryTotal(h, 'tokenledger_tokens_total'));
  near('Outcomes', registryTotal(h, 'tokenledger_outcomes_total'));
  near('Successes', registryTotal(h, 'tokenledger_outcomes_total', { success: 'true' }));
  near('OutcomeCostUSD', registryTotal(h, 'tokenledger_outcome_cost_usd'));
  near('RetryCostUSD', registryTotal(h, 'tokenledger_retry_cost_usd_total'));
  near('CacheSavingsUSD', registryTotal(h, 'tokenledger_cache_savings_usd_total'));
  near('UnpricedCalls', registryTotal(h, 'tokenledger_unpriced_calls_total'));
  near('TimeToFirstToken', registryTotal(h, 'tokenledger_time_to_first_token_seconds'));
}

const counter = (h: Harness, metric: string, labels: Record<string, string> = {}) => registryTotal(h, metric, labels);

describe('CloudWatch export', () => {
  it('delivers exactly the roll-up totals in requests within every PutMetricData limit', async () => {
    const h = await start();
    await feed(h, 400, 200);
    expect(h.exporter.outbox.size()).toBeGreaterThan(0);
    await h.exporter.flush({ all: true });

    expect(ep.violations).toEqual([]);
    expect(h.exporter.outbox.size()).toBe(0);
    expectTotalsMatch(h);
    expect(registryTotal(h, 'tokenledger_cost_usd_total')).toBeGreaterThan(0);
    expect(registryTotal(h, 'tokenledger_unpriced_calls_total')).toBe(40);
    // 200 tenants × the metric set: more than one request of at most 1,000 data, gzip above 10 KB.
    expect(ep.requests.length).toBeGreaterThan(1);
    expect(Math.max(...ep.requests.map((r) => r.datums))).toBe(1000);
    expect(ep.requests.some((r) => r.gzip)).toBe(true);
    // Sample counts survive as Values/Counts: CloudWatch percentiles see every trace.
    const samples = ep.datums.filter((d) => d.metric === 'OutcomeCostUSD').reduce((t, d) => t + d.counts.reduce((a, b) => a + b, 0), 0);
    expect(samples).toBe(registryTotal(h, 'tokenledger_outcome_cost_usd', {}, 'count'));
    // Configured dimensions only (default Tenant, Workflow, Model); breakdowns without Tenant, tokens by type.
    const dimsOf = (metric: string) => Object.keys(ep.datums.find((d) => d.metric === metric)!.dimensions).sort();
    expect(dimsOf('CostUSD')).toEqual(['Model', 'Tenant', 'Workflow']);
    expect(dimsOf('Tokens')).toEqual(['Model', 'TokenType', 'Workflow']);
    expect(counter(h, 'tokenledger_cloudwatch_datums_sent_total')).toBe(ep.datums.length);
  });

  it('splits distributions over 150 values per datum', async () => {
    const h = await start({ TOKENLEDGER_CLOUDWATCH_METRICS: 'OutcomeCostUSD' });
    await feed(h, 400, 1);
    await h.exporter.flush({ all: true });
    expect(ep.violations).toEqual([]);
    const dist = ep.datums.filter((d) => d.metric === 'OutcomeCostUSD');
    expect(Math.max(...dist.map((d) => d.values.length))).toBe(150);
    expect(dist.reduce((t, d) => t + d.values.length, 0)).toBeGreaterThan(300);
    expectTotalsMatch(h, undefined, ['OutcomeCostUSD']);
    expect(ep.datums.every((d) => d.metric === 'OutcomeCostUSD')).toBe(true);
  });

  it('gives single metrics their own dimensions (TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS), totals unchanged', async () => {
    const h = await start({ TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS: 'Tokens=Model;RetryCostUSD=' });
    await feed(h, 400, 200);
    await h.exporter.flush({ all: true });
    expect(ep.violations).toEqual([]);
    expectTotalsMatch(h);
    const dimsOf = (metric: string) => new Set(ep.datums.filter((d) => d.metric === metric).map((d) => Object.keys(d.dimensions).sort().join(',')));
    expect(dimsOf('Tokens')).toEqual(new Set(['Model,TokenType']));
    expect(dimsOf('RetryCostUSD')).toEqual(new Set(['']));
    expect(dimsOf('CostUSD')).toEqual(new Set(['Model,Tenant,Workflow']));
    // Two models × token types, not 200 tenants' worth: one datum per model and type.
    const tokens = ep.datums.filter((d) => d.metric === 'Tokens');
    expect(tokens.length).toBe(new Set(tokens.map((d) => JSON.stringify(d.dimensions))).size);
    expect(tokens.length).toBeLessThanOrEqual(8);
  });

  it('reads the outbox a datum at a time, so a bounded round splits no distribution but its last', () => {
    const outbox = new Outbox(new DatabaseSync(':memory:'));
    const obs = (tenant: string, value: number): CloudWatchObservation => {
      const dims: [string, string][] = [['Tenant', tenant]];
      return { metric: 'OutcomeCostUSD', unit: 'None', dims, dimsJson: JSON.stringify(dims), kind: 'dist', value, count: 1 };
    };
    // Values of two data arrive interleaved (as traces of two tenants finish).
    for (let i = 0; i < 4; i++) outbox.add(0, [obs('b', i), obs('a', i)]);
    const round = outbox.claimed(Infinity, 4);
    expect(round.map((r) => r.dims[0]![1])).toEqual(['a', 'a', 'a', 'a']);
    expect(outbox.claimed(Infinity, 10).map((r) => r.dims[0]![1])).toEqual(['a', 'a', 'a', 'a', 'b', 'b', 'b', 'b']);
  });

  it('keeps requests under 1 MB when long dimension values make bytes bind before 1,000 data', async () => {
    const h = await start({ TOKENLEDGER_CLOUDWATCH_DIMENSIONS: 'Tenant,Feature,Workflow,Model', TOKENLEDGER_CLOUDWATCH_METRICS: 'CostUSD,Tokens' });
    // Label values are at most 256 characters (collector/src/model/label-values.ts): three long ones.
    await feed(h, 600, 600, 0, 'x'.repeat(240), 'y'.repeat(240));
    await h.exporter.flush({ all: true });
    expect(ep.violations).toEqual([]);
    expect(Math.max(...ep.requests.map((r) => r.bytes))).toBeGreaterThan(900_000);
    expect(Math.max(...ep.requests.map((r) => r.datums))).toBeLessThan(1000);
    expectTotalsMatch(h, undefined, ['CostUSD', 'Tokens']);
  });

  it('retries throttling on 70% of calls until every datapoint has arrived once', async () => {
    const h = await start({}, { throttleRate: 0.7, seed: 7 });
    await feed(h, 400, 200);
    await h.exporter.flush({ all: true });
    expect(ep.violations).toEqual([]);
    const throttled = ep.requests.filter((r) => r.outcome === 'throttled').length;
    expect(throttled).toBeGreaterThan(ep.requests.length / 2);
    expect(counter(h, 'tokenledger_cloudwatch_requests_total', { result: 'throttled' })).toBe(throttled);
    expectTotalsMatch(h);
    expect(counter(h, 'tokenledger_cloudwatch_ambiguous_requests_total')).toBe(0);
    expect(h.exporter.outbox.size()).toBe(0);
  });

  it('retries 500s', async () => {
    const h = await start({}, { serverErrors: 3 });
    await feed(h, 50, 10);
    await h.exporter.flush({ all: true });
    expect(ep.requests.filter((r) => r.outcome === 'server_error')).toHaveLength(3);
    expect(counter(h, 'tokenledger_cloudwatch_requests_total', { result: 'server_error' })).toBe(3);
    expectTotalsMatch(h);
  });

  it('drops one invalid datum alone (found by bisection, never retried) and delivers the rest', async () => {
    const isBad = (d: { metric: string; dimensions: Record<string, string> }) => d.metric === 'CostUSD' && d.dimensions.Tenant === 'tenant-7' && d.dimensions.Model === 'gpt-4o-mini';
    const h = await start({}, { badDatum: isBad });
    await feed(h, 400, 200);
    await h.exporter.flush({ all: true });
    const carrying = ep.requests.filter((r) => r.data.some(isBad));
    // Bisection: each request with the bad datum is half the previous one, down to the datum alone.
    expect(carrying.map((r) => r.outcome).every((o) => o === 'invalid')).toBe(true);
    expect(carrying.at(-1)!.datums).toBe(1);
    for (let i = 1; i < carrying.length; i++) expect([Math.floor(carrying[i - 1]!.datums / 2), Math.ceil(carrying[i - 1]!.datums / 2)]).toContain(carrying[i]!.datums);
    expect(counter(h, 'tokenledger_cloudwatch_datums_dropped_total', { reason: 'invalid' })).toBe(1);
    expect(ep.datums.some(isBad)).toBe(false);
    const badValue = carrying.at(-1)!.data[0]!.values[0]!;
    expectTotalsMatch(h, (m) => (m === 'CostUSD' ? -badValue : 0));
    expect(h.exporter.outbox.size()).toBe(0);
  });

  it('presumes a request sent whole and never answered recorded: counted as ambiguous, not resent, no duplicate', async () => {
    // Short enough for the unanswered request, long enough for the others on a loaded machine.
    const h = await start({ TOKENLEDGER_CLOUDWATCH_TIMEOUT_MS: '1500' }, { timeoutsAfterRecord: 1 });
    await feed(h, 50, 10);
    await h.exporter.flush({ all: true });
    const timedOut = ep.requests.find((r) => r.outcome === 'timeout_after_record')!;
    expect(timedOut).toBeDefined();
    expect(counter(h, 'tokenledger_cloudwatch_ambiguous_requests_total')).toBe(1);
    expect(counter(h, 'tokenledger_cloudwatch_ambiguous_datums_total')).toBe(timedOut.datums);
    expectTotalsMatch(h);
    expect(h.exporter.outbox.size()).toBe(0);
  });

  it('resends it with TOKENLEDGER_CLOUDWATCH_RESEND_AMBIGUOUS=true: the duplicate is exactly the counted data', async () => {
    const h = await start({ TOKENLEDGER_CLOUDWATCH_TIMEOUT_MS: '1500', TOKENLEDGER_CLOUDWATCH_RESEND_AMBIGUOUS: 'true' }, { timeoutsAfterRecord: 1 });
    await feed(h, 50, 10);
    await h.exporter.flush({ all: true });
    expect(counter(h, 'tokenledger_cloudwatch_ambiguous_requests_total')).toBe(1);
    const timedOut = ep.requests.find((r) => r.outcome === 'timeout_after_record')!;
    expect(timedOut).toBeDefined();
    const dup = (m: string) => timedOut.data.filter((d) => d.metric === m).reduce((t, d) => t + d.values.reduce((a, v, i) => a + v * d.counts[i]!, 0), 0);
    expectTotalsMatch(h, dup);
    expect(h.exporter.outbox.size()).toBe(0);
  });

  /** Data recorded more than once at the endpoint. */
  function duplicates(): number {
    const seen = new Map<string, number>();
    for (const d of ep.datums) {
      const key = JSON.stringify([d.metric, d.dimensions, d.timestampMs, d.values, d.counts]);
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    return [...seen.values()].reduce((t, n) => t + n - 1, 0);
  }

  it('keeps duplicates at zero with 10% of calls recorded and then reset, and reports the ambiguous data', async () => {
    const h = await start({}, { resetAfterRecordRate: 0.1, seed: 11 });
    await feed(h, 1500, 1500);
    await h.exporter.flush({ all: true });
    const resets = ep.requests.filter((r) => r.outcome === 'reset_after_record');
    expect(resets.length).toBeGreaterThan(0);
    expect(duplicates()).toBe(0);
    expectTotalsMatch(h);
    expect(counter(h, 'tokenledger_cloudwatch_ambiguous_requests_total')).toBe(resets.length);
    expect(counter(h, 'tokenledger_cloudwatch_ambiguous_datums_total')).toBe(resets.reduce((t, r) => t + r.datums, 0));
  });

  it('measures the duplicates of the same faults when resending (at least once) and reports them', async () => {
    const h = await start({ TOKENLEDGER_CLOUDWATCH_RESEND_AMBIGUOUS: 'true' }, { resetAfterRecordRate: 0.1, seed: 11 });
    await feed(h, 1500, 1500);
    await h.exporter.flush({ all: true });
    const resets = ep.requests.filter((r) => r.outcome === 'reset_after_record');
    expect(resets.length).toBeGreaterThan(0);
    expect(counter(h, 'tokenledger_cloudwatch_ambiguous_requests_total')).toBe(resets.length);
    // Data recorded twice at the endpoint = the data of the ambiguous requests = what the collector reports.
    expect(duplicates()).toBe(resets.reduce((t, r) => t + r.datums, 0));
    expect(counter(h, 'tokenledger_cloudwatch_ambiguous_datums_total')).toBe(duplicates());
    const dup = (m: string) => resets.flatMap((r) => r.data).filter((d) => d.metric === m).reduce((t, d) => t + d.values.reduce((a, v, i) => a + v * d.counts[i]!, 0), 0);
    expectTotalsMatch(h, dup);
  });

  it('keeps everything through an outage across an exporter restart (same outbox reopened)', async () => {
    const first = await start({}, { outage: true });
    await feed(first, 300, 100);
    const flushing = first.exporter.flush({ all: true });
    await until(() => ep.requests.length >= 3);
    await first.close();
    open.splice(open.indexOf(first), 1);
    await flushing;
    expect(ep.datums).toHaveLength(0);
    expect(ep.requests.every((r) => r.outcome === 'outage')).toBe(true);

    ep.faults.outage = false;
    const second = harness(ep.origin, {}, { config: first.config, clock: first.clock });
    open.push(second);
    expect(second.exporter.outbox.size()).toBeGreaterThan(0);
    await second.exporter.flush({ all: true });
    expect(ep.violations).toEqual([]);
    expectTotalsMatch(second);
    expect(registryTotal(second, 'tokenledger_outcomes_total')).toBe(300);
  });

  it('retries a refused connection (nothing sent: not ambiguous) and keeps the data', async () => {
    const down = await startCloudWatchEndpoint();
    const origin = down.origin;
    await down.close();
    ep = await startCloudWatchEndpoint();
    const h = harness(origin);
    open.push(h);
    await feed(h, 20, 5);
    const rows = h.exporter.outbox.size();
    const flushing = h.exporter.flush({ all: true });
    await until(() => counter(h, 'tokenledger_cloudwatch_requests_total', { result: 'network' }) >= 3);
    await h.exporter.close();
    await flushing;
    expect(counter(h, 'tokenledger_cloudwatch_ambiguous_requests_total')).toBe(0);
    expect(h.exporter.outbox.size()).toBe(rows);
  });

  it('paces requests to TOKENLEDGER_CLOUDWATCH_MAX_TPS (simulated time: sleeps advance it)', async () => {
    let now = 0;
    ep = await startCloudWatchEndpoint({ faults: { throttleRate: 0.3, seed: 5 }, requestClock: () => now });
    const timer = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    // Every metric by tenant too, for enough requests to pace.
    const byTenant = ['Tokens', 'RetryCostUSD', 'CacheSavingsUSD'].map((m) => `${m}=Tenant,Workflow,Model`).join(';');
    const h = harness(ep.origin, { TOKENLEDGER_CLOUDWATCH_MAX_TPS: '2', TOKENLEDGER_CLOUDWATCH_BACKOFF_MS: '100', TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS: byTenant }, { timer });
    open.push(h);
    await feed(h, 600, 300);
    await h.exporter.flush({ all: true });
    const starts = ep.requests.map((r) => r.at);
    expect(starts.length).toBeGreaterThan(4);
    // Request starts at least 1/2 s apart in simulated time, throttled retries included: ≤ 2 requests/s.
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(500);
    expectTotalsMatch(h);
  });

  it('flushes only ended intervals unless asked for all', async () => {
    const h = await start({ TOKENLEDGER_CLOUDWATCH_INTERVAL_MS: '60000' });
    await feed(h, 20, 5);
    await h.exporter.flush();
    expect(ep.requests).toHaveLength(0);
    h.clock.advance(60_000);
    await h.exporter.flush();
    expect(ep.datums.length).toBeGreaterThan(0);
    expect(ep.datums.every((d) => d.timestampMs % 60_000 === 0)).toBe(true);
    expectTotalsMatch(h);
  });
});

describe('what a failed PutMetricData means', () => {
  const timeout = Object.assign(new Error('socket timed out'), { name: 'TimeoutError' });
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

  it('calls a timeout or reset ambiguous only when the request left whole (a partial request is never recorded)', () => {
    expect([classify(timeout, true), classify(reset, true)].map((c) => [c.result, c.ambiguous])).toEqual([['timeout', true], ['network', true]]);
    expect([classify(timeout, false), classify(reset, false)].map((c) => [c.result, c.ambiguous])).toEqual([['timeout', false], ['network', false]]);
    expect(classify(refused, true)).toMatchObject({ result: 'network', ambiguous: false });
  });

  it('never retries invalid data, retries throttling and 5xx', () => {
    const sdk = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
    expect(classify(sdk('InvalidParameterValue', 400), true).result).toBe('invalid');
    expect(classify(sdk('Throttling', 400), true).result).toBe('throttled');
    expect(classify(sdk('InternalServiceError', 500), true)).toMatchObject({ result: 'server_error', ambiguous: false });
  });
});
