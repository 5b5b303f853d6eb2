// Test helpers: a hand-driven clock, a collector on a temporary store, span builders.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ADD_ONS } from '../src/add-ons.ts';
import { Collector } from '../src/collector.ts';
import type { CollectorComponent, ComponentFactory } from '../src/components/types.ts';
import { configFromEnv } from '../src/config/env.ts';
import type { Clock, CollectorConfig } from '../src/config/types.ts';
import type { AttributeValue, SpanRecord } from '../src/model/span-record.ts';

export class FakeClock implements Clock {
  ms: number;
  constructor(ms = Date.UTC(2026, 10, 22, 12, 0, 0)) {
    this.ms = ms;
  }
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tokenledger-collector-'));
}

export function testConfig(env: Record<string, string> = {}): CollectorConfig {
  return configFromEnv({ TOKENLEDGER_DATA_DIR: tempDir(), TOKENLEDGER_HTTP_ADDR: '127.0.0.1:0', TOKENLEDGER_OTLP_ADDR: '127.0.0.1:0', TOKENLEDGER_SQLITE_SYNCHRONOUS: 'NORMAL', ...env });
}

export function testCollector(env: Record<string, string> = {}, clock = new FakeClock()): { collector: Collector; clock: FakeClock } {
  // A fresh store: nothing to recover.
  const collector = new Collector({ config: testConfig(env), clock });
  return { collector, clock };
}

/** The add-ons as the bin has them, plus `hooks` on the finalised batches (an output wired by hand). */
export function withHooks(hooks: Pick<CollectorComponent, 'onCommit' | 'onFinalised'>): ComponentFactory[] {
  return [...ADD_ONS, () => hooks];
}

let nextSpan = 1;

export function span(traceId: string, attributes: Record<string, AttributeValue>, opts: Partial<SpanRecord> = {}): SpanRecord {
  const id = (nextSpan++).toString(16).padStart(16, '0');
  return { traceId, spanId: id, parentSpanId: 'ffffffffffffffff', name: 'call', startMs: 1000, endMs: 1001, statusCode: 0, attributes, ...opts };
}

export function root(traceId: string, attributes: Record<string, AttributeValue>, opts: Partial<SpanRecord> = {}): SpanRecord {
  return span(traceId, attributes, { parentSpanId: '', name: 'root', ...opts });
}

export function traceId(n: number): string {
  return n.toString(16).padStart(32, '0');
}

/** The value of one series of a family, by label subset; sums the matching series. */
export function seriesValue(c: Collector, metric: string, labels: Record<string, string> = {}): number {
  const f = c.metrics.registry.family(metric);
  if (!f) throw new Error(`no metric ${metric}`);
  let total = 0;
  for (const s of f.series.values()) {
    const l = Object.fromEntries(s.labels);
    if (Object.entries(labels).every(([k, v]) => l[k] === v)) total += s.value;
  }
  return total;
}
