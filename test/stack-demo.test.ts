// The compose file's demo command, run here as compose would run it in its container (same command,
// same environment but the gateway's address): the demo app, preloaded, feeds a TokenLedger collector
// over OTLP, and its workflows come out priced, as finalised outcomes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningCollector, runComposeDemo, startCollector } from './stack-helpers.ts';

let tl: RunningCollector;
let exit: { code: number | null; output: string };

beforeAll(async () => {
  tl = await startCollector();
  exit = await runComposeDemo(tl);
});

afterAll(async () => {
  await tl?.close();
});

describe('the compose demo service', () => {
  it('runs to completion and its workflows reach the collector as priced, finalised outcomes', async () => {
    expect(exit.code, exit.output).toBe(0);
    const rows = ((await (await fetch(`${tl.base}/api/v1/outcomes?group_by=workflow`)).json()) as { rows: { group: { workflow: string }; outcomes: number; successes: number; costUsd: number }[] }).rows;
    expect(rows.length, JSON.stringify(rows)).toBeGreaterThanOrEqual(2);
    for (const r of rows) {
      expect(r.outcomes, r.group.workflow).toBeGreaterThan(0);
      expect(r.costUsd, r.group.workflow).toBeGreaterThan(0);
    }
    expect(rows.some((r) => r.successes > 0)).toBe(true);
  });
});
