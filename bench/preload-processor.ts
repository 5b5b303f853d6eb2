// CPU cost of the preload's attribution span processor per span (start + end), in one run: the SDK with a
// no-op exporting processor alone (baseline), and with the AttributionSpanProcessor in front of it. The
// spans start under withAttribution + setRoute + withRetry (the root is a TokenLedger span, so its route
// is inherited), so every stamping path runs.
// Usage: node bench/preload-processor.ts [batches=200]
import '../scripts/sources-only.ts';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { AttributionSpanProcessor, setRoute, withAttribution, withRetry } from '@tokenledger/node';

const BATCH = 1000;
const batches = Number(process.argv[2] ?? 200);
const GOAL_US = 2; // added CPU per span at p50

const noopExporter: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

/** CPU µs per span of each batch of BATCH child spans, batches of the configurations interleaved so that
 * load from other processes falls on all of them alike. */
function measure(configs: SpanProcessor[][]): number[][] {
  const tracers = configs.map((processors) => new TracerProvider({ spanProcessors: processors }).getTracer('bench'));
  const samples: number[][] = configs.map(() => []);
  withAttribution({ tenant: 'acme', feature: 'support', workflow: 'triage' }, () =>
    tracers[tracers.length - 1].startActiveSpan('root', (root) => {
      setRoute('rag', 'long_context');
      withRetry({ attempt: 1, reason: 'throttled' }, () => {
        for (let b = 0; b < batches; b++) {
          tracers.forEach((tracer, t) => {
            const start = process.cpuUsage();
            for (let i = 0; i < BATCH; i++) tracer.startSpan('chat').end();
            const used = process.cpuUsage(start);
            samples[t].push((used.user + used.system) / BATCH);
          });
        }
      });
      root.end();
    }));
  return samples.map((s) => s.sort((a, b) => a - b));
}

const pct = (s: number[], p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
const exporting = () => new SimpleSpanProcessor({ exporter: noopExporter });
const configs = () => [[exporting()], [new AttributionSpanProcessor(), exporting()]];
measure(configs()); // warm-up
const [base, withTl] = measure(configs());
const rows = [
  ['SDK + no-op exporter (baseline)', base],
  ['+ AttributionSpanProcessor', withTl],
] as const;
console.log('| configuration | CPU µs/span p50 | p99 |');
console.log('|---|---|---|');
for (const [name, s] of rows) console.log(`| ${name} | ${pct(s, 50).toFixed(2)} | ${pct(s, 99).toFixed(2)} |`);
const added = pct(withTl, 50) - pct(base, 50);
console.log(`\nadded by the processor at p50: ${added.toFixed(2)} µs/span (goal < ${GOAL_US} µs) ${added < GOAL_US ? 'OK' : 'OVER'}`);
