// Per-call CPU overhead of the OpenAI and Anthropic instrumentations, beside the bare clients and the
// upstream @opentelemetry/instrumentation-openai (which supports openai <7, so it is compared on openai 6),
// in one run, against local endpoints served by another process (so only client CPU is counted).
// Run: node bench/providers-overhead.ts [calls=1000]
// A call: a chat request of a 10-message, ~4 KB conversation, JSON response. CPU = user + system time of
// the client process around each awaited call; overhead = a variant's p50 minus its bare client's p50.
import '../scripts/sources-only.ts';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';

const GOAL_RATIO = 1.5;
const GOAL_US = 100;
const WARMUP = 200;
// Children get the count from the parent through the environment.
const calls = Number(process.env.BENCH_CALLS ?? (process.argv[2]?.startsWith('--') ? undefined : process.argv[2]) ?? 1000);
const self = import.meta.filename;

/** One process per library; inside it the modes take turns (patch, measure, unpatch), so process-level
 * noise (CPU frequency, JIT, heap) hits every mode alike. */
const LIBRARIES = {
  openai7: ['bare', 'tokenledger'],
  openai6: ['bare', 'upstream', 'tokenledger'],
  anthropic: ['bare', 'tokenledger'],
} as const;
type Library = keyof typeof LIBRARIES;
const ROUNDS = 20;

/** 10 messages, ~4 KB in all. */
const MESSAGES = Array.from({ length: 10 }, (_, i) => ({
  role: i % 2 === 0 ? 'user' : 'assistant',
  content: `Message ${i}: ${'The customer asks about the refund policy for damaged goods. '.repeat(6)}`.slice(0, 400),
}));

async function serve(): Promise<void> {
  const { startOpenAIEndpoint } = await import('../packages/local-endpoints/src/openai.ts');
  const { startAnthropicEndpoint } = await import('../packages/local-endpoints/src/anthropic.ts');
  const openai = await startOpenAIEndpoint({ usage: { prompt: 1100, completion: 60, cached: 512 } });
  const anthropic = await startAnthropicEndpoint({ usage: { input: 600, output: 60, cacheRead: 512 } });
  // The endpoints record requests for tests; forget them so memory stays flat.
  setInterval(() => {
    openai.requests.length = 0;
    anthropic.requests.length = 0;
  }, 200).unref();
  console.log(JSON.stringify({ openai: openai.baseURL, anthropic: anthropic.baseURL }));
}

interface Patch {
  patch(): void;
  unpatch(): void;
}

interface Patchable {
  enable(): void;
  getModuleDefinitions(): { patch?: (m: any, v?: string) => unknown; unpatch?: (m: any, v?: string) => void }[];
}

/**
 * Applies an instrumentation's module patch to `mod` directly (openai 6 is installed under an alias require
 * hooks do not see). Enabled after `mod` was loaded: the patched functions pass straight through when disabled.
 */
function patchOf(instrumentation: Patchable, mod: unknown): Patch {
  instrumentation.enable();
  return {
    patch: () => {
      for (const d of instrumentation.getModuleDefinitions()) d.patch?.(mod, 'bench');
    },
    unpatch: () => {
      for (const d of instrumentation.getModuleDefinitions()) d.unpatch?.(mod, 'bench');
    },
  };
}

async function measure(lib: Library, urls: { openai: string; anthropic: string }): Promise<void> {
  // An SDK as in production: async context, batched export (to nowhere).
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const discard: SpanExporter = { export: (_s, done) => done({ code: 0 }), shutdown: async () => {} };
  const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: discard })] });
  const require = createRequire(import.meta.url);
  const patches: Record<string, Patch> = { bare: { patch() {}, unpatch() {} } };
  let call: () => Promise<unknown>;
  if (lib === 'anthropic') {
    const sdk = require('@anthropic-ai/sdk');
    const { AnthropicInstrumentation } = await import('@tokenledger/instrumentation-anthropic');
    const ours = new AnthropicInstrumentation({ enabled: false });
    ours.setTracerProvider(provider);
    patches.tokenledger = patchOf(ours as never, sdk);
    // The SDK's own tracing stays off in every mode (ours drops it), so modes differ only by our patch.
    const client = new sdk.Anthropic({ apiKey: 'k', baseURL: urls.anthropic, openTelemetry: false });
    call = () => client.messages.create({ model: 'claude-haiku-4-5-20251001', max_tokens: 256, messages: MESSAGES });
  } else {
    const mod = require(lib === 'openai7' ? 'openai' : 'openai-v6');
    const { OpenAIInstrumentation } = await import('@tokenledger/instrumentation-openai');
    const ours = new OpenAIInstrumentation({ enabled: false });
    ours.setTracerProvider(provider);
    patches.tokenledger = patchOf(ours as never, mod);
    if (lib === 'openai6') {
      const { OpenAIInstrumentation: Upstream } = await import('@opentelemetry/instrumentation-openai');
      const upstream = new Upstream({ enabled: false });
      upstream.setTracerProvider(provider);
      patches.upstream = patchOf(upstream as never, mod);
    }
    const client = new mod.OpenAI({ apiKey: 'k', baseURL: urls.openai });
    call = () => client.chat.completions.create({ model: 'gpt-4o-mini', messages: MESSAGES, max_completion_tokens: 256 });
  }
  const modes = LIBRARIES[lib];
  const samples: Record<string, number[]> = Object.fromEntries(modes.map((m) => [m, []]));
  const perRound = Math.max(1, Math.ceil(calls / ROUNDS));
  for (const m of modes) {
    patches[m]!.patch();
    for (let i = 0; i < WARMUP / modes.length; i++) await call();
    patches[m]!.unpatch();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const m of modes) {
      patches[m]!.patch();
      for (let i = 0; i < perRound; i++) {
        const before = process.cpuUsage();
        await call();
        const d = process.cpuUsage(before);
        samples[m]!.push(d.user + d.system);
      }
      patches[m]!.unpatch();
    }
  }
  await provider.shutdown();
  const result: Record<string, { p50: number; p99: number }> = {};
  for (const m of modes) {
    const s = samples[m]!.sort((a, b) => a - b);
    const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
    result[m] = { p50: at(0.5), p99: at(0.99) };
  }
  console.log(JSON.stringify(result));
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
  const urls = JSON.parse(server.line) as { openai: string; anthropic: string };
  const results: Record<string, Record<string, { p50: number; p99: number }>> = {};
  try {
    for (const lib of Object.keys(LIBRARIES) as Library[]) results[lib] = JSON.parse((await child(['--library', lib, JSON.stringify(urls)])).line);
  } finally {
    server.proc.kill();
  }
  const overhead = (lib: Library, mode: string) => results[lib]![mode]!.p50 - results[lib]!.bare!.p50;
  const upstream = overhead('openai6', 'upstream');
  console.log(`CPU per call (µs), ${calls} calls per mode (modes interleaved in ${ROUNDS} rounds) after warm-up; 10-message ~4 KB chat, JSON response`);
  console.log('| library | mode | p50 | p99 | overhead p50 | vs upstream overhead |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const lib of Object.keys(LIBRARIES) as Library[]) {
    for (const mode of LIBRARIES[lib]) {
      const r = results[lib]![mode]!;
      const o = mode === 'bare' ? '' : String(overhead(lib, mode));
      const ratio = mode === 'tokenledger' && upstream > 0 ? `${(overhead(lib, mode) / upstream).toFixed(2)}×` : '';
      console.log(`| ${lib} | ${mode} | ${r.p50} | ${r.p99} | ${o} | ${ratio} |`);
    }
  }
  const ours = overhead('openai6', 'tokenledger');
  const worst = Math.max(ours, overhead('openai7', 'tokenledger'), overhead('anthropic', 'tokenledger'));
  const met = worst < GOAL_US && (upstream <= 0 || ours <= GOAL_RATIO * upstream);
  console.log(`goal: ≤ ${GOAL_RATIO}× upstream overhead (openai6: ${upstream > 0 ? (ours / upstream).toFixed(2) : 'n/a'}×) and < ${GOAL_US} µs (worst: ${worst} µs): ${met ? 'met' : 'NOT met'}`);
}

const [flag, ...rest] = process.argv.slice(2);
if (flag === '--serve') await serve();
else if (flag === '--library') await measure(rest[0] as Library, JSON.parse(rest[1]!));
else await main();
