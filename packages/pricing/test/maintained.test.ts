import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('@pydantic/genai-prices is loaded lazily', () => {
  it('not on import, not for a model the catalog prices; on the first model the catalog lacks', () => {
    const script = `
      import { createRequire } from 'node:module';
      const pricing = await import(${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)});
      const loaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => k.includes('genai-prices'));
      const afterImport = loaded();
      const book = pricing.PriceBook.fromCatalog();
      const curated = book.cost('gpt-4o', { inputTokens: 1, outputTokens: 1 }, { provider: 'openai' }).source;
      const afterCatalogHit = loaded();
      const maintained = book.cost('gpt-5.2', { inputTokens: 1, outputTokens: 1 }, { provider: 'openai' }).source;
      console.log(JSON.stringify({ afterImport, curated, afterCatalogHit, maintained, afterMiss: loaded() }));`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual({
      afterImport: false, curated: expect.stringMatching(/^catalog:/), afterCatalogHit: false, maintained: 'genai-prices:0.1.8', afterMiss: true,
    });
  });

  it('without the package, models the catalog lacks stay unpriced and nothing throws', () => {
    // A resolve hook (it applies to require too) makes the package unresolvable, as when it is missing from an install.
    const script = `
      import { registerHooks } from 'node:module';
      registerHooks({ resolve(s, c, next) { if (s.includes('genai-prices')) throw new Error('gone'); return next(s, c); } });
      const pricing = await import(${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)});
      const book = pricing.PriceBook.fromCatalog();
      console.log(JSON.stringify([book.cost('gpt-5.2', { inputTokens: 1, outputTokens: 1 }, { provider: 'openai' }).source,
        book.cost('gpt-4o', { inputTokens: 1, outputTokens: 1 }, { provider: 'openai' }).priced]));`;
    const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual(['unpriced', true]);
  });
});
