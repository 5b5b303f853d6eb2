// `tokenledger outcome`, `tokenledger traces` and the pending section of `tokenledger report`, run as commands
// against a collector with outcome keys.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Collector } from '../src/collector.ts';
import { root, seriesValue, span, testCollector, traceId } from './helpers.ts';

const exec = promisify(execFile);
const bin = join(import.meta.dirname, '../src/cli/tokenledger.ts');
const TOKEN = 'cli-token';
const env = { ...process.env, TOKENLEDGER_AUTH_TOKEN: TOKEN };
let collector: Collector;
let base = '';

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await exec(process.execPath, [bin, ...args, '--url', base], { env });
    return { code: 0, ...r };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const call = (id: string, input: number) =>
  span(id, { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': 0 });

beforeAll(async () => {
  const t = testCollector({ TOKENLEDGER_AUTH_TOKEN: TOKEN, TOKENLEDGER_TRACE_IDLE_MS: '1000', TOKENLEDGER_JAEGER_URL: 'http://jaeger:16686' });
  collector = t.collector;
  const { http } = await collector.listen();
  collector.finaliser.stop();
  base = `http://127.0.0.1:${http.port}`;
  const who = { 'tokenledger.tenant': 'acme', 'tokenledger.workflow': 'support' };
  await collector.sink.accept([
    root(traceId(0x51), { ...who, 'tokenledger.outcome.key': 'TICKET-42' }), call(traceId(0x51), 10_000), // $0.0015
    root(traceId(0x52), { ...who, 'tokenledger.outcome.key': 'TICKET-42' }), call(traceId(0x52), 20_000), // $0.003
    root(traceId(0x53), { ...who, 'tokenledger.outcome.key': 'TICKET-43' }), call(traceId(0x53), 1000), // $0.00015
  ]);
  t.clock.advance(1_000);
  collector.finaliser.tick();
});
afterAll(() => collector.close());

describe('outcome commands', () => {
  it('tokenledger report lists the pending outcome keys under the table', async () => {
    const r = await cli('report', '--no-forecast');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Pending outcomes: 2 outcome keys waiting for a report, $0.00465 spent so far');
    expect(r.stdout).toMatch(/^TICKET-42\s+acme\s+support\s+2\s+\$0\.00450\s/m);
    expect(r.stdout).toMatch(/^TICKET-43\s+acme\s+support\s+1\s+\$0\.000150\s/m);
  });

  it('tokenledger outcome records the outcome once, says so on a repeat, and exits 1 on a conflict', async () => {
    const first = await cli('outcome', '--key', 'TICKET-42', '--outcome', 'ticket_resolved', '--success');
    expect(first).toMatchObject({ code: 0 });
    expect(first.stdout).toMatch(/^recorded: TICKET-42 → ticket_resolved \(success\) at 2026-11-22T12:00:01\.000Z$/m);
    expect((await cli('outcome', '--key', 'TICKET-42', '--outcome', 'ticket_resolved', '--success')).stdout).toMatch(/^already recorded: /);
    const conflict = await cli('outcome', '--key', 'TICKET-42', '--outcome', 'ticket_resolved', '--no-success');
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('409: outcome key "TICKET-42": it already has outcome "ticket_resolved" (success true)');
    expect((await cli('outcome', '--key', 'TICKET-42')).code).toBe(2);
    collector.finaliser.tick();
    expect(seriesValue(collector, 'tokenledger_outcomes_total', { outcome: 'ticket_resolved', success: 'true' })).toBe(1);
    expect(seriesValue(collector, 'tokenledger_outcome_cost_usd', { outcome: 'ticket_resolved' })).toBeCloseTo(0.0045, 12);
  });

  it('tokenledger traces lists the traces behind the number, dearest first, with their Jaeger links', async () => {
    const r = await cli('traces', '--sort', 'cost', '--workflow', 'support');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^start\s+trace\s+tenant\s+workflow\s+outcome\s+calls\s+tokens\s+cost\s+retry\s+models$/);
    expect(lines[2]).toMatch(new RegExp(`${traceId(0x52)}\\s+acme\\s+support\\s+ticket_resolved \\(TICKET-42\\)\\s+1\\s+20000\\s+\\$0\\.00300\\s+\\$0\\s+gpt-4o-mini$`));
    expect(lines[4]).toMatch(new RegExp(`${traceId(0x53)}\\s+acme\\s+support\\s+pending \\(TICKET-43\\)`));
    expect(r.stdout).toContain(`http://jaeger:16686/trace/${traceId(0x52)}`);
    const json = JSON.parse((await cli('traces', '--key', 'TICKET-43', '--json')).stdout) as { traces: { traceId: string }[] };
    expect(json.traces.map((t) => t.traceId)).toEqual([traceId(0x53)]);
    expect((await cli('traces', '--sort', 'price')).code).toBe(2);
  });
});
