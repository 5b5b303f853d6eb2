import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { estimateTokens } from '@tokenledger/pricing';
import { afterAll, describe, expect, it } from 'vitest';
import { runBatchImport } from '../src/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'tl-batch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODEL = 'us.anthropic.claude-3-5-haiku-20241022-v1:0';
const input = (text: string) => ({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, messages: [{ role: 'user', content: text }] });
const lines = [
  { recordId: 'R1', modelInput: input('Classify: refund'), modelOutput: { id: 'm1', type: 'message', content: [{ type: 'text', text: 'refund' }], usage: { input_tokens: 1000, output_tokens: 100, cache_read_input_tokens: 2000, cache_creation_input_tokens: 0 } } },
  { recordId: 'R2', modelInput: input('Classify: shipping'), modelOutput: { id: 'm2', type: 'message', content: [{ type: 'text', text: 'shipping' }], usage: { input_tokens: 500, output_tokens: 50 } } },
  { recordId: 'R3', modelInput: input('Classify: other'), error: { errorCode: 400, errorMessage: 'Malformed input' } },
  { recordId: 'R4', modelInput: { prompt: 'Summarise this.' }, modelOutput: { outputs: [{ text: 'A summary.' }] } },
];

async function run(args: string[], records: unknown[] = lines) {
  const file = join(dir, `${Math.random().toString(36).slice(2)}.jsonl.out`);
  writeFileSync(file, `${records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n')}\n`);
  // Keeps what it got after shutdown (the in-memory exporter forgets on shutdown).
  const exported: ReadableSpan[] = [];
  const exporter: SpanExporter = { export: (spans, done) => { exported.push(...spans); done({ code: 0 }); }, shutdown: async () => {} };
  const out: string[] = [];
  const err: string[] = [];
  const code = await runBatchImport(['import', file, ...args], { exporter, out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, spans: exported, out, err, file };
}

describe('tokenledger batch import', () => {
  it('emits one priced span per record at batch prices, under one trace with the job attribution', async () => {
    const { code, spans, out } = await run(['--model', MODEL, '--job', 'arn:aws:bedrock:us-east-1:123:model-invocation-job/abc', '--tenant', 'acme', '--feature', 'triage', '--workflow', 'nightly']);
    expect(code).toBe(0);
    const root = spans.find((s) => s.name.startsWith('batch '))!;
    const records = spans.filter((s) => s !== root);
    expect(records).toHaveLength(4);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(records.every((s) => s.parentSpanContext?.spanId === root.spanContext().spanId)).toBe(true);
    for (const s of [root, ...records]) expect(s.attributes).toMatchObject({ 'tokenledger.tenant': 'acme', 'tokenledger.feature': 'triage', 'tokenledger.workflow': 'nightly' });
    expect(root.attributes['tokenledger.cost.usd']).toBeUndefined(); // the records carry the cost

    const r1 = records.find((s) => s.attributes['tokenledger.batch.record_id'] === 'R1')!;
    expect(r1.attributes).toMatchObject({
      'gen_ai.request.model': MODEL,
      'gen_ai.usage.input_tokens': 3000, // cache reads included
      'gen_ai.usage.cache_read.input_tokens': 2000,
      'gen_ai.usage.output_tokens': 100,
      'tokenledger.price.tier': 'batch',
    });
    // Claude 3.5 Haiku on Bedrock at 50% batch: input 0.40, cache read 0.04, output 2.00 USD per 1M tokens.
    const r1Cost = 1000 * 0.4e-6 + 2000 * 0.04e-6 + 100 * 2e-6;
    expect(r1.attributes['tokenledger.cost.usd']).toBeCloseTo(r1Cost, 12);
    const r2Cost = 500 * 0.4e-6 + 50 * 2e-6;

    const r3 = records.find((s) => s.attributes['tokenledger.batch.record_id'] === 'R3')!;
    expect(r3.status.code).toBe(2);
    expect(r3.attributes['gen_ai.usage.input_tokens']).toBeUndefined();

    const r4 = records.find((s) => s.attributes['tokenledger.batch.record_id'] === 'R4')!;
    expect(r4.attributes['tokenledger.usage.estimated']).toBe(true);
    expect(r4.attributes['gen_ai.usage.output_tokens']).toBe(estimateTokens('A summary.'));
    const r4Cost = Number(r4.attributes['tokenledger.cost.usd']);
    expect(r4Cost).toBeGreaterThan(0);

    expect(out[0]).toContain('4 records (1 failed, 1 estimated, 0 unpriced)');
    expect(out[0]).toContain(`${(r1Cost + r2Cost + r4Cost).toFixed(6)} USD`);
  });

  it('reports an unknown model as unpriced, never free', async () => {
    const { code, spans, out } = await run(['--model', 'acme.unknown-model-v1'], lines.slice(0, 1));
    expect(code).toBe(0);
    const record = spans.find((s) => s.attributes['tokenledger.batch.record_id'] === 'R1')!;
    expect(record.attributes['tokenledger.cost.source']).toBe('unpriced');
    expect(out[0]).toContain('1 unpriced');
  });

  it('fails with usage on missing arguments and names the line of a bad record', async () => {
    expect((await run([])).code).toBe(2);
    const bad = await run(['--model', MODEL], [lines[0]!, 'not json']);
    expect(bad.code).toBe(1);
    expect(bad.err[0]).toMatch(/\.jsonl\.out:2: not a JSON record/);
  });
});
