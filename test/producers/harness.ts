// The stack a producer's app runs against: the real collector (in this process, its OTLP receiver on a free
// port, traces finalised on demand) and the local provider endpoints. The app runs as a child process with
// its own OpenTelemetry set-up and exports over OTLP; each of its cases is one trace, found by workflow.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PriceBook } from '@tokenledger/pricing';
import { startAnthropicEndpoint, type AnthropicEndpoint } from '../../packages/local-endpoints/src/anthropic.ts';
import { startBedrockEndpoint, type BedrockEndpoint } from '../../packages/local-endpoints/src/bedrock.ts';
import { startOpenAIEndpoint, type OpenAIEndpoint } from '../../packages/local-endpoints/src/openai.ts';
import { Collector } from '../../collector/src/collector.ts';
import { startOtlpReceiver } from '../../collector/src/receiver/index.ts';
import type { TraceRollup } from '../../collector/src/rollup/types.ts';
import type { SpanRecord } from '../../collector/src/model/span-record.ts';
import { type OutcomeRow, queryOutcomes } from '../../collector/src/store/outcomes-query.ts';
import { FakeClock, seriesValue, testConfig } from '../../collector/test/helpers.ts';
import { REFUSED } from './apps/bedrock-cases.ts';

const run = promisify(execFile);
export const book = PriceBook.fromCatalog();

export interface Stack {
  collector: Collector;
  otlp: string;
  http: string;
  bedrock: BedrockEndpoint;
  openai: OpenAIEndpoint;
  anthropic: AnthropicEndpoint;
  /** Runs `test/producers/apps/<app>` to its end; the collector then holds every span it exported. */
  app(app: string, env?: Record<string, string>): Promise<string>;
  /** Finalises what the apps sent; the roll-up of each case (trace), by workflow. */
  finalise(): Map<string, TraceRollup>;
  /** The spans the collector decoded (what it kept of each span) from the last app, by workflow. */
  spans: Map<string, SpanRecord[]>;
  /** Sum of a metric's series matching the labels. */
  metric(name: string, labels?: Record<string, string>): number;
  /** /api/v1/outcomes rows by workflow, as the API and the report read them. */
  outcomes(): Promise<OutcomeRow[]>;
  close(): Promise<void>;
}

export async function startStack(): Promise<Stack> {
  const clock = new FakeClock(Date.now());
  const rollups: TraceRollup[] = [];
  // An add-on of its own hands the test every finalised trace's roll-up.
  const collector = new Collector({
    config: testConfig({ TOKENLEDGER_TRACE_IDLE_MS: '1000' }),
    clock,
    components: [() => ({ onFinalised: (batch) => void rollups.push(...batch.map((f) => f.rollup)) })],
  });
  const spans = new Map<string, SpanRecord[]>();
  const accept = collector.buffer.accept.bind(collector.buffer);
  collector.buffer.accept = (batch) => {
    for (const s of batch) {
      const w = String(s.attributes['tokenledger.workflow'] ?? '');
      spans.set(w, [...(spans.get(w) ?? []), s]);
    }
    return accept(batch);
  };
  const addresses = await collector.listen(startOtlpReceiver);
  const a = addresses.otlp!;
  const otlp = typeof a === 'string' ? a : `http://127.0.0.1:${a.port}`;
  const [bedrock, openai, anthropic] = await Promise.all([
    startBedrockEndpoint({ faults: { rejectModels: [REFUSED] } }),
    startOpenAIEndpoint(),
    startAnthropicEndpoint(),
  ]);
  return {
    collector, otlp, http: `http://127.0.0.1:${addresses.http.port}`, bedrock, openai, anthropic, spans,
    async app(app, env = {}) {
      spans.clear();
      const { stdout } = await run(process.execPath, [join(import.meta.dirname, 'apps', app)], {
        env: {
          ...process.env,
          TL_OTLP: otlp, TL_BEDROCK: bedrock.url, TL_OPENAI: openai.baseURL, TL_ANTHROPIC: anthropic.baseURL,
          // Attribution of the whole service, on its resource.
          OTEL_RESOURCE_ATTRIBUTES: `service.name=${app.replace(/\.ts$/, '')},tokenledger.tenant=acme`,
          ...env,
        },
        timeout: 120_000,
      });
      return stdout;
    },
    finalise() {
      clock.advance(60_000);
      collector.finaliser.drain();
      const byCase = new Map<string, TraceRollup>();
      for (const r of rollups.splice(0)) {
        if (byCase.has(r.labels.workflow)) throw new Error(`two traces for case ${r.labels.workflow}`);
        byCase.set(r.labels.workflow, r);
      }
      return byCase;
    },
    metric: (name, labels) => seriesValue(collector, name, labels),
    outcomes: () => collector.outcomes.read(queryOutcomes({ groupBy: ['workflow'], sinceMs: 0, untilMs: Infinity })),
    async close() {
      await collector.close();
      await Promise.all([bedrock.close(), openai.close(), anthropic.close()]);
    },
  };
}

/** One model's per-token prices from the catalog (the expectations are computed from them, not copied). */
export function prices(model: string, provider: string) {
  const p = book.lookup(model, provider);
  if (!p) throw new Error(`no catalog price for ${model}`);
  return {
    input: p.inputCostPerToken ?? 0,
    output: p.outputCostPerToken ?? 0,
    cacheRead: p.cacheReadInputTokenCost ?? p.inputCostPerToken ?? 0,
    cacheWrite: p.cacheCreationInputTokenCost ?? p.inputCostPerToken ?? 0,
  };
}

/** The cost of `uncached` input, cache reads and writes and output at `p`'s prices. */
export function costOf(p: ReturnType<typeof prices>, u: { uncached: number; cacheRead?: number; cacheWrite?: number; output: number }): number {
  return u.uncached * p.input + (u.cacheRead ?? 0) * p.cacheRead + (u.cacheWrite ?? 0) * p.cacheWrite + u.output * p.output;
}
