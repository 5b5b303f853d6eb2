import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { approximateTokens, estimateTokens } from '../src/index.ts';

describe('estimateTokens (o200k_base)', () => {
  it('counts a known string', () => {
    // o200k_base: "Hello" "," " world" "!" → 4 tokens.
    expect(estimateTokens('Hello, world!')).toBe(4);
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('The quick brown fox jumps over the lazy dog.')).toBe(10);
  });
  it('counts special-token text as text instead of throwing', () => {
    expect(estimateTokens('a <|endoftext|> b')).toBeGreaterThan(3);
  });
  it('approximateTokens is ceil(chars/4)', () => {
    expect(approximateTokens(0)).toBe(0);
    expect(approximateTokens(1)).toBe(1);
    expect(approximateTokens(8)).toBe(2);
    expect(approximateTokens(9)).toBe(3);
  });
  it('does not load gpt-tokenizer until the first estimate', () => {
    const script = `
      import { createRequire } from 'node:module';
      const pricing = await import(${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)});
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('gpt-tokenizer'));
      pricing.PriceBook.fromCatalog().cost('gpt-4o', { inputTokens: 1, outputTokens: 1 });
      const before = loaded();
      pricing.estimateTokens('hello');
      console.log(JSON.stringify({ before, after: loaded() }));`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual({ before: false, after: true });
  });
});
