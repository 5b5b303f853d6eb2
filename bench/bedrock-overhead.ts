// Per-call CPU of a Bedrock Converse call with no instrumentation, the upstream
// @opentelemetry/instrumentation-aws-sdk alone, and TokenLedger, in one run, against the local Bedrock
// endpoint served by another process (so only client CPU is counted).
// Run: node bench/bedrock-overhead.ts [calls per pass=2000]
// A call: Converse of a 10-message, ~4 KB conversation (system prompt, history, context, question), JSON
// response. CPU = user + system time of the client process around each awaited call; overhead = a
// variant's p50 minus the bare client's p50; what TokenLedger adds = its p50 minus the upstream's. Each
// variant runs in its own child process (three passes, order rotated), with an SDK as in production
// (async context, batched span export and a metric reader, both to nowhere).
import '../scripts/sources-only.ts';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { ATTR_COST_USD, ATTR_GEN_AI_USAGE_INPUT_TOKENS } from '@tokenledger/semconv';

const GOAL_RATIO = 1.5;
const GOAL_US = 100;
const WARMUP = 400;
const VARIANTS = ['bare', 'upstream', 'tokenledger'] as const;
type Variant = (typeof VARIANTS)[number];
const PASSES = 3;
const calls = Number(process.env.BENCH_CALLS ?? process.argv[2] ?? 2000);
const self = import.meta.filename;
const MODEL = 'us.anthropic.claude-haiku-4-5-20251001-v1:0';

/** 10 messages (user/assistant turns, the last one a question with a context block), ~4 KB in all. */
function conversation() {
  const turn = (i: number) => `Turn ${i}: ${'The customer asks about the refund policy for damaged goods. '.repeat(7)}`.slice(0, 380);
  const messages = Array.from({ length: 9 }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', content: [{ text: turn(i) }] }));
  messages.push({ role: 'user', content: [{ text: `Context: ${turn(9).slice(0, 200)}` }, { text: 'So can I get my money back?' }] });
  return { modelId: MODEL, system: [{ text: 'You are a support assistant for an online shop. Answer briefly.' }], messages, inferenceConfig: { maxTokens: 256 } };
}

async function serve(): Promise<void> {
  const { startBedrockEndpoint } = await import('../packages/local-endpoints/src/bedrock.ts');
  const endpoint = await startBedrockEndpoint();
  // The endpoint records calls for tests; forget them so memory stays flat.
  setInterval(() => {
    endpoint.requests.length = 0;
  }, 200).unref();
  console.log(JSON.stringify({ url: endpoint.url }));
}

async function measure(variant: Variant, url: string): Promise<void> {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // Exports to nowhere, keeping the last span so the run can show the variant did its work.
  let last: ReadableSpan | undefined;
  let spans = 0;
  const discard: SpanExporter = {
    export: (s, done) => {
      spans += s.length;
      last = s.at(-1) ?? last;
      done({ code: 0 });
    },
    shutdown: async () => {},
  };
  const tracing = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: discard })] });
  trace.setGlobalTracerProvider(tracing);
  const noMetrics: PushMetricExporter = { export: (_m, done) => done({ code: 0 }), forceFlush: async () => {}, shutdown: async () => {} };
  const meters = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: noMetrics, exportIntervalMillis: 60_000 })] });
  metrics.setGlobalMeterProvider(meters);
  if (variant === 'upstream') {
    const { AwsInstrumentation } = await import('@opentelemetry/instrumentation-aws-sdk');
    registerInstrumentations({ instrumentations: [new AwsInstrumentation({ suppressInternalInstrumentation: true })] });
  } else if (variant === 'tokenledger') {
    const { createBedrockInstrumentations } = await import('@tokenledger/instrumentation-bedrock');
    registerInstrumentations({ instrumentations: createBedrockInstrumentations() });
  }
  // Loaded after the instrumentations are registered, as the preload does.
  const sdk = createRequire(import.meta.url)('@aws-sdk/client-bedrock-runtime');
  const client = new sdk.BedrockRuntimeClient({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'secret' } });
  const input = conversation();
  const call = () => client.send(new sdk.ConverseCommand(input));
  for (let i = 0; i < WARMUP; i++) await call();
  const samples: number[] = [];
  for (let i = 0; i < calls; i++) {
    const before = process.cpuUsage();
    await call();
    const d = process.cpuUsage(before);
    samples.push(d.user + d.system);
  }
  client.destroy();
  await tracing.shutdown();
  await meters.shutdown();
  // A variant that records nothing would look cheap: check each did what it is measured for.
  const expected = { bare: 0, upstream: calls + WARMUP, tokenledger: calls + WARMUP }[variant];
  const marker = { bare: undefined, upstream: ATTR_GEN_AI_USAGE_INPUT_TOKENS, tokenledger: ATTR_COST_USD }[variant];
  if (spans !== expected || (marker && last?.attributes[marker] === undefined)) {
    throw new Error(`${variant}: ${spans} spans exported (expected ${expected})${marker ? `, last span without ${marker}` : ''}`);
  }
  console.log(JSON.stringify({ samples, bytes: JSON.stringify(input).length }));
}

function child(args: string[]): Promise<{ proc: ReturnType<typeof spawn>; line: string }> {
  const proc = spawn(process.execPath, [self, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BENCH_CALLS: String(calls) } });
  return new Promise((resolve, reject) => {
    let buf = '';
    proc.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve({ proc, line: buf.slice(0, nl) });
    });
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
}

async function main(): Promise<void> {
  const server = await child(['--serve']);
  const { url } = JSON.parse(server.line) as { url: string };
  const pooled = Object.fromEntries(VARIANTS.map((v) => [v, [] as number[]])) as Record<Variant, number[]>;
  let bytes = 0;
  try {
    // Variants take turns (order rotated per pass), so machine-level noise hits each alike.
    for (let pass = 0; pass < PASSES; pass++) {
      for (let i = 0; i < VARIANTS.length; i++) {
        const v = VARIANTS[(i + pass) % VARIANTS.length]!;
        const out = JSON.parse((await child(['--variant', v, url])).line) as { samples: number[]; bytes: number };
        pooled[v].push(...out.samples);
        bytes = out.bytes;
      }
    }
  } finally {
    server.proc.kill();
  }
  const r = {} as Record<Variant, { p50: number; p99: number }>;
  for (const v of VARIANTS) {
    const s = pooled[v].sort((a, b) => a - b);
    const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
    r[v] = { p50: at(0.5), p99: at(0.99) };
  }
  const overhead = (v: Variant) => r[v].p50 - r.bare.p50;
  const upstream = overhead('upstream');
  const ours = overhead('tokenledger');
  // TokenLedger runs on top of the upstream instrumentation: what it adds is its p50 minus the upstream's.
  const added = r.tokenledger.p50 - r.upstream.p50;
  console.log(`CPU per Converse call (µs), ${PASSES} × ${calls} calls per variant (one process per variant and pass, after ${WARMUP} warm-up calls); ${bytes}-byte 10-message request`);
  console.log('| variant | p50 | p99 | overhead p50 (vs bare) | vs upstream overhead |');
  console.log('|---|---:|---:|---:|---:|');
  for (const v of VARIANTS) {
    const ratio = v === 'tokenledger' && upstream > 0 ? `${(ours / upstream).toFixed(2)}×` : '';
    console.log(`| ${v} | ${r[v].p50} | ${r[v].p99} | ${v === 'bare' ? '' : overhead(v)} | ${ratio} |`);
  }
  const ratioMet = upstream <= 0 || ours <= GOAL_RATIO * upstream;
  console.log(`goal: overhead ≤ ${GOAL_RATIO}× the upstream's (${upstream > 0 ? (ours / upstream).toFixed(2) : 'n/a'}×): ${ratioMet ? 'met' : 'NOT met'}; ` +
    `TokenLedger adds < ${GOAL_US} µs over the upstream at p50 (${added} µs): ${added < GOAL_US ? 'met' : 'NOT met'}`);
}

const [flag, ...rest] = process.argv.slice(2);
if (flag === '--serve') await serve();
else if (flag === '--variant') await measure(rest[0] as Variant, rest[1]!);
else await main();
