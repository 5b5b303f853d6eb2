// What the API reads from the shared part of the store, besides /api/v1/outcomes: outcome keys, the per-trace
// index, user and session costs, and the key index's fill.
import { OUTCOME_KEY_STATES, type OutcomeKeyState } from '@tokenledger/semconv';
import { all, one, type Sql, type SqlValue } from './sql.ts';

export interface KeyRowOut {
  key: string;
  state: OutcomeKeyState;
  tenant: string | null;
  feature: string | null;
  workflow: string | null;
  /** Traces (and their cost) the key has had so far. */
  traces: number;
  costUsd: number;
  outcome: string | null;
  success: string | null;
  counted: boolean;
  firstTime: string;
  lastTime: string;
  outcomeTime: string | null;
  /** Pending: when it counts as `none`; reported: until when its traces still join it; closed: when it is forgotten. */
  closesAt: string;
}

export interface KeysQuery {
  state?: OutcomeKeyState;
  key?: string;
  tenant?: string;
  feature?: string;
  workflow?: string;
  limit: number;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(Number(ms)).toISOString());

/** Keys by cost (most expensive first), with the count and cost of all that match. */
export function* queryKeys(q: KeysQuery, windowMs: number): Sql<{ keys: KeyRowOut[]; matching: number; costUsd: number }> {
  const conds: string[] = [];
  const params: SqlValue[] = [];
  for (const k of ['state', 'key', 'tenant', 'feature', 'workflow'] as const) {
    if (q[k] !== undefined) {
      conds.push(`${k} = ?`);
      params.push(q[k]!);
    }
  }
  const where = conds.length ? ` WHERE ${conds.join(' AND ')}` : '';
  const rows = yield* all<Record<string, SqlValue>>(`SELECT key, state, tenant, feature, workflow, traces, cost_usd, outcome, success, counted, first_ms, last_ms,
    outcome_ms, closes_ms FROM outcome_keys${where} ORDER BY cost_usd DESC, key LIMIT ?`, [...params, q.limit]);
  const total = (yield* one<{ n: number; cost: number | null }>(`SELECT count(*) AS n, sum(cost_usd) AS cost FROM outcome_keys${where}`, params))!;
  return {
    keys: rows.map((r) => ({
      key: String(r.key), state: r.state as OutcomeKeyState, tenant: r.tenant as string | null, feature: r.feature as string | null,
      workflow: r.workflow as string | null, traces: Number(r.traces), costUsd: Number(r.cost_usd), outcome: r.outcome as string | null,
      success: r.success as string | null, counted: Number(r.counted) === 1, firstTime: iso(r.first_ms as number)!, lastTime: iso(r.last_ms as number)!,
      outcomeTime: iso(r.outcome_ms as number | null),
      closesAt: iso(Number(r.closes_ms) + (r.state === 'closed' ? windowMs : 0))!,
    })),
    matching: Number(total.n),
    costUsd: Number(total.cost ?? 0),
  };
}

/** Keys in the index by state (every state present, zero included). */
export function* keyCounts(): Sql<Record<OutcomeKeyState, number>> {
  const out = Object.fromEntries(OUTCOME_KEY_STATES.map((s) => [s, 0])) as Record<OutcomeKeyState, number>;
  for (const r of yield* all<{ state: OutcomeKeyState; n: number }>('SELECT state, count(*) AS n FROM outcome_keys GROUP BY state')) out[r.state] = Number(r.n);
  return out;
}

export const TRACE_FILTERS = ['tenant', 'feature', 'workflow', 'outcome', 'outcome_key', 'user_id', 'session_id'] as const;
export type TraceFilter = (typeof TRACE_FILTERS)[number];

export interface TracesQuery {
  where: Partial<Record<TraceFilter, string>>;
  /** On the trace's start time: inclusive, exclusive. */
  sinceMs: number;
  untilMs: number;
  sort: 'cost' | 'time';
  limit: number;
}

export interface TraceEntry {
  traceId: string;
  startTime: string;
  durationMs: number;
  finalisedTime: string;
  tenant: string;
  feature: string;
  workflow: string;
  outcome: string;
  success: string;
  outcomeKey: string | null;
  userId: string | null;
  sessionId: string | null;
  spans: number;
  calls: number;
  tokens: { input: number; cacheRead: number; cacheWrite: number; output: number };
  costUsd: number;
  retryCostUsd: number;
  models: string[];
}

/** Traces from the index, most expensive or newest first; `complete` is false when trimming dropped some of the range's. */
export function* queryTraces(q: TracesQuery): Sql<{ traces: TraceEntry[]; complete: boolean }> {
  const conds = ['start_ms >= ?', 'start_ms < ?'];
  const params: SqlValue[] = [q.sinceMs, Math.min(q.untilMs, Number.MAX_SAFE_INTEGER)];
  for (const k of TRACE_FILTERS) {
    if (q.where[k] !== undefined) {
      conds.push(`${k} = ?`);
      params.push(q.where[k]!);
    }
  }
  const order = q.sort === 'cost' ? 'cost_usd DESC, start_ms DESC, trace_id' : 'start_ms DESC, trace_id';
  const rows = yield* all<Record<string, SqlValue>>(`SELECT * FROM trace_index WHERE ${conds.join(' AND ')} ORDER BY ${order} LIMIT ?`, [...params, q.limit]);
  const trimConds = ['hour_ms >= ?', 'hour_ms < ?'];
  const trimParams: SqlValue[] = [Math.floor(q.sinceMs / 3_600_000) * 3_600_000, params[1]!];
  if (q.where.workflow !== undefined) {
    trimConds.push('workflow = ?');
    trimParams.push(q.where.workflow);
  }
  const trimmed = yield* one(`SELECT 1 AS t FROM trace_index_trims WHERE ${trimConds.join(' AND ')} LIMIT 1`, trimParams);
  return {
    complete: trimmed === undefined,
    traces: rows.map((r) => ({
      traceId: String(r.trace_id), startTime: iso(r.start_ms as number)!, durationMs: Number(r.end_ms) - Number(r.start_ms), finalisedTime: iso(r.finalised_ms as number)!,
      tenant: String(r.tenant), feature: String(r.feature), workflow: String(r.workflow), outcome: String(r.outcome), success: String(r.success),
      outcomeKey: r.outcome_key as string | null, userId: r.user_id as string | null, sessionId: r.session_id as string | null,
      spans: Number(r.spans), calls: Number(r.calls),
      tokens: { input: Number(r.input_tokens), cacheRead: Number(r.cache_read_tokens), cacheWrite: Number(r.cache_write_tokens), output: Number(r.output_tokens) },
      costUsd: Number(r.cost_usd), retryCostUsd: Number(r.retry_cost_usd), models: JSON.parse(String(r.models)) as string[],
    })),
  };
}

export interface IdentityQuery {
  tenant?: string;
  /** Sessions of one user. */
  user?: string;
  /** Day buckets (UTC) overlapping [sinceMs, untilMs). */
  sinceMs: number;
  untilMs: number;
  limit: number;
}

export interface IdentityRow {
  id: string;
  tenants: string[];
  traces: number;
  costUsd: number;
  retryCostUsd: number;
  tokens: { input: number; cacheRead: number; cacheWrite: number; output: number };
  /** Sessions of a user; users of a session (normally one). */
  sessions?: number;
  users?: string[];
  firstTime: string;
  lastTime: string;
}

/**
 * Cost per user (`by` user_id: top users by cost) or per session (`by` session_id: cost per session), most
 * expensive first, with the count, total and mean of all that match.
 */
export function* queryIdentities(by: 'user_id' | 'session_id', q: IdentityQuery): Sql<{ rows: IdentityRow[]; matching: number; costUsd: number; meanCostUsd: number | null }> {
  const conds = [`${by} != ''`, 'day_ms >= ?', 'day_ms < ?'];
  const params: SqlValue[] = [Math.floor(q.sinceMs / 86_400_000) * 86_400_000, Math.min(q.untilMs, Number.MAX_SAFE_INTEGER)];
  if (q.tenant !== undefined) {
    conds.push('tenant = ?');
    params.push(q.tenant);
  }
  if (q.user !== undefined) {
    conds.push('user_id = ?');
    params.push(q.user);
  }
  const where = conds.join(' AND ');
  const other = by === 'user_id' ? 'session_id' : 'user_id';
  // Tenants and the other ids are read apart for the rows returned (string_agg and group_concat differ).
  const rows = yield* all<Record<string, SqlValue>>(`SELECT ${by} AS id, sum(traces) AS traces, sum(cost_usd) AS cost, sum(retry_cost_usd) AS retry,
      sum(input_tokens) AS input, sum(cache_read_tokens) AS cache_read, sum(cache_write_tokens) AS cache_write, sum(output_tokens) AS output,
      min(first_ms) AS first_ms, max(last_ms) AS last_ms
    FROM identity_rollup WHERE ${where} GROUP BY ${by} ORDER BY cost DESC, id LIMIT ?`, [...params, q.limit]);
  const total = (yield* one<{ n: number; cost: number | null }>(`SELECT count(*) AS n, sum(cost) AS cost FROM
    (SELECT ${by}, sum(cost_usd) AS cost FROM identity_rollup WHERE ${where} GROUP BY ${by}) g`, params))!;
  const out: IdentityRow[] = [];
  for (const r of rows) {
    const detail = yield* all<{ tenant: string; other: string }>(`SELECT DISTINCT tenant, ${other} AS other FROM identity_rollup WHERE ${where} AND ${by} = ?`, [...params, r.id!]);
    const others = [...new Set(detail.map((d) => d.other).filter((o) => o !== ''))].sort();
    out.push({
      id: String(r.id), tenants: [...new Set(detail.map((d) => d.tenant))].sort(), traces: Number(r.traces), costUsd: Number(r.cost), retryCostUsd: Number(r.retry),
      tokens: { input: Number(r.input), cacheRead: Number(r.cache_read), cacheWrite: Number(r.cache_write), output: Number(r.output) },
      ...(by === 'user_id' ? { sessions: others.length } : { users: others }),
      firstTime: iso(r.first_ms as number)!, lastTime: iso(r.last_ms as number)!,
    });
  }
  const matching = Number(total.n);
  const costUsd = Number(total.cost ?? 0);
  return { rows: out, matching, costUsd, meanCostUsd: matching > 0 ? costUsd / matching : null };
}
