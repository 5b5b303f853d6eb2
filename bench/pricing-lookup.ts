// Cost of pricing on the hot path: memoised lookup and cost() against a plain Map.get baseline, cold
// (first-seen) lookups in the catalog and in the maintained source (@pydantic/genai-prices), token
// estimation, and what loading the maintained source costs a process the first time the catalog misses.
// Run: node bench/pricing-lookup.ts
import '../scripts/sources-only.ts';
import { spawnSync } from 'node:child_process';
import { PriceBook, approximateTokens, estimateTokens } from '@tokenledger/pricing';

const book = PriceBook.fromCatalog();
const ids = [
  'us.anthropic.claude-3-5-haiku-20241022-v1:0', 'gpt-4o-mini-2024-07-18', 'claude-sonnet-4-5-20250929',
  'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0', 'o3-mini', 'meta.llama3-3-70b-instruct-v1:0',
];
const baseline = new Map(ids.map((id) => [id, book.lookup(id)]));
const usage = { inputTokens: 4_000, outputTokens: 300, cacheReadInputTokens: 2_048 };
const prompt = 'Summarise the customer ticket below in two sentences and classify its urgency. '.repeat(3).slice(0, 200);
const regional = { provider: 'aws.bedrock', region: 'eu-west-1', latency: 'standard' };
let sink = 0;

function bench(name: string, iterations: number, fn: (i: number) => unknown): [string, number] {
  for (let i = 0; i < Math.min(iterations, 10_000); i++) fn(i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (fn(i)) sink++;
  return [name, Number(process.hrtime.bigint() - start) / iterations];
}

book.lookup('gpt-5.2', 'openai'); // the first miss loads the package; measured apart below

const rows = [
  bench('baseline: Map.get(id)', 2_000_000, (i) => baseline.get(ids[i % ids.length]!)),
  bench('lookup (memoised)', 2_000_000, (i) => book.lookup(ids[i % ids.length]!, i % 2 ? 'aws.bedrock' : undefined)),
  bench('lookup (memoised, with region and latency)', 2_000_000, (i) => book.resolve(ids[i % ids.length]!, regional)),
  bench('cost (memoised lookup + arithmetic)', 1_000_000, (i) => book.cost(ids[i % ids.length]!, usage).totalUsd),
  // First sight of an id (the memo is per id): priced by the catalog, by the maintained source, or by neither.
  bench('lookup, first sight of an id the catalog prices', 20_000, (i) => book.lookup(`us.amazon.nova-pro-v1:${i}`, 'aws.bedrock')),
  bench('lookup, first sight of an id the maintained source prices', 20_000, (i) => book.lookup(`us.qwen.qwen3-32b-v1:${i}`, 'aws.bedrock')),
  bench('lookup, first sight of an id nobody prices (unpriced)', 20_000, (i) => book.lookup(`gpt-4o-2024-08-${i}`, 'openai')),
  bench('approximateTokens(200 chars)', 2_000_000, () => approximateTokens(prompt.length)),
  bench('estimateTokens(200 chars, o200k_base)', 20_000, () => estimateTokens(prompt)),
];
const base = rows[0]![1];
console.log('| operation | ns/op | × baseline |\n|---|---:|---:|');
for (const [name, ns] of rows) console.log(`| ${name} | ${ns.toFixed(0)} | ${(ns / base).toFixed(1)} |`);

// Loading @pydantic/genai-prices: a fresh process each time, so the module is not cached.
const script = `
  const { PriceBook } = await import(${JSON.stringify(new URL('../packages/pricing/src/index.ts', import.meta.url).href)});
  const book = PriceBook.fromCatalog();
  book.lookup('gpt-4o', 'openai');
  globalThis.gc?.(); const heap0 = process.memoryUsage().heapUsed; const t0 = performance.now();
  book.lookup('gpt-5.2', 'openai');
  const ms = performance.now() - t0; globalThis.gc?.();
  console.log(JSON.stringify({ ms, heapMb: (process.memoryUsage().heapUsed - heap0) / 1e6 }));`;
const runs = Array.from({ length: 5 }, () => {
  const out = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out.stdout) as { ms: number; heapMb: number };
}).sort((a, b) => a.ms - b.ms);
const mid = runs[2]!;
console.log(`\nfirst catalog miss (loads @pydantic/genai-prices): median ${mid.ms.toFixed(1)} ms of 5 fresh processes ` +
  `(${runs[0]!.ms.toFixed(1)}–${runs[4]!.ms.toFixed(1)} ms), +${mid.heapMb.toFixed(1)} MB heap`);
if (sink < 0) console.log(sink);
