// Outcomes that span traces and arrive later, on an injected clock: a conversation of several traces over
// simulated hours resolved by a later POST (cost per outcome computed by hand), a key that expires unresolved, a
// duplicate and a conflicting report, an outcome reported while a trace of the key is still open, an outcome on a
// keyed trace itself, and a full key index.
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../src/collector.ts';
import { FakeClock, root, seriesValue, span, testCollector, traceId } from './helpers.ts';

const HOUR = 3_600_000;
const MINI = 'gpt-4o-mini';
// gpt-4o-mini: $0.15 per 1M input tokens, $0.60 per 1M output tokens.
const price = (input: number, output: number) => input * 0.15e-6 + output * 0.6e-6;

let collector: Collector | undefined;
let base = '';
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

async function start(env: Record<string, string> = {}, clock = new FakeClock()): Promise<FakeClock> {
  const t = testCollector({ TOKENLEDGER_TRACE_IDLE_MS: '1000', TOKENLEDGER_OUTCOME_WINDOW: '1d', ...env }, clock);
  collector = t.collector;
  const { http } = await collector.listen();
  // The test drives time: no timer finalises behind its back.
  collector.finaliser.stop();
  base = `http://127.0.0.1:${http.port}`;
  return t.clock;
}

let n = 0;
/** One trace: a root (with `attrs`) and a gpt-4o-mini call; finalised once the clock passes the idle time. */
async function trace(attrs: Record<string, string | boolean>, input: number, output: number, statusCode: 0 | 1 | 2 = 1): Promise<string> {
  const id = traceId(0xabc000 + ++n);
  await collector!.sink.accept([
    root(id, { 'tokenledger.tenant': 'acme', 'tokenledger.feature': 'support', 'tokenledger.workflow': 'ticket', ...attrs }, { statusCode }),
    span(id, { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': MINI, 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output }),
  ]);
  return id;
}

function settle(clock: FakeClock, ms = 1_000): void {
  clock.advance(ms);
  collector!.finaliser.tick();
}

async function post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function get<T>(path: string): Promise<T> {
  const res = await fetch(`${base}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

interface Row {
  group: Record<string, string>;
  costUsd: number;
  outcomes: number;
  successes: number;
  costPerSuccessUsd: number | null;
}

const rows = async (q = 'group_by=outcome,success') => (await get<{ rows: Row[] }>(`/api/v1/outcomes?${q}`)).rows;
const outcomeCost = (labels: Record<string, string>) => seriesValue(collector!, 'tokenledger_outcome_cost_usd', labels);
const outcomes = (labels: Record<string, string>) => seriesValue(collector!, 'tokenledger_outcomes_total', labels);

describe('outcomes across traces and days', () => {
  it('a conversation of three traces over five hours, resolved an hour later by POST, is one outcome with their summed cost', async () => {
    const clock = await start();
    const costs = [price(1000, 200), price(2000, 300), price(500, 100)];
    expect(costs.map((c) => Number(c.toFixed(9)))).toEqual([0.00027, 0.00048, 0.000135]);
    const ids: string[] = [];
    for (const [i, [input, output]] of [[1000, 200], [2000, 300], [500, 100]].entries()) {
      if (i > 0) clock.advance(2 * HOUR + (i === 2 ? HOUR : 0) - 1_000);
      ids.push(await trace({ 'tokenledger.outcome.key': 'ticket-1' }, input!, output!));
      settle(clock);
    }
    // Meanwhile a trace of its own outcome in the same workflow.
    await trace({ 'tokenledger.outcome': 'answered', 'tokenledger.outcome.success': true }, 4000, 1000);
    settle(clock);
    const own = price(4000, 1000);

    // Pending: the cost is spent (and counted), the outcome is not.
    expect(seriesValue(collector!, 'tokenledger_cost_usd_total')).toBeCloseTo(costs[0]! + costs[1]! + costs[2]! + own, 15);
    expect(outcomes({})).toBe(1);
    const pending = await rows();
    expect(pending.find((r) => r.group.outcome === 'pending')).toMatchObject({ outcomes: 0, successes: 0 });
    expect(pending.find((r) => r.group.outcome === 'pending')!.costUsd).toBeCloseTo(0.000885, 15);
    const keys = await get<{ keys: { key: string; state: string; traces: number; costUsd: number; tenant: string }[]; matching: number }>('/api/v1/outcome-keys?state=pending');
    expect(keys.matching).toBe(1);
    expect(keys.keys[0]).toMatchObject({ key: 'ticket-1', state: 'pending', traces: 3, tenant: 'acme' });
    expect(keys.keys[0]!.costUsd).toBeCloseTo(0.000885, 15);

    // Six hours after the first trace the ticket is resolved, elsewhere.
    clock.advance(HOUR);
    const first = await post({ key: 'ticket-1', outcome: 'ticket_resolved', success: true });
    expect(first).toMatchObject({ status: 200, body: { result: 'recorded', key: 'ticket-1', outcome: 'ticket_resolved', success: true } });
    settle(clock, 0);
    const labels = { tenant: 'acme', feature: 'support', workflow: 'ticket', outcome: 'ticket_resolved', success: 'true' };
    expect(outcomes(labels)).toBe(1);
    expect(outcomeCost(labels)).toBeCloseTo(0.000885, 15);
    // The histogram's exemplar is the key's costliest trace.
    expect(await (await fetch(`${base}/metrics`, { headers: { accept: 'application/openmetrics-text' } })).text())
      .toMatch(new RegExp(`tokenledger_outcome_cost_usd_bucket\\{[^}]*outcome="ticket_resolved"[^}]*le="0.001"\\} 1 # \\{trace_id="${ids[1]}"\\} 0\\.00088\\d* \\d+\\.\\d{3}$`, 'm'));

    // Cost per successful outcome, by hand: everything spent over two successes.
    const [byWorkflow] = await rows('group_by=workflow');
    expect(byWorkflow!.successes).toBe(2);
    expect(byWorkflow!.costPerSuccessUsd).toBeCloseTo((0.000885 + own) / 2, 15);
    const resolved = (await rows()).find((r) => r.group.outcome === 'ticket_resolved')!;
    expect(resolved.outcomes).toBe(1);
    expect(resolved.costUsd).toBeCloseTo(0.000885, 15);
    expect((await rows()).find((r) => r.group.outcome === 'pending')).toBeUndefined();

    // The same report again is one outcome; a different one is refused.
    expect(await post({ key: 'ticket-1', outcome: 'ticket_resolved', success: true })).toMatchObject({ status: 200, body: { result: 'repeat' } });
    const conflict = await post({ key: 'ticket-1', outcome: 'ticket_resolved', success: false });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toContain('already has outcome "ticket_resolved"');
    settle(clock, 0);
    expect(outcomes({})).toBe(2);
    expect(seriesValue(collector!, 'tokenledger_outcome_reports_total', { result: 'repeat' })).toBe(1);
    expect(seriesValue(collector!, 'tokenledger_outcome_reports_total', { result: 'conflict' })).toBe(1);

    // A trace of the key inside the window after the outcome adds late cost: no new outcome, no new observation.
    clock.advance(2 * HOUR);
    await trace({ 'tokenledger.outcome.key': 'ticket-1' }, 1000, 0);
    settle(clock);
    expect(outcomes({})).toBe(2);
    expect(outcomeCost(labels)).toBeCloseTo(0.000885, 15);
    expect((await rows()).find((r) => r.group.outcome === 'ticket_resolved')!.costUsd).toBeCloseTo(0.000885 + price(1000, 0), 15);

    // The window closes: the key's rows are folded in under its outcome (the numbers do not move) and it is closed.
    clock.advance(24 * HOUR);
    collector!.finaliser.tick();
    expect((await rows()).find((r) => r.group.outcome === 'ticket_resolved')!.costUsd).toBeCloseTo(0.000885 + price(1000, 0), 15);
    const closed = await get<{ keys: { state: string }[] }>('/api/v1/outcome-keys?key=ticket-1');
    expect(closed.keys[0]!.state).toBe('closed');
    // After its window a trace with the key is not that outcome's: it counts on its own.
    await trace({ 'tokenledger.outcome.key': 'ticket-1' }, 1000, 0);
    settle(clock);
    expect(outcomes({ outcome: 'none', success: 'unknown' })).toBe(1);
    expect(seriesValue(collector!, 'tokenledger_outcome_key_traces_unkeyed_total', { reason: 'closed' })).toBe(1);
    expect(outcomes(labels)).toBe(1);
  });

  it('a key with no outcome when its window closes counts once as none, with its cost; a later report is refused', async () => {
    const clock = await start();
    await trace({ 'tokenledger.outcome.key': 'lead-7' }, 3000, 0);
    settle(clock);
    clock.advance(23 * HOUR);
    await trace({ 'tokenledger.outcome.key': 'lead-7' }, 1000, 0);
    settle(clock);
    expect(outcomes({})).toBe(0);
    // 24 hours after its first trace.
    clock.advance(HOUR - 2_000);
    collector!.finaliser.tick();
    expect(outcomes({})).toBe(0);
    clock.advance(1_000);
    collector!.finaliser.tick();
    const none = { tenant: 'acme', workflow: 'ticket', outcome: 'none', success: 'unknown' };
    expect(outcomes(none)).toBe(1);
    expect(outcomeCost(none)).toBeCloseTo(price(4000, 0), 15);
    collector!.finaliser.tick();
    expect(outcomes({})).toBe(1);
    const late = await post({ key: 'lead-7', outcome: 'converted', success: true });
    expect(late.status).toBe(409);
    expect(late.body.error).toContain('window closed without an outcome');
    expect((await rows()).map((r) => [r.group.outcome, r.outcomes])).toEqual([['none', 1]]);
  });

  it('an outcome reported while a trace of its key is still open waits for that trace, so its cost is in the observation', async () => {
    const clock = await start();
    await trace({ 'tokenledger.outcome.key': 'chat-1' }, 1000, 0);
    settle(clock);
    await trace({ 'tokenledger.outcome.key': 'chat-1' }, 2000, 0);
    expect((await post({ key: 'chat-1', outcome: 'thumbs_up', success: true })).status).toBe(200);
    collector!.finaliser.tick();
    expect(outcomes({})).toBe(0);
    settle(clock);
    expect(outcomes({ outcome: 'thumbs_up' })).toBe(1);
    expect(outcomeCost({ outcome: 'thumbs_up' })).toBeCloseTo(price(3000, 0), 15);
  });

  it('an outcome on a trace that carries a key reports that key; a report before any trace waits for the traces of its window', async () => {
    const clock = await start();
    await trace({ 'tokenledger.outcome.key': 'ticket-9' }, 1000, 0);
    settle(clock);
    await trace({ 'tokenledger.outcome.key': 'ticket-9', 'tokenledger.outcome': 'ticket_resolved' }, 1000, 0, 2);
    settle(clock, 1_000);
    collector!.finaliser.tick();
    // No explicit success: the root's ERROR status makes it a failure, as for a trace's own outcome.
    expect(outcomes({ outcome: 'ticket_resolved', success: 'false' })).toBe(1);
    expect(outcomeCost({ outcome: 'ticket_resolved' })).toBeCloseTo(price(2000, 0), 15);
    expect(seriesValue(collector!, 'tokenledger_outcome_reports_total', { result: 'recorded' })).toBe(1);

    // Reported first (the business system is quicker than the traces): counted at once, its traces then add late cost.
    expect((await post({ key: 'ticket-10', outcome: 'ticket_resolved', success: true })).body.result).toBe('recorded');
    collector!.finaliser.tick();
    expect(outcomes({ outcome: 'ticket_resolved', success: 'true', tenant: 'unknown' })).toBe(1);
    await trace({ 'tokenledger.outcome.key': 'ticket-10' }, 1000, 0);
    settle(clock);
    expect(outcomes({ outcome: 'ticket_resolved' })).toBe(2);
    const resolved = (await rows('group_by=outcome,success')).find((r) => r.group.outcome === 'ticket_resolved' && r.group.success === 'true')!;
    expect(resolved.costUsd).toBeCloseTo(price(1000, 0), 15);
  });

  it('the key index is bounded: a new key past it is refused (503) and its trace counted on its own', async () => {
    const clock = await start({ TOKENLEDGER_OUTCOME_MAX_KEYS: '2' });
    await trace({ 'tokenledger.outcome.key': 'k1' }, 1000, 0);
    await trace({ 'tokenledger.outcome.key': 'k2' }, 1000, 0);
    await trace({ 'tokenledger.outcome.key': 'k3' }, 1000, 0);
    settle(clock);
    expect(seriesValue(collector!, 'tokenledger_outcome_key_traces_unkeyed_total', { reason: 'index_full' })).toBe(1);
    expect(outcomes({ outcome: 'none' })).toBe(1);
    const full = await post({ key: 'k4', outcome: 'done', success: true });
    expect(full.status).toBe(503);
    expect(full.body.error).toContain('TOKENLEDGER_OUTCOME_MAX_KEYS=2');
    const keys = await get<{ index: { pending: number; maxKeys: number; full: boolean } }>('/api/v1/outcome-keys');
    expect(keys.index).toMatchObject({ pending: 2, maxKeys: 2, full: true });
    // A known key is still reported.
    expect((await post({ key: 'k1', outcome: 'done', success: true })).status).toBe(200);
    collector!.finaliser.tick();
    expect(outcomes({ outcome: 'done' })).toBe(1);
  });

  it('refuses malformed reports with 400/415 and names the field', async () => {
    await start();
    for (const [body, field] of [
      [{ outcome: 'x', success: true }, 'key'],
      [{ key: 'k', success: true }, 'outcome'],
      [{ key: 'k', outcome: 'x' }, 'success'],
      [{ key: 'k', outcome: 'pending', success: true }, 'reserved'],
      [{ key: 'k', outcome: 'x', success: true, time: 'yesterday' }, 'time'],
      [{ key: 'k', outcome: 'x', success: true, time: '2099-01-01T00:00:00Z' }, 'future'],
    ] as const) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(String(r.body.error)).toContain(field);
    }
    const text = await fetch(`${base}/api/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'k' });
    expect(text.status).toBe(415);
  });
});
