// The documentation that is derived from the code stays derived: the metrics and attributes reference is what
// scripts/generate-reference.ts writes from packages/semconv and the collector's registry.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REFERENCE_FILE, renderReference } from '../scripts/generate-reference.ts';

describe('docs', () => {
  it('docs/metrics-and-attributes.md is current (regenerate with npm run docs)', () => {
    const committed = readFileSync(REFERENCE_FILE, 'utf8');
    expect(committed).toContain('`tokenledger_cost_usd_total` | counter |');
    expect(committed).toBe(renderReference());
  });
});
