// The documentation that is derived from the code stays derived: the metrics and attributes reference is what
// scripts/generate-reference.ts writes from packages/semconv and the collector's registry, and the configuration
// reference lists exactly the TOKENLEDGER_* variables the code reads.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REFERENCE_FILE, renderReference } from '../scripts/generate-reference.ts';

const root = join(import.meta.dirname, '..');

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'test') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (path.endsWith('.ts')) yield path;
  }
}

/** Variable names spelled as string literals (a name is read, not just mentioned, where it is quoted whole). */
function variablesIn(text: string, quoted: boolean): Set<string> {
  const pattern = quoted ? /['"`](TOKENLEDGER_[A-Z0-9_]*[A-Z0-9])['"`]/g : /\b(TOKENLEDGER_[A-Z0-9_]*[A-Z0-9])\b/g;
  return new Set([...text.matchAll(pattern)].map((m) => m[1]!));
}

describe('docs', () => {
  it('docs/metrics-and-attributes.md is current (regenerate with npm run docs)', () => {
    const committed = readFileSync(REFERENCE_FILE, 'utf8');
    expect(committed).toContain('`tokenledger_cost_usd_total` | counter |');
    expect(committed).toBe(renderReference());
  });

  it('docs/configuration.md lists every TOKENLEDGER_* variable the code reads, and no other', () => {
    const read = new Set<string>();
    for (const dir of ['packages', 'collector', 'demo']) {
      for (const file of sources(join(root, dir))) for (const v of variablesIn(readFileSync(file, 'utf8'), true)) read.add(v);
    }
    const documented = variablesIn(readFileSync(join(root, 'docs/configuration.md'), 'utf8'), false);
    expect(read.size).toBeGreaterThan(40);
    expect([...read].filter((v) => !documented.has(v)).sort()).toEqual([]);
    expect([...documented].filter((v) => !read.has(v)).sort()).toEqual([]);
  });
});
