import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as semconv from '../src/index.ts';

const root = join(import.meta.dirname, '../../..');
const sourceDirs = ['packages', 'collector'];

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'test' || name === 'fixtures') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else if (path.endsWith('.ts') && path.includes(`${join('/', 'src')}/`)) yield path;
  }
}

describe('semconv', () => {
  it('is the only source file that spells a contract name', () => {
    const names = (Object.values(semconv) as unknown[]).filter(
      (v): v is string => typeof v === 'string' && /^(tokenledger[._]|gen_ai\.)/.test(v),
    );
    expect(names.length).toBeGreaterThan(50);
    const offenders: string[] = [];
    for (const dir of sourceDirs) {
      for (const file of sourceFiles(join(root, dir))) {
        if (file.includes(join('packages', 'semconv'))) continue;
        const text = readFileSync(file, 'utf8');
        for (const name of names) {
          if (text.includes(`'${name}'`) || text.includes(`"${name}"`) || text.includes(`\`${name}\``)) {
            offenders.push(`${relative(root, file)}: ${name}`);
          }
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('names every metric of the collector table with the tokenledger_ prefix', () => {
    const metricNames = Object.entries(semconv)
      .filter(([k]) => k.startsWith('METRIC_') && !k.startsWith('METRIC_GEN_AI'))
      .map(([, v]) => v as string);
    expect(metricNames.every((n) => /^tokenledger_[a-z_]+$/.test(n))).toBe(true);
    expect(metricNames).toContain('tokenledger_outcome_cost_usd');
  });
});
