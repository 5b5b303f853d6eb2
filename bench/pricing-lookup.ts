// Cost of pricing on the hot path: memoised lookup and cost() against a plain Map.get baseline,
// cold (first-seen) lookups, and token estimation. Run: node bench/pricing-lookup.ts
import { PriceBook, approximateTokens, estimateTokens } from '@tokenledger/pricing';

const book = PriceBook.fromCatalog();
const ids = [
  'us.anthropic.claude-3-5-haiku-20241022-v1:0', 'gpt-4o-mini-2024-07-18', 'claude-sonnet-4-5-20250929',
  'arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0', 'o3-mini', 'meta.llama3-3-70b-instruct-v1:0',
];
const baseline = new Map(ids.map((id) => [id, book.lookup(id)]));
const usage = { inputTokens: 4_000, outputTokens: 300, cacheReadInputTokens: 2_048 };
const prompt = 'Summarise the customer ticket below in two sentences and classify its urgency. '.repeat(3).slice(0, 200);
let sink = 0;

function bench(name: string, iterations: number, fn: (i: number) => unknown): [string, number] {
  for (let i = 0; i < Math.min(iterations, 10_000); i++) fn(i); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (fn(i)) sink++;
  return [name, Number(process.hrtime.bigint() - start) / iterations];
}

const rows = [
  bench('baseline: Map.get(id)', 2_000_000, (i) => baseline.get(ids[i % ids.length]!)),
  bench('lookup (memoised)', 2_000_000, (i) => book.lookup(ids[i % ids.length]!, i % 2 ? 'aws.bedrock' : undefined)),
  bench('cost (memoised lookup + arithmetic)', 1_000_000, (i) => book.cost(ids[i % ids.length]!, usage).totalUsd),
  bench('lookup, first sight of an id (cold)', 20_000, (i) => book.lookup(`gpt-4o-2024-08-${i}`)),
  bench('approximateTokens(200 chars)', 2_000_000, () => approximateTokens(prompt.length)),
  bench('estimateTokens(200 chars, o200k_base)', 20_000, () => estimateTokens(prompt)),
];
const base = rows[0]![1];
console.log('| operation | ns/op | × baseline |\n|---|---:|---:|');
for (const [name, ns] of rows) console.log(`| ${name} | ${ns.toFixed(0)} | ${(ns / base).toFixed(1)} |`);
if (sink < 0) console.log(sink);
