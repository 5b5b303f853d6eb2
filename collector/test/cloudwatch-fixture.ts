// CloudWatch test set-up: a collector on a temporary store with the exporter hooked into its
// finaliser, the real SDK client pointed at the local endpoint, and traces of known shape.
import { Collector } from '../src/collector.ts';
import { CloudWatchExporter, type Timer } from '../src/cloudwatch/exporter.ts';
import { cloudWatchConfigFromEnv } from '../src/config/cloudwatch.ts';
import type { CollectorConfig } from '../src/config/types.ts';
import type { SpanRecord } from '../src/model/span-record.ts';
import { FakeClock, root, span, testConfig, traceId, withHooks } from './helpers.ts';

export const HAIKU = 'anthropic.claude-3-5-haiku-20241022-v1:0';
export const MINI = 'gpt-4o-mini';

export interface Harness {
  collector: Collector;
  exporter: CloudWatchExporter;
  clock: FakeClock;
  config: CollectorConfig;
  close(): Promise<void>;
}

/** A collector + exporter; pass `config` of an earlier harness to reopen its store (and outbox). */
export function harness(origin: string, env: Record<string, string> = {}, o: { config?: CollectorConfig; clock?: FakeClock; timer?: Timer } = {}): Harness {
  const clock = o.clock ?? new FakeClock();
  const config = o.config ?? testConfig();
  let exporter: CloudWatchExporter | undefined;
  const collector = new Collector({ config, clock, components: withHooks({ onCommit: (batch) => exporter?.onCommit(batch) }) });
  const cw = cloudWatchConfigFromEnv({
    TOKENLEDGER_CLOUDWATCH_NAMESPACE: 'TokenLedgerTest', TOKENLEDGER_CLOUDWATCH_REGION: 'us-east-1',
    TOKENLEDGER_CLOUDWATCH_ENDPOINT: origin, TOKENLEDGER_CLOUDWATCH_MAX_TPS: '500',
    TOKENLEDGER_CLOUDWATCH_BACKOFF_MS: '1', TOKENLEDGER_CLOUDWATCH_MAX_BACKOFF_MS: '5',
    ...env,
  })!;
  exporter = new CloudWatchExporter({
    config: cw, db: collector.db, clock, registry: collector.metrics.registry,
    clientConfig: { credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' } }, timer: o.timer,
  });
  collector.recover();
  return {
    collector, exporter, clock, config,
    async close() {
      await exporter!.close();
      await collector.close();
    },
  };
}

/**
 * `n` finalised traces over `tenants` tenants, two workflows and two models: priced calls with cache
 * reads, a retry, an unpriced model, streamed TTFTs and distinct outcome costs; every 3rd fails.
 */
/** `tenantPrefix` and `suffix` (appended to feature and workflow) make long dimension values. */
export async function feed(h: Harness, n: number, tenants: number, first = 0, tenantPrefix = 'tenant', suffix = ''): Promise<void> {
  const spans: SpanRecord[] = [];
  for (let i = first; i < first + n; i++) {
    const t = traceId(0x100000 + i);
    const who = { 'tokenledger.tenant': `${tenantPrefix}-${i % tenants}`, 'tokenledger.feature': `support${suffix}`, 'tokenledger.workflow': `${i % 2 ? 'answer' : 'triage'}${suffix}` };
    spans.push(
      root(t, { ...who, 'tokenledger.outcome': 'ticket_resolved', 'tokenledger.outcome.success': i % 3 !== 0 }),
      span(t, { ...who, 'gen_ai.provider.name': 'aws.bedrock', 'gen_ai.request.model': HAIKU, 'tokenledger.route': 'rag',
        'gen_ai.usage.input_tokens': 1000 + i, 'gen_ai.usage.cache_read.input_tokens': 200, 'gen_ai.usage.output_tokens': 50 + (i % 7),
        'gen_ai.response.time_to_first_chunk': 0.1 + (i % 5) / 10 }),
      span(t, { ...who, 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': MINI, 'tokenledger.route': 'rag',
        'gen_ai.usage.input_tokens': 300, 'gen_ai.usage.output_tokens': 20, 'tokenledger.retry.attempt': i % 4 === 0 ? 1 : 0 }),
    );
    if (i % 10 === 0) spans.push(span(t, { ...who, 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'no-such-model', 'gen_ai.usage.input_tokens': 5 }));
  }
  await h.collector.sink.accept(spans);
  h.clock.advance(h.collector.config.traceIdleMs + 1);
  h.collector.finaliser.drain();
}

export function registryTotal(h: Harness, metric: string, labels: Record<string, string> = {}, field: 'value' | 'count' = 'value'): number {
  const f = h.collector.metrics.registry.family(metric)!;
  let t = 0;
  for (const s of f.series.values()) {
    const l = Object.fromEntries(s.labels);
    if (Object.entries(labels).every(([k, v]) => l[k] === v)) t += field === 'count' ? s.count! : s.value;
  }
  return t;
}

/** Polls (no time limit of its own: the test's timeout bounds it). */
export async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 2));
}
