// `tokenledger prices lookup | check | validate`, run as a user runs them.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '../src/cli/tokenledger.ts');
const dir = mkdtempSync(join(tmpdir(), 'tokenledger-prices-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, TOKENLEDGER_PRICES_FILE: '' };
type Result = { stdout: string; stderr: string; code: number };
async function prices(...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, 'prices', ...args], { env });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const e = err as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe('tokenledger prices lookup', () => {
  it('names the entry, its source and its prices (profile-aware)', async () => {
    const { stdout, code } = await prices('lookup', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', '--provider', 'aws.bedrock');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^looked up as\s+anthropic\.claude-sonnet-4-5-20250929-v1:0 \(provider aws\.bedrock, profile global, latency standard\)$/m);
    expect(stdout).toMatch(/^source\s+catalog:\d{4}-\d{2}-\d{2} \(the bundled catalog\)$/m);
    expect(stdout).toMatch(/^entry\s+anthropic\.claude-sonnet-4-5-20250929-v1:0 — applies to profiles global$/m);
    expect(stdout).toMatch(/^prices\s+input \$3, output \$15, cache read \$0\.3, cache write \(5 min\) \$3\.75, cache write \(1 h\) \$6 per 1M tokens$/m);
    expect(stdout).toMatch(/^other entry\s+every call of this model no more specific entry claims: input \$3\.3, output \$16\.5/m);
  });

  it('says when the maintained source prices it, and --json gives the same', async () => {
    const text = await prices('lookup', 'gpt-5.4', '--provider', 'openai');
    expect(text.stdout).toMatch(/^source\s+genai-prices:0\.1\.8 \(the maintained source: the catalog has no entry for it\)$/m);
    expect(text.stdout).toMatch(/above 271999 input tokens: input \$5, output \$22\.5/);
    const json = JSON.parse((await prices('lookup', 'gpt-5.4', '--provider', 'openai', '--json')).stdout);
    expect(json).toMatchObject({ layer: 'maintained', source: 'genai-prices:0.1.8', entry: { id: 'gpt-5.4', inputCostPerToken: 2.5e-6 } });
  });

  it('exits 1 for an unpriced id and says why the maintained source’s match was refused', async () => {
    const { stdout, code } = await prices('lookup', 'bedrock/amazon.titan-embed-text-v3:0');
    expect(code).toBe(1);
    expect(stdout).toMatch(/^source\s+unpriced — aws\/amazon\.titan-embed-text-v1 matches by a shorter name/m);
  });

  it('takes the region and latency of the call', async () => {
    const gov = await prices('lookup', 'anthropic.claude-haiku-4-5-20251001-v1:0', '--provider', 'aws.bedrock', '--region', 'us-gov-west-1');
    expect(gov.stdout).toMatch(/^prices\s+input \$1\.2, output \$6,/m);
    const fast = await prices('lookup', 'us.amazon.nova-pro-v1:0', '--provider', 'aws.bedrock', '--latency', 'optimized');
    expect(fast.stdout).toMatch(/^prices\s+input \$1, output \$4 per 1M tokens$/m);
  });
});

describe('tokenledger prices check', () => {
  it('the bundled catalog: every difference is explained (exit 0)', async () => {
    const { stdout, code } = await prices('check');
    expect(stdout).toMatch(/^catalog:\d{4}-\d{2}-\d{2} and your overrides against genai-prices:0\.1\.8: \d+ entries and aliases/m);
    expect(stdout).toMatch(/^every difference is explained\.$/m);
    expect(code).toBe(0);
  });

  it('an override that disagrees with the maintained source fails until your exceptions file explains it', async () => {
    const pricesFile = file('negotiated.json', { models: [{ id: 'gpt-4o', provider: 'openai', input_cost_per_token: 2e-6, output_cost_per_token: 1e-5, cache_read_input_token_cost: 1.25e-6 }] });
    const failed = await prices('check', '--prices-file', pricesFile);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/^UNEXPLAINED openai\/gpt-4o \(your prices file\): openai\/gpt-4o: input \$2\/M vs \$2\.5\/M/m);
    const exceptions = file('ours.json', { exceptions: [{ key: 'openai/gpt-4o', status: 'differs',
      fields: { input: 2.5e-6, cache_write: 2.5e-6, cache_write_1h: 2.5e-6 }, reason: 'negotiated enterprise rate', source: 'contract 2026-07 §4' }] });
    const explained = await prices('check', '--prices-file', pricesFile, '--exceptions', exceptions, '--json');
    expect(explained.code).toBe(0);
    expect(JSON.parse(explained.stdout)).toMatchObject({ maintained: 'genai-prices:0.1.8', failures: [], orphanedExceptions: [] });
  });
});

describe('tokenledger prices validate', () => {
  it('names the entry and the key of the first problem', async () => {
    const bad = file('bad.json', { models: [{ id: 'ok', input_cost_per_token: 1e-6 }, { id: 'regional', profiles: ['moon'], input_cost_per_token: 1e-6 }] });
    const { stderr, code } = await prices('validate', bad);
    expect(code).toBe(1);
    expect(stderr).toContain(`price file ${bad}: models[1] ("regional"): key "profiles": unknown profile "moon"`);
  });

  it('summarises a valid file', async () => {
    const good = file('good.json', {
      models: [{ id: 'my-finetune', input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 }],
      provisioned: [{ id: 'pt', match: 'provisioned-model/abc$', model_units: 1, hourly_usd_per_model_unit: 20 }],
    });
    const { stdout, code } = await prices('validate', good);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(`${good}: valid — 1 models, 0 instances, 1 provisioned throughputs`);
  });

  it('lookup and check refuse a malformed TOKENLEDGER_PRICES_FILE with the same message (exit 2)', async () => {
    const bad = file('bad2.json', { models: [{ id: 'm', input_cost_per_token: -1 }] });
    const { stderr, code } = await prices('lookup', 'gpt-4o', '--prices-file', bad);
    expect(code).toBe(2);
    expect(stderr).toContain('models[0] ("m"): key "input_cost_per_token" must be a finite number >= 0');
  });
});
