// The compose file's demo command, run here as compose would run it in its container (same command,
// same environment but the gateway's address): the demo app, preloaded, feeds a TokenLedger collector
// over OTLP, and its workflows come out priced, as finalised outcomes.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { finalisedTraces, type RunningCollector, startCollector, until } from './stack-helpers.ts';

const repo = join(import.meta.dirname, '..');
const demo = (parse(readFileSync(join(repo, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { command: string[]; environment: Record<string, string> }> }).services.demo!;
let tl: RunningCollector;
let exit: { code: number | null; output: string };

beforeAll(async () => {
  tl = await startCollector();
  const [cmd, ...args] = demo.command;
  const child = spawn(cmd === 'node' ? process.execPath : cmd!, args, {
    cwd: repo,
    env: { ...process.env, ...demo.environment, OTEL_EXPORTER_OTLP_ENDPOINT: tl.otlp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
  exit = await new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
  await until('the demo\'s traces finalised', async () => (await finalisedTraces(tl.base)) > 0 && (await (await fetch(`${tl.base}/metrics`)).text()).includes('tokenledger_collector_traces_open 0'));
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
