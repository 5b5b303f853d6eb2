// The curated catalog against the maintained source (@pydantic/genai-prices): every entry and alias, each
// disagreement either reviewed in cross-check-exceptions.json (with a reason and a source) or a failure.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG_EXCEPTIONS_URL, PriceBook, crossCheck, describeDifference, judge, readExceptions, type ModelPrice } from '../src/index.ts';

const curated = PriceBook.fromCatalog({ maintained: false });
const rows = crossCheck(curated.models());
const exceptions = readExceptions(CATALOG_EXCEPTIONS_URL);
const { verdicts, orphans } = judge(rows, exceptions);

describe('cross-check: catalog vs @pydantic/genai-prices', () => {
  it('compares every entry and every alias', () => {
    const aliases = curated.models().reduce((n, m) => n + (m.aliases?.length ?? 0), 0);
    expect(rows).toHaveLength(curated.models().length + aliases);
    // Most of the catalog has a counterpart that agrees; what differs is listed and explained below.
    expect(rows.filter((r) => r.status === 'agrees').length).toBeGreaterThan(rows.length / 2);
  });

  it('every disagreement is a reviewed exception (with a reason and a source), and no exception is stale', () => {
    const failures = verdicts.filter((v) => v.outcome !== 'ok').map((v) => `${v.outcome}: ${v.row.key} — ${v.detail}`);
    expect(failures).toEqual([]);
    expect(orphans.map((o) => o.key)).toEqual([]);
  });

  it('the exceptions cover the regional, GovCloud, 1-hour, long-context and latency-optimized prices the maintained source lacks', () => {
    const keys = exceptions.map((e) => e.key);
    for (const k of ['aws.bedrock/amazon.nova-lite-v1:0[eu]', 'aws.bedrock/anthropic.claude-haiku-4-5-20251001-v1:0[us-gov]',
      'aws.bedrock/anthropic.claude-sonnet-4-5-20250929-v1:0', 'aws.bedrock/amazon.nova-pro-v1:0@latency-optimized', 'anthropic/claude-sonnet-4-20250514']) {
      expect(keys).toContain(k);
    }
  });
});

describe('the cross-check can fail', () => {
  const wrong: ModelPrice = { id: 'gpt-4o-2024-05-13', provider: 'openai', inputCostPerToken: 2.5e-6, outputCostPerToken: 10e-6, source: 'test', checked: '2026-12-04', origin: 'catalog' };

  it('a stale price no exception explains is reported with what differs', () => {
    const [row] = crossCheck([wrong]);
    expect(row!.status).toBe('differs');
    expect(describeDifference(row!)).toBe('openai/gpt-4o-2024-05-13: input $2.5/M vs $5/M; output $10/M vs $15/M; cache_read $2.5/M vs $5/M; cache_write $2.5/M vs $5/M; cache_write_1h $2.5/M vs $5/M');
    expect(judge([row!], []).verdicts[0]!.outcome).toBe('unexplained');
  });

  it('an exception whose reviewed values no longer match the maintained source is stale', () => {
    const [row] = crossCheck([wrong]);
    const reviewed = { key: row!.key, status: 'differs' as const, fields: { input: 4e-6, output: 15e-6 }, reason: 'a reason long enough', source: 'a source long enough' };
    expect(judge([row!], [reviewed]).verdicts[0]).toMatchObject({ outcome: 'stale' });
  });

  it('an exception for an entry that now agrees is stale, and one for no entry is an orphan', () => {
    const right = { ...wrong, inputCostPerToken: 5e-6, outputCostPerToken: 15e-6 };
    const [row] = crossCheck([right]);
    expect(row!.status).toBe('agrees');
    const old = { key: row!.key, status: 'differs' as const, fields: { input: 5e-6 }, reason: 'a reason long enough', source: 'a source long enough' };
    expect(judge([row!], [old]).verdicts[0]!.outcome).toBe('stale');
    expect(judge([row!], [{ ...old, key: 'openai/gone' }]).orphans).toHaveLength(1);
  });

  it('a model the maintained source lacks, or would price by a neighbour, must be listed as missing', () => {
    const titan: ModelPrice = { id: 'amazon.titan-embed-text-v3:0', provider: 'aws.bedrock', inputCostPerToken: 1e-8, source: 'test', checked: '2026-12-04', origin: 'catalog' };
    const [row] = crossCheck([titan]);
    expect(row).toMatchObject({ status: 'missing' });
    expect(row!.note).toMatch(/refused/);
    expect(judge([row!], []).verdicts[0]!.outcome).toBe('unexplained');
  });

  it('a malformed exceptions file is rejected with the entry named', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tokenledger-xc-'));
    const bad = join(dir, 'exceptions.json');
    writeFileSync(bad, JSON.stringify({ exceptions: [{ key: 'openai/x', status: 'differs', reason: 'short', source: 'a source long enough' }] }));
    try {
      expect(() => readExceptions(bad)).toThrow(/exceptions\[0\] \(openai\/x\): "reason" must say why/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
