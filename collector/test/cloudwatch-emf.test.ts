// EMF output: every event checked against the format's rules, totals equal to /metrics, and the
// stdout/file/TCP/UDP sinks.
import { readFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Collector } from '../src/collector.ts';
import { EmfWriter } from '../src/cloudwatch/emf-writer.ts';
import { type EmfConfig, emfConfigFromEnv } from '../src/config/cloudwatch.ts';
import { feed, type Harness, registryTotal } from './cloudwatch-fixture.ts';
import { FakeClock, tempDir, testConfig, withHooks } from './helpers.ts';

const UNITS = new Set(['None', 'Count', 'Seconds']);
let h: (Harness & { emf: EmfWriter }) | undefined;
afterEach(async () => {
  await h?.emf.close();
  await h?.collector.close();
  h = undefined;
});

function start(env: Record<string, string>): Harness & { emf: EmfWriter; emfConfig: EmfConfig } {
  const clock = new FakeClock();
  let emf: EmfWriter | undefined;
  const collector = new Collector({ config: testConfig(), clock, components: withHooks({ onFinalised: (batch) => emf?.onFinalised(batch) }) });
  const emfConfig = emfConfigFromEnv(env)!;
  emf = new EmfWriter({ config: emfConfig, clock, registry: collector.metrics.registry });
  collector.recover();
  h = { collector, clock, emf, config: collector.config, exporter: undefined as never, close: async () => {} };
  return { ...h, emfConfig };
}

/** Checks one event against the EMF specification and returns it parsed. */
function validate(line: string, maxBytes: number): Record<string, any> {
  expect(Buffer.byteLength(line)).toBeLessThanOrEqual(maxBytes);
  const e = JSON.parse(line);
  expect(typeof e._aws.Timestamp).toBe('number');
  expect(Array.isArray(e._aws.CloudWatchMetrics)).toBe(true);
  for (const d of e._aws.CloudWatchMetrics) {
    expect(typeof d.Namespace).toBe('string');
    expect(d.Namespace.length).toBeGreaterThan(0);
    expect(d.Metrics.length).toBeGreaterThan(0);
    expect(d.Metrics.length).toBeLessThanOrEqual(100);
    for (const set of d.Dimensions) {
      expect(set.length).toBeLessThanOrEqual(30);
      for (const name of set) expect(typeof e[name]).toBe('string');
    }
    for (const m of d.Metrics) {
      expect(UNITS.has(m.Unit)).toBe(true);
      const v = e[m.Name];
      if (Array.isArray(v)) {
        expect(v.length).toBeGreaterThan(0);
        expect(v.length).toBeLessThanOrEqual(100);
        expect(v.every((x) => typeof x === 'number' && Number.isFinite(x))).toBe(true);
      } else {
        expect(typeof v === 'number' && Number.isFinite(v)).toBe(true);
      }
    }
  }
  return e;
}

/** Σ of a metric over events (arrays summed). */
function emfTotal(events: Record<string, any>[], metric: string): number {
  let t = 0;
  for (const e of events) {
    const v = e[metric];
    if (v === undefined) continue;
    t += Array.isArray(v) ? v.reduce((a: number, b: number) => a + b, 0) : v;
  }
  return t;
}

describe('EMF output', () => {
  it('writes events that follow the format and add up to /metrics', async () => {
    const file = join(tempDir(), 'emf.log');
    const s = start({ TOKENLEDGER_EMF_OUTPUT: `file:${file}`, TOKENLEDGER_EMF_NAMESPACE: 'TokenLedgerEmf' });
    await feed(s, 400, 1);
    await s.emf.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const events = lines.map((l) => validate(l, s.emfConfig.maxEventBytes));
    expect(events.every((e) => e._aws.CloudWatchMetrics[0].Namespace === 'TokenLedgerEmf')).toBe(true);
    expect(emfTotal(events, 'CostUSD')).toBeCloseTo(registryTotal(s, 'tokenledger_cost_usd_total'), 9);
    expect(emfTotal(events, 'Tokens')).toBe(registryTotal(s, 'tokenledger_tokens_total'));
    expect(emfTotal(events, 'Outcomes')).toBe(400);
    expect(emfTotal(events, 'Successes')).toBe(registryTotal(s, 'tokenledger_outcomes_total', { success: 'true' }));
    expect(emfTotal(events, 'OutcomeCostUSD')).toBeCloseTo(registryTotal(s, 'tokenledger_outcome_cost_usd'), 9);
    expect(emfTotal(events, 'TimeToFirstToken')).toBeCloseTo(registryTotal(s, 'tokenledger_time_to_first_token_seconds'), 9);
    expect(emfTotal(events, 'UnpricedCalls')).toBe(40);
    // 400 outcome costs over 2 workflows: arrays split at 100, every sample present once.
    const samples = events.reduce((t, e) => t + (Array.isArray(e.OutcomeCostUSD) ? e.OutcomeCostUSD.length : e.OutcomeCostUSD === undefined ? 0 : 1), 0);
    expect(samples).toBe(400);
    expect(events.some((e) => Array.isArray(e.OutcomeCostUSD) && e.OutcomeCostUSD.length === 100)).toBe(true);
    expect(registryTotal(s, 'tokenledger_emf_events_total')).toBe(lines.length);
  });

  it('gives single metrics their own dimension sets (the CloudWatch setting, unless EMF has its own)', async () => {
    const file = join(tempDir(), 'emf.log');
    const s = start({ TOKENLEDGER_EMF_OUTPUT: `file:${file}`, TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS: 'Tokens=Model' });
    expect(emfConfigFromEnv({ TOKENLEDGER_EMF_OUTPUT: 'stdout', TOKENLEDGER_CLOUDWATCH_METRIC_DIMENSIONS: 'Tokens=Model', TOKENLEDGER_EMF_METRIC_DIMENSIONS: 'Tokens=' })!.metricDimensions.Tokens).toEqual([]);
    await feed(s, 40, 4);
    await s.emf.close();
    const events = readFileSync(file, 'utf8').trim().split('\n').map((l) => validate(l, s.emfConfig.maxEventBytes));
    const setsOf = (metric: string) => new Set(events.filter((e) => e[metric] !== undefined).map((e) => e._aws.CloudWatchMetrics[0].Dimensions[0].slice().sort().join(',')));
    expect(setsOf('Tokens')).toEqual(new Set(['Model,TokenType']));
    expect(setsOf('CostUSD')).toEqual(new Set(['Model,Tenant,Workflow']));
    expect(setsOf('CacheSavingsUSD')).toEqual(new Set(['Model,Workflow'])); // a breakdown's default: no Tenant
    expect(emfTotal(events, 'Tokens')).toBe(registryTotal(s, 'tokenledger_tokens_total'));
  });

  it('keeps events under the size limit by spreading values over more events', async () => {
    const file = join(tempDir(), 'emf.log');
    const s = start({ TOKENLEDGER_EMF_OUTPUT: `file:${file}`, TOKENLEDGER_EMF_MAX_EVENT_BYTES: '1500', TOKENLEDGER_EMF_DIMENSIONS: 'Tenant' });
    await feed(s, 300, 1, 0, 'x'.repeat(3500));
    await s.emf.close();
    const events = readFileSync(file, 'utf8').trim().split('\n').map((l) => validate(l, 1500));
    expect(Math.max(...events.map((e) => (Array.isArray(e.OutcomeCostUSD) ? e.OutcomeCostUSD.length : 0)))).toBeLessThan(100);
    expect(emfTotal(events, 'OutcomeCostUSD')).toBeCloseTo(registryTotal(s, 'tokenledger_outcome_cost_usd'), 9);
    expect(emfTotal(events, 'Outcomes')).toBe(300);
  });

  it('sends to the CloudWatch agent over TCP and UDP', async () => {
    const tcpLines: string[] = [];
    let buffered = '';
    const server = createServer((sock) => sock.on('data', (d) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      tcpLines.push(...parts);
    }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const udp = createSocket('udp4');
    const udpLines: string[] = [];
    udp.on('message', (m) => udpLines.push(m.toString().trim()));
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    try {
      for (const [output, lines] of [[`tcp://127.0.0.1:${(server.address() as { port: number }).port}`, tcpLines], [`udp://127.0.0.1:${udp.address().port}`, udpLines]] as const) {
        const s = start({ TOKENLEDGER_EMF_OUTPUT: output });
        await feed(s, 20, 2);
        const written = registryTotal(s, 'tokenledger_emf_events_total');
        expect(written).toBeGreaterThan(0);
        while (lines.length < written) await new Promise((r) => setTimeout(r, 2));
        const events = lines.map((l) => validate(l, s.emfConfig.maxEventBytes));
        expect(emfTotal(events, 'Outcomes')).toBe(20);
        await s.emf.close();
        await s.collector.close();
        h = undefined;
      }
    } finally {
      server.close();
      udp.close();
    }
  });

  it('refuses bad EMF settings at start, naming the variable', () => {
    expect(() => emfConfigFromEnv({ TOKENLEDGER_EMF_OUTPUT: 'kafka://x:1' })).toThrow(/TOKENLEDGER_EMF_OUTPUT/);
    expect(() => emfConfigFromEnv({ TOKENLEDGER_EMF_OUTPUT: 'stdout', TOKENLEDGER_EMF_DIMENSIONS: 'Tenant,Colour' })).toThrow(/TOKENLEDGER_EMF_DIMENSIONS/);
    expect(emfConfigFromEnv({ TOKENLEDGER_EMF_OUTPUT: 'udp://127.0.0.1:25888' })!.maxEventBytes).toBe(65_000);
    expect(emfConfigFromEnv({})).toBeUndefined();
  });
});
