// From a number to its traces: the per-trace index behind GET /api/v1/traces (ordering, filters, retention,
// the bound that keeps each workflow-hour's most expensive traces), the Jaeger link, and user and session costs
// (raw, hashed with a salt, or not kept).
import { afterEach, describe, expect, it } from 'vitest';
import type { Collector } from '../src/collector.ts';
import { hashId } from '../src/model/identity.ts';
import { FakeClock, root, span, testCollector, traceId } from './helpers.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const price = (input: number, output: number) => input * 0.15e-6 + output * 0.6e-6;

let collector: Collector | undefined;
let base = '';
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

async function start(env: Record<string, string> = {}, clock = new FakeClock()): Promise<FakeClock> {
  const t = testCollector({ TOKENLEDGER_TRACE_IDLE_MS: '1000', ...env }, clock);
  collector = t.collector;
  const { http } = await collector.listen();
  collector.finaliser.stop();
  base = `http://127.0.0.1:${http.port}`;
  return t.clock;
}

let n = 0;
async function trace(clock: FakeClock, attrs: Record<string, string | boolean>, input: number, extra: Record<string, string> = {}): Promise<string> {
  const id = traceId(0xdef000 + ++n);
  const at = clock.now();
  await collector!.sink.accept([
    root(id, { 'tokenledger.tenant': 'acme', 'tokenledger.workflow': 'answer', 'tokenledger.outcome': 'answered', ...attrs }, { statusCode: 1, startMs: at - 500, endMs: at }),
    span(id, { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': 0, ...extra },
      { startMs: at - 400, endMs: at - 100 }),
  ]);
  clock.advance(1_000);
  collector!.finaliser.tick();
  return id;
}

interface Entry {
  traceId: string;
  costUsd: number;
  startTime: string;
  workflow: string;
  tenant: string;
  outcome: string;
  calls: number;
  spans: number;
  models: string[];
  userId: string | null;
  sessionId: string | null;
  jaegerUrl?: string;
  durationMs: number;
}

async function traces(q: string): Promise<{ traces: Entry[]; complete: boolean }> {
  const res = await fetch(`${base}/api/v1/traces?${q}`);
  expect(res.status, q).toBe(200);
  return (await res.json()) as { traces: Entry[]; complete: boolean };
}

describe('the per-trace index', () => {
  it('lists traces by cost or time, filtered, with what each cost and a link to Jaeger', async () => {
    const clock = await start({ TOKENLEDGER_JAEGER_URL: 'http://jaeger.example:16686/' });
    const cheap = await trace(clock, {}, 1000);
    const dear = await trace(clock, {}, 9000);
    const other = await trace(clock, { 'tokenledger.tenant': 'globex', 'tokenledger.workflow': 'triage' }, 5000);
    const failed = await trace(clock, { 'tokenledger.outcome.success': false }, 3000);

    const byCost = await traces('sort=cost');
    expect(byCost.traces.map((t) => t.traceId)).toEqual([dear, other, failed, cheap]);
    expect(byCost.complete).toBe(true);
    expect(byCost.traces[0]).toMatchObject({ tenant: 'acme', workflow: 'answer', outcome: 'answered', calls: 1, spans: 2, models: ['gpt-4o-mini'], durationMs: 500 });
    expect(byCost.traces[0]!.costUsd).toBeCloseTo(price(9000, 0), 15);
    expect(byCost.traces[0]!.jaegerUrl).toBe(`http://jaeger.example:16686/trace/${dear}`);
    expect((await traces('')).traces.map((t) => t.traceId)).toEqual([failed, other, dear, cheap]);
    expect((await traces('sort=cost&workflow=answer&limit=2')).traces.map((t) => t.traceId)).toEqual([dear, failed]);
    expect((await traces('tenant=globex')).traces.map((t) => t.traceId)).toEqual([other]);
    // since/until on the trace's start.
    const t2 = byCost.traces.find((t) => t.traceId === dear)!.startTime;
    expect((await traces(`since=${encodeURIComponent(t2)}&sort=time`)).traces.map((t) => t.traceId)).toEqual([failed, other, dear]);
    expect((await traces(`until=${encodeURIComponent(t2)}`)).traces.map((t) => t.traceId)).toEqual([cheap]);
    expect((await fetch(`${base}/api/v1/traces?sort=price`)).status).toBe(400);
    expect((await fetch(`${base}/api/v1/traces?limit=0`)).status).toBe(400);
  });

  it('late spans add their cost to the trace\'s entry; the entry of a keyed trace shows its key\'s outcome', async () => {
    const clock = await start();
    const id = await trace(clock, { 'tokenledger.outcome': '', 'tokenledger.outcome.key': 'conv-1' }, 1000);
    expect((await traces('key=conv-1')).traces[0]!.outcome).toBe('pending');
    await collector!.sink.accept([span(id, { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 2000, 'gen_ai.usage.output_tokens': 0 })]);
    clock.advance(1_000);
    collector!.finaliser.tick();
    const [entry] = (await traces('key=conv-1')).traces;
    expect(entry!.costUsd).toBeCloseTo(price(3000, 0), 15);
    expect(entry!.spans).toBe(3);
    await fetch(`${base}/api/v1/outcomes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: 'conv-1', outcome: 'converted', success: true }) });
    collector!.finaliser.tick();
    expect((await traces('outcome=converted')).traces.map((t) => t.traceId)).toEqual([id]);
  });

  it('keeps traces for TOKENLEDGER_TRACE_INDEX_RETENTION', async () => {
    const clock = await start({ TOKENLEDGER_TRACE_INDEX_RETENTION: '2d' });
    const old = await trace(clock, {}, 1000);
    clock.advance(DAY);
    const recent = await trace(clock, {}, 1000);
    clock.advance(DAY + 30_000);
    // Pruning runs once a minute.
    clock.advance(60_000);
    collector!.finaliser.tick();
    expect((await traces('')).traces.map((t) => t.traceId)).toEqual([recent]);
    expect(old).not.toBe(recent);
    // The roll-up itself is not pruned: the index is only the way to the traces.
    const rows = (await (await fetch(`${base}/api/v1/outcomes`)).json()) as { rows: { outcomes: number }[] };
    expect(rows.rows[0]!.outcomes).toBe(2);
  });

  it('over TOKENLEDGER_TRACE_INDEX_MAX_TRACES keeps the most expensive traces of each workflow and hour, and says the list is incomplete', async () => {
    // Ten seconds into the hour: the first traces start in it too.
    const clock = await start({ TOKENLEDGER_TRACE_INDEX_MAX_TRACES: '10' }, new FakeClock(Date.UTC(2026, 10, 22, 12, 0, 10)));
    const kept: string[] = [];
    // Hour 1: workflow answer 8 traces, triage 2; hour 2: answer 4.
    const all: { id: string; input: number; workflow: string; hour: number }[] = [];
    for (let i = 0; i < 8; i++) all.push({ id: await trace(clock, {}, 1000 * (i + 1)), input: 1000 * (i + 1), workflow: 'answer', hour: 1 });
    for (let i = 0; i < 2; i++) all.push({ id: await trace(clock, { 'tokenledger.workflow': 'triage' }, 500 * (i + 1)), input: 500 * (i + 1), workflow: 'triage', hour: 1 });
    clock.advance(HOUR);
    for (let i = 0; i < 4; i++) all.push({ id: await trace(clock, {}, 700 * (i + 1)), input: 700 * (i + 1), workflow: 'answer', hour: 2 });
    clock.advance(60_000);
    collector!.finaliser.tick();
    // 14 traces over a bound of 10 are trimmed to at most 9 (90%) with the same cap per workflow and hour: a cap of 4
    // would keep 4 + 2 + 4 = 10, so 3: answer's three dearest of each hour, and triage's two.
    const left = (await traces('limit=100&sort=cost')).traces;
    expect(left).toHaveLength(8);
    const group = (w: string, h: number) => all.filter((t) => t.workflow === w && t.hour === h).sort((a, b) => b.input - a.input);
    kept.push(...group('answer', 1).slice(0, 3).map((t) => t.id), ...group('triage', 1).map((t) => t.id), ...group('answer', 2).slice(0, 3).map((t) => t.id));
    expect(left.map((t) => t.traceId).sort()).toEqual(kept.sort());
    expect((await traces('')).complete).toBe(false);
    expect((await traces('workflow=triage')).complete).toBe(true);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('tokenledger_trace_index_trimmed_total 6');
  });
});

describe('who, below the tenant', () => {
  async function feed(clock: FakeClock): Promise<void> {
    // ann: two sessions; bob: one; a trace without any id.
    await trace(clock, { 'user.id': 'ann', 'session.id': 's1' }, 4000);
    await trace(clock, { 'session.id': 's1' }, 1000, { 'user.id': 'ann' });
    await trace(clock, { 'enduser.id': 'ann', 'session.id': 's2' }, 2000);
    await trace(clock, { 'user.id': 'bob', 'session.id': 's3' }, 9000);
    await trace(clock, { 'tokenledger.tenant': 'globex', 'user.id': 'carl', 'session.id': 's4' }, 100_000);
    await trace(clock, {}, 500);
  }

  it('answers top users by cost for a tenant and cost per session, never as metric labels', async () => {
    const clock = await start();
    await feed(clock);
    const users = (await (await fetch(`${base}/api/v1/users?tenant=acme`)).json()) as { users: { id: string; costUsd: number; traces: number; sessions: number }[]; matching: number };
    expect(users.users.map((u) => [u.id, u.traces, u.sessions])).toEqual([['bob', 1, 1], ['ann', 3, 2]]);
    expect(users.users[1]!.costUsd).toBeCloseTo(price(7000, 0), 15);
    expect(users.matching).toBe(2);
    const sessions = (await (await fetch(`${base}/api/v1/sessions?tenant=acme`)).json()) as { sessions: { id: string; costUsd: number; users: string[] }[]; meanCostUsd: number };
    expect(sessions.sessions.map((s) => [s.id, s.users])).toEqual([['s3', ['bob']], ['s1', ['ann']], ['s2', ['ann']]]);
    expect(sessions.sessions[1]!.costUsd).toBeCloseTo(price(5000, 0), 15);
    expect(sessions.meanCostUsd).toBeCloseTo(price(16000, 0) / 3, 15);
    const ann = (await (await fetch(`${base}/api/v1/sessions?user=ann`)).json()) as { sessions: { id: string }[] };
    expect(ann.sessions.map((s) => s.id)).toEqual(['s1', 's2']);
    expect((await traces('user=ann')).traces).toHaveLength(3);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).not.toMatch(/ann|bob|s1"|user_id|session/);
  });

  it('with TOKENLEDGER_IDENTITY_IDS=hash stores a salted hash, never the id; with none, nothing', async () => {
    const salt = 'a-salt-of-sixteen-chars';
    const clock = await start({ TOKENLEDGER_IDENTITY_IDS: 'hash', TOKENLEDGER_IDENTITY_SALT: salt });
    await feed(clock);
    const users = (await (await fetch(`${base}/api/v1/users?tenant=acme`)).json()) as { users: { id: string; sessions: number }[] };
    expect(users.users.map((u) => [u.id, u.sessions])).toEqual([[hashId('bob', salt), 1], [hashId('ann', salt), 2]]);
    expect(hashId('ann', salt)).toMatch(/^[0-9a-f]{32}$/);
    expect(hashId('ann', salt)).not.toBe(hashId('ann', 'another-salt-of-16'));
    const dump = JSON.stringify(collector!.db.prepare('SELECT * FROM identity_rollup').all()) + JSON.stringify(collector!.db.prepare('SELECT * FROM trace_index').all());
    expect(dump).not.toMatch(/"ann"|"bob"|"s1"/);
    await collector!.close();

    const clock2 = await start({ TOKENLEDGER_IDENTITY_IDS: 'none' });
    await feed(clock2);
    const none = (await (await fetch(`${base}/api/v1/users`)).json()) as { users: unknown[] };
    expect(none.users).toEqual([]);
    expect((await traces('')).traces.every((t) => t.userId === null && t.sessionId === null)).toBe(true);
  });
});
