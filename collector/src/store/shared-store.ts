// The global part of the store: roll-up rows, outcome keys and their costs, the per-trace index, user and
// session costs — the rules, once, for the embedded SQLite and for PostgreSQL (see sql.ts).
//
// Outcome keys (docs/collector.md#outcomes-across-traces): a trace carrying an outcome key (ATTR_OUTCOME_KEY) gives its
// cost to its key instead of counting an outcome of its own. A key is `pending` from its first trace until
// its outcome is reported (POST /api/v1/outcomes, or an outcome on one of its traces); `reported` until
// TOKENLEDGER_OUTCOME_WINDOW after the outcome (later traces of the key add their cost to it, as late cost);
// then `closed`, remembered one more window so a repeated report stays idempotent. A pending key whose
// window (from its first trace) closes without an outcome is reported as `none`. The outcome is counted once,
// with the key's summed cost, by an event (outcome_events) that exactly one instance turns into metrics.
// Every state change is a guarded UPDATE, so instances sharing PostgreSQL never count or fold a key twice.
import * as sc from '@tokenledger/semconv';
import type { CallGroup, TraceLabels, TraceRollup } from '../rollup/types.ts';
import { IDENTITY_SUMMED, KEY_LABELS, OUTCOME_LABELS, SUMMED, sumsUpdate, TRACE_INDEX_COLUMNS } from './shared-schema.ts';
import { all, one, run, type Sql, type SqlValue, valuesList } from './sql.ts';

/** Route or model value of call rows that sum over all of them (real labels are never empty). */
export const ALL = '';
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Rows per multi-row statement. */
const CHUNK = 200;
/** A reported key waits this long between checks while one of its traces is still open here. */
const RECHECK_MS = 1_000;
const SWEEP_LIMIT = 500;

/** The shared store cannot answer now (not connected yet, or unreachable): the API says 503. */
export class SharedStoreUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SharedStoreUnavailable';
  }
}

/** What the API needs of wherever the shared part lives (traces/outcome-link.ts). */
export interface SharedAccess {
  /** Runs read-only store logic; rejects with SharedStoreUnavailable when the shared store cannot answer. */
  read<T>(gen: Sql<T>): Promise<T>;
  /** Records a report of a key's outcome (durable when it resolves). */
  report(key: string, outcome: string, success: string, outcomeMs: number): Promise<ReportAnswer>;
}

export interface SharedSettings {
  /** Width of the roll-up buckets (TOKENLEDGER_ROLLUP_BUCKET_MS). */
  bucketMs: number;
  windowMs: number;
  maxKeys: number;
  traceIndexRetentionMs: number;
  traceIndexMaxTraces: number;
}

export type ReportResult = 'recorded' | 'repeat' | 'conflict' | 'index_full';

export interface ReportAnswer {
  result: ReportResult;
  /** The key's outcome as it stands (repeat, conflict). */
  existing?: { outcome: string; success: string; timeMs: number; state: string };
}

/** What applying a batch did besides writing rows (counted by the caller's operational metrics). */
export interface ApplyCounts {
  unkeyed: Record<'index_full' | 'closed', number>;
  reports: Record<ReportResult, number>;
}

export const emptyCounts = (): ApplyCounts => ({
  unkeyed: { index_full: 0, closed: 0 },
  reports: { recorded: 0, repeat: 0, conflict: 0, index_full: 0 },
});

/** An outcome to count once (in outcome_events until an instance turns it into metrics). */
export interface OutcomeEvent {
  id: number;
  atMs: number;
  labels: TraceLabels;
  costUsd: number;
  traceId?: string;
  outcomeKey?: string;
}

interface KeyRow {
  key: string;
  state: 'pending' | 'reported' | 'closed';
  outcome: string | null;
  success: string | null;
  outcome_ms: number | null;
  counted: number;
  due_ms: number;
  closes_ms: number;
}

interface Row {
  labels: SqlValue[];
  sums: number[];
}

/**
 * Roll-up rows summed per label set before they are written (one upsert per distinct row). A row is found through
 * one map per label (no key string is made per trace; labels are strings a batch repeats).
 */
class Rows {
  /** The distinct rows, in the order first added. */
  readonly list: Row[] = [];
  private readonly byFirst = new Map<SqlValue, unknown>();

  /** Adds `sums` to the row of `labels` (all rows of one Rows have as many labels); returns that row. */
  add(labels: SqlValue[], sums: readonly number[]): Row {
    let m = this.byFirst;
    const last = labels.length - 1;
    for (let i = 0; i < last; i++) {
      let next = m.get(labels[i]!) as Map<SqlValue, unknown> | undefined;
      if (!next) m.set(labels[i]!, (next = new Map()));
      m = next;
    }
    let row = m.get(labels[last]!) as Row | undefined;
    if (!row) {
      m.set(labels[last]!, (row = { labels, sums: [...sums] }));
      this.list.push(row);
    } else for (let i = 0; i < sums.length; i++) row.sums[i]! += sums[i]!;
    return row;
  }

  /** The rows in the one order every instance writes them in (as their labels joined by NUL sort: labels hold none). */
  sorted(): Row[] {
    return [...this.list].sort(byLabels);
  }
}

function byLabels(x: Row, y: Row): number {
  for (let i = 0; i < x.labels.length; i++) {
    const a = String(x.labels[i] ?? '');
    const b = String(y.labels[i] ?? '');
    if (a !== b) return a < b ? -1 : 1;
  }
  return 0;
}

/** [outcomes, cost, retry cost, input, cache read, cache write, output, unpriced, unknown usage, cost without cache effects], in SUMMED order. */
function sums(outcomes: number, f: { totalUsd: number; retryUsd: number; tokens: readonly number[] }, gaps: readonly [number, number, number]): number[] {
  return [outcomes, f.totalUsd, f.retryUsd, ...f.tokens, ...gaps];
}

/** A trace's gaps: its calls' summed. */
function traceGaps(calls: readonly CallGroup[]): [number, number, number] {
  const g: [number, number, number] = [0, 0, 0];
  for (const c of calls) {
    g[0] += c.unpriced;
    g[1] += c.unknownUsage;
    g[2] += c.excludingCacheUsd;
  }
  return g;
}

/** A trace's calls per route and model, per route alone and per model alone (ALL for the other), so a trace counts once in each group. */
function callGroups(calls: readonly CallGroup[]): { route: string; model: string; sums: number[] }[] {
  if (calls.length === 1) {
    // Most traces: one route and model.
    const c = calls[0]!;
    const s = sums(0, c, [c.unpriced, c.unknownUsage, c.excludingCacheUsd]);
    return [{ route: c.route, model: c.model, sums: s }, { route: c.route, model: ALL, sums: [...s] }, { route: ALL, model: c.model, sums: [...s] }];
  }
  const groups = new Rows();
  for (const c of calls) {
    for (const [route, model] of [[c.route, c.model], [c.route, ALL], [ALL, c.model]] as const) groups.add([route, model], sums(0, c, [c.unpriced, c.unknownUsage, c.excludingCacheUsd]));
  }
  return groups.list.map((g) => ({ route: g.labels[0] as string, model: g.labels[1] as string, sums: g.sums }));
}

const known = (v: string) => (v === sc.LABEL_VALUE_UNKNOWN ? null : v);

export class SharedStore {
  readonly settings: SharedSettings;

  constructor(settings: SharedSettings) {
    this.settings = settings;
  }

  private bucket(ms: number): number {
    return Math.floor(ms / this.settings.bucketMs) * this.settings.bucketMs;
  }

  /**
   * Writes a batch of finalised traces (and late spans): their roll-up rows, or their key's; the trace index;
   * user and session costs. Keyed traces that cannot join their key (index full, key closed) are counted on
   * their own, with an event.
   */
  *apply(traces: readonly TraceRollup[], nowMs: number, counts: ApplyCounts): Sql<void> {
    const rows = new Rows();
    const callRows = new Rows();
    const keyRows = new Rows();
    const keyCallRows = new Rows();
    const identity = new Rows();
    const identityTimes = new Map<Row, [number, number]>();
    const index: SqlValue[][] = [];
    const room = { count: undefined as number | undefined };
    // Keys, and below every row, in one order: two instances applying at once wait for each other, never deadlock.
    const ordered = [...traces].sort((x, y) => compare(x.outcomeKey ?? '', y.outcomeKey ?? ''));
    for (const t of ordered) {
      const bucket = this.bucket(t.atMs);
      let labels: TraceLabels = t.labels;
      let key = t.outcomeKey;
      let indexOutcome: [string, string] = [labels.outcome, labels.success];
      if (key !== undefined) {
        const joined = yield* this.joinKey(key, t, room);
        if (joined.open) {
          indexOutcome = [joined.outcome ?? sc.OUTCOME_PENDING, joined.success ?? sc.SUCCESS_UNKNOWN];
        } else {
          // Not the key's: on its own. A late span of a closed key keeps the key's final outcome.
          if (!t.late) counts.unkeyed[joined.reason]++;
          else if (joined.outcome != null) labels = { ...labels, outcome: joined.outcome, success: joined.success! };
          key = undefined;
          indexOutcome = [labels.outcome, labels.success];
        }
      }
      const outcomes = t.late || key !== undefined ? 0 : 1;
      const { tenant, feature, workflow } = labels;
      if (key !== undefined) {
        keyRows.add([key, bucket, tenant, feature, workflow], sums(0, t, traceGaps(t.calls)));
        for (const g of callGroups(t.calls)) keyCallRows.add([key, bucket, tenant, feature, workflow, g.route, g.model], g.sums);
        // An outcome on the key's own trace reports it (as POST would, at the trace's finalisation).
        if (!t.late && labels.outcome !== sc.OUTCOME_NONE) {
          const answer = yield* this.report(key, labels.outcome, labels.success, t.atMs, nowMs, room);
          counts.reports[answer.result]++;
          if (answer.result === 'recorded') indexOutcome = [labels.outcome, labels.success];
        }
      } else {
        const l = [bucket, tenant, feature, workflow, labels.outcome, labels.success];
        rows.add(l, sums(outcomes, t, traceGaps(t.calls)));
        for (const g of callGroups(t.calls)) {
          g.sums[0] = outcomes;
          callRows.add([...l, g.route, g.model], g.sums);
        }
        if (!t.late && t.outcomeKey !== undefined) {
          // Counted on its own, through an event like a key's outcome (its observations were held back).
          yield* this.addEvent(nowMs, labels, t.totalUsd, t.traceId, t.outcomeKey);
        }
      }
      if (t.late) {
        yield* run(`UPDATE trace_index SET spans = spans + ?, cost_usd = cost_usd + ?, retry_cost_usd = retry_cost_usd + ?, input_tokens = input_tokens + ?,
          cache_read_tokens = cache_read_tokens + ?, cache_write_tokens = cache_write_tokens + ?, output_tokens = output_tokens + ? WHERE trace_id = ?`,
        [t.spans, t.totalUsd, t.retryUsd, ...t.tokens, t.traceId]);
        continue;
      }
      const start = Number.isFinite(t.startMs) ? t.startMs : t.atMs;
      const models = t.calls.length === 1 ? [t.calls[0]!.model] : [...new Set(t.calls.map((c) => c.model))].sort();
      index.push([
        // Retention and the hourly groups go by the collector's clock (finalisation), not the spans' own clocks.
        t.traceId, start, Number.isFinite(t.endMs) ? t.endMs : start, t.atMs, Math.floor(t.atMs / HOUR_MS) * HOUR_MS, tenant, feature, workflow,
        indexOutcome[0], indexOutcome[1], t.outcomeKey ?? null, t.user ?? null, t.session ?? null, t.spans, t.callCount, ...t.tokens, t.totalUsd,
        t.retryUsd, JSON.stringify(models),
      ]);
      if (t.user !== undefined || t.session !== undefined) {
        const row = identity.add([Math.floor(t.atMs / DAY_MS) * DAY_MS, tenant, t.user ?? '', t.session ?? ''], [1, t.totalUsd, t.retryUsd, ...t.tokens]);
        const seen = identityTimes.get(row);
        identityTimes.set(row, seen ? [Math.min(seen[0], start), Math.max(seen[1], start)] : [start, start]);
      }
    }
    yield* upsert('outcome_rollup', OUTCOME_LABELS, rows);
    yield* upsert('call_rollup', [...OUTCOME_LABELS, 'route', 'model'], callRows);
    yield* upsert('key_rollup', KEY_LABELS, keyRows);
    yield* upsert('key_call_rollup', [...KEY_LABELS, 'route', 'model'], keyCallRows);
    index.sort((x, y) => compare(x[0] as string, y[0] as string));
    for (let i = 0; i < index.length; i += CHUNK) {
      const part = index.slice(i, i + CHUNK);
      const merge = ['spans', 'calls', 'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens', 'cost_usd', 'retry_cost_usd'];
      // The same trace id finalised again (its late-span memory expired): one entry, costs added.
      yield* run(`INSERT INTO trace_index (${TRACE_INDEX_COLUMNS.join(', ')}) VALUES ${valuesList(part.length, TRACE_INDEX_COLUMNS.length)}
        ON CONFLICT (trace_id) DO UPDATE SET ${merge.map((c) => `${c} = trace_index.${c} + excluded.${c}`).join(', ')}`, part.flat());
    }
    const identityRows = identity.sorted().map((r) => [...r.labels, ...r.sums, ...identityTimes.get(r)!]);
    for (let i = 0; i < identityRows.length; i += CHUNK) {
      const part = identityRows.slice(i, i + CHUNK);
      const cols = ['day_ms', 'tenant', 'user_id', 'session_id', ...IDENTITY_SUMMED, 'first_ms', 'last_ms'];
      yield* run(`INSERT INTO identity_rollup (${cols.join(', ')}) VALUES ${valuesList(part.length, cols.length)}
        ON CONFLICT (day_ms, tenant, user_id, session_id) DO UPDATE SET ${IDENTITY_SUMMED.map((c) => `${c} = identity_rollup.${c} + excluded.${c}`).join(', ')},
        first_ms = CASE WHEN excluded.first_ms < identity_rollup.first_ms THEN excluded.first_ms ELSE identity_rollup.first_ms END,
        last_ms = CASE WHEN excluded.last_ms > identity_rollup.last_ms THEN excluded.last_ms ELSE identity_rollup.last_ms END`, part.flat());
    }
  }

  /**
   * Adds a trace (or late spans) to its key when the key is open: a guarded UPDATE that holds the key's row
   * until the batch commits, so a concurrent close (on another instance) folds this cost in, or refuses it.
   */
  private *joinKey(key: string, t: TraceRollup, room: { count?: number }):
  Sql<{ open: true; outcome: string | null; success: string | null } | { open: false; reason: 'index_full' | 'closed'; outcome?: string | null; success?: string | null }> {
    const l = t.labels;
    const top = t.late ? -1 : t.totalUsd;
    for (let attempt = 0; attempt < 3; attempt++) {
      const joined = yield* one<{ outcome: string | null; success: string | null }>(`UPDATE outcome_keys SET traces = traces + ?, cost_usd = cost_usd + ?,
          last_ms = CASE WHEN last_ms < ? THEN ? ELSE last_ms END,
          tenant = COALESCE(tenant, ?), feature = COALESCE(feature, ?), workflow = COALESCE(workflow, ?),
          top_trace_id = CASE WHEN top_cost_usd IS NULL OR top_cost_usd < ? THEN ? ELSE top_trace_id END,
          top_cost_usd = CASE WHEN top_cost_usd IS NULL OR top_cost_usd < ? THEN ? ELSE top_cost_usd END
        WHERE key = ? AND ((state = 'pending' AND closes_ms > ?) OR (state = 'reported' AND closes_ms >= ?))
        RETURNING outcome, success`,
      [t.late ? 0 : 1, t.totalUsd, t.atMs, t.atMs, known(l.tenant), known(l.feature), known(l.workflow), top, t.traceId, top, t.totalUsd, key, t.atMs, t.atMs]);
      if (joined) return { open: true, outcome: joined.outcome, success: joined.success };
      const k = yield* this.keyOf(key);
      if (k) return { open: false, reason: 'closed', outcome: k.outcome, success: k.success };
      // Late spans never open a key: their trace was counted already.
      if (t.late) return { open: false, reason: 'closed' };
      if (!(yield* this.makeRoom(room))) return { open: false, reason: 'index_full' };
      yield* run(`INSERT INTO outcome_keys (key, state, first_ms, last_ms, due_ms, closes_ms) VALUES (?, 'pending', ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`,
        [key, t.atMs, t.atMs, t.atMs + this.settings.windowMs, t.atMs + this.settings.windowMs]);
    }
    throw new Error(`outcome key ${JSON.stringify(key)} changed under three attempts`);
  }

  private *keyOf(key: string): Sql<KeyRow | undefined> {
    return yield* one<KeyRow>('SELECT key, state, outcome, success, outcome_ms, counted, due_ms, closes_ms FROM outcome_keys WHERE key = ?', [key]);
  }

  /** Room for one more key: at the bound, the oldest closed keys (kept only for repeated reports) make way. */
  private *makeRoom(room: { count?: number }): Sql<boolean> {
    room.count ??= Number((yield* one<{ n: number }>('SELECT count(*) AS n FROM outcome_keys'))!.n);
    if (room.count >= this.settings.maxKeys) {
      const evict = Math.max(1, Math.ceil(this.settings.maxKeys / 100));
      room.count -= yield* run(`DELETE FROM outcome_keys WHERE key IN (SELECT key FROM outcome_keys WHERE state = 'closed' ORDER BY closes_ms LIMIT ?)`, [evict]);
    }
    if (room.count >= this.settings.maxKeys) return false;
    room.count++;
    return true;
  }

  /**
   * Reports a key's outcome: the first report is recorded (counted by the next sweep), the same one again is
   * a repeat, a different one a conflict. A pending key whose window has closed is first reported `none`.
   */
  *report(key: string, outcome: string, success: string, outcomeMs: number, nowMs: number, room: { count?: number } = {}): Sql<ReportAnswer> {
    const closes = outcomeMs + this.settings.windowMs;
    for (let attempt = 0; attempt < 3; attempt++) {
      const k = yield* this.keyOf(key);
      if (!k) {
        if (!(yield* this.makeRoom(room))) return { result: 'index_full' };
        const n = yield* run(`INSERT INTO outcome_keys (key, state, first_ms, last_ms, outcome, success, outcome_ms, due_ms, closes_ms)
          VALUES (?, 'reported', ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING`, [key, nowMs, nowMs, outcome, success, outcomeMs, nowMs, closes]);
        if (n === 1) return { result: 'recorded' };
        continue;
      }
      if (k.state === 'pending') {
        if (k.closes_ms <= nowMs) {
          yield* this.expire(k.key, nowMs);
          continue;
        }
        const n = yield* run(`UPDATE outcome_keys SET state = 'reported', outcome = ?, success = ?, outcome_ms = ?, due_ms = ?, closes_ms = ?
          WHERE key = ? AND state = 'pending'`, [outcome, success, outcomeMs, nowMs, closes, key]);
        if (n === 1) return { result: 'recorded' };
        continue;
      }
      const existing = { outcome: k.outcome!, success: k.success!, timeMs: k.outcome_ms!, state: k.state };
      return { result: k.outcome === outcome && k.success === success ? 'repeat' : 'conflict', existing };
    }
    throw new Error(`outcome key ${JSON.stringify(key)} changed under three attempts`);
  }

  /** A pending key whose window closed: reported as `none` (never a success), counted by the sweep. */
  private *expire(key: string, nowMs: number): Sql<void> {
    yield* run(`UPDATE outcome_keys SET state = 'reported', outcome = ?, success = ?, outcome_ms = closes_ms, due_ms = ?
      WHERE key = ? AND state = 'pending' AND closes_ms <= ?`, [sc.OUTCOME_NONE, sc.SUCCESS_UNKNOWN, nowMs, key, nowMs]);
  }

  /** Whether any key needs the sweep now (a cheap check before opening a transaction). */
  *hasDue(nowMs: number): Sql<boolean> {
    return (yield* one('SELECT 1 AS due FROM outcome_keys WHERE due_ms <= ? LIMIT 1', [nowMs])) !== undefined;
  }

  /**
   * Moves due keys on: expires pending keys at the end of their window, counts reported outcomes (an event
   * each; a key with a trace still open here waits for it), closes keys whose window after the outcome ended
   * (their rows folded into the roll-up tables), forgets closed keys. Returns how many keys it looked at.
   */
  *sweep(nowMs: number, openHere: (key: string) => boolean): Sql<number> {
    const due = yield* all<KeyRow>(`SELECT key, state, outcome, success, outcome_ms, counted, due_ms, closes_ms FROM outcome_keys
      WHERE due_ms <= ? ORDER BY due_ms LIMIT ?`, [nowMs, SWEEP_LIMIT]);
    for (const k of due) {
      if (k.state === 'closed') {
        yield* run(`DELETE FROM outcome_keys WHERE key = ? AND state = 'closed' AND due_ms <= ?`, [k.key, nowMs]);
        continue;
      }
      if (k.state === 'pending') {
        yield* this.expire(k.key, nowMs);
      } else if (!k.counted && k.outcome !== sc.OUTCOME_NONE && openHere(k.key)) {
        yield* run('UPDATE outcome_keys SET due_ms = ? WHERE key = ? AND counted = 0', [nowMs + RECHECK_MS, k.key]);
        continue;
      }
      yield* this.count(k.key, nowMs);
      yield* this.close(k.key, nowMs);
    }
    return due.length;
  }

  /** Counts a reported key's outcome once: its outcome rows, and an event with its summed cost. */
  private *count(key: string, nowMs: number): Sql<void> {
    const k = yield* one<{ tenant: string | null; feature: string | null; workflow: string | null; outcome: string; success: string; outcome_ms: number; cost_usd: number; top_trace_id: string | null }>(
      `UPDATE outcome_keys SET counted = 1, due_ms = closes_ms WHERE key = ? AND state = 'reported' AND counted = 0
       RETURNING tenant, feature, workflow, outcome, success, outcome_ms, cost_usd, top_trace_id`, [key]);
    if (!k) return;
    const labels: TraceLabels = {
      tenant: k.tenant ?? sc.LABEL_VALUE_UNKNOWN, feature: k.feature ?? sc.LABEL_VALUE_UNKNOWN, workflow: k.workflow ?? sc.LABEL_VALUE_UNKNOWN,
      outcome: k.outcome, success: k.success,
    };
    const l = [this.bucket(Math.min(k.outcome_ms, nowMs)), labels.tenant, labels.feature, labels.workflow, labels.outcome, labels.success];
    const one_ = SUMMED.map((_, i) => (i === 0 ? 1 : 0));
    const rows = new Rows();
    rows.add(l, one_);
    yield* upsert('outcome_rollup', OUTCOME_LABELS, rows);
    const calls = new Rows();
    for (const c of yield* all<{ route: string; model: string }>('SELECT DISTINCT route, model FROM key_call_rollup WHERE key = ?', [key])) {
      calls.add([...l, c.route, c.model], one_);
    }
    yield* upsert('call_rollup', [...OUTCOME_LABELS, 'route', 'model'], calls);
    yield* run(`UPDATE trace_index SET outcome = ?, success = ? WHERE outcome_key = ? AND outcome = '${sc.OUTCOME_PENDING}'`, [labels.outcome, labels.success, key]);
    yield* this.addEvent(nowMs, labels, Number(k.cost_usd), k.top_trace_id ?? undefined, key);
  }

  /** Closes a counted key at the end of its window: its rows go into the roll-up tables under its outcome. */
  private *close(key: string, nowMs: number): Sql<void> {
    const k = yield* one<{ outcome: string; success: string }>(`UPDATE outcome_keys SET state = 'closed', due_ms = closes_ms + ?
      WHERE key = ? AND state = 'reported' AND counted = 1 AND closes_ms <= ? RETURNING outcome, success`, [this.settings.windowMs, key, nowMs]);
    if (!k) return;
    const s = SUMMED.join(', ');
    yield* run(`INSERT INTO outcome_rollup (${OUTCOME_LABELS.join(', ')}, ${s}) SELECT bucket_ms, tenant, feature, workflow, ?, ?, ${s} FROM key_rollup
      WHERE key = ? ON CONFLICT (${OUTCOME_LABELS.join(', ')}) DO UPDATE SET ${sumsUpdate('outcome_rollup')}`, [k.outcome, k.success, key]);
    yield* run(`INSERT INTO call_rollup (${OUTCOME_LABELS.join(', ')}, route, model, ${s}) SELECT bucket_ms, tenant, feature, workflow, ?, ?, route, model, ${s}
      FROM key_call_rollup WHERE key = ? ON CONFLICT (${OUTCOME_LABELS.join(', ')}, route, model) DO UPDATE SET ${sumsUpdate('call_rollup')}`, [k.outcome, k.success, key]);
    yield* run('DELETE FROM key_rollup WHERE key = ?', [key]);
    yield* run('DELETE FROM key_call_rollup WHERE key = ?', [key]);
  }

  private *addEvent(nowMs: number, l: TraceLabels, costUsd: number, traceId: string | undefined, key: string | undefined): Sql<void> {
    yield* run(`INSERT INTO outcome_events (at_ms, tenant, feature, workflow, outcome, success, cost_usd, trace_id, outcome_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [nowMs, l.tenant, l.feature, l.workflow, l.outcome, l.success, costUsd, traceId ?? null, key ?? null]);
  }

  /** Takes (deletes) the waiting events: the embedded store, inside the transaction that applies them. */
  *takeEvents(limit: number): Sql<OutcomeEvent[]> {
    const rows = yield* all<EventRow>(`DELETE FROM outcome_events WHERE id IN (SELECT id FROM outcome_events ORDER BY id LIMIT ?) RETURNING *`, [limit]);
    return rows.map(toEvent).sort((a, b) => a.id - b.id);
  }

  /** Claims unclaimed events for `instance` (shared store): it applies them locally, then acks them. */
  *claimEvents(instance: string, limit: number): Sql<OutcomeEvent[]> {
    const rows = yield* all<EventRow>(`UPDATE outcome_events SET claimed_by = ? WHERE claimed_by IS NULL AND id IN
      (SELECT id FROM outcome_events WHERE claimed_by IS NULL ORDER BY id LIMIT ?) RETURNING *`, [instance, limit]);
    return rows.map(toEvent).sort((a, b) => a.id - b.id);
  }

  /** Events `instance` claimed and has not acked (after a crash). */
  *claimedBy(instance: string): Sql<OutcomeEvent[]> {
    return (yield* all<EventRow>('SELECT * FROM outcome_events WHERE claimed_by = ? ORDER BY id', [instance])).map(toEvent);
  }

  *ackEvents(ids: readonly number[]): Sql<void> {
    for (let i = 0; i < ids.length; i += CHUNK) {
      const part = ids.slice(i, i + CHUNK);
      yield* run(`DELETE FROM outcome_events WHERE id IN (${part.map(() => '?').join(',')})`, part);
    }
  }

  /**
   * Drops what is past TOKENLEDGER_TRACE_INDEX_RETENTION (trace index, user and session costs) and, over
   * TOKENLEDGER_TRACE_INDEX_MAX_TRACES, the cheapest traces of each workflow and hour: every group keeps its
   * most expensive ones, the same number each (fewer where it has fewer). Returns the traces trimmed.
   */
  *prune(nowMs: number): Sql<number> {
    const cutoff = nowMs - this.settings.traceIndexRetentionMs;
    yield* run('DELETE FROM trace_index WHERE finalised_ms < ?', [cutoff]);
    yield* run('DELETE FROM trace_index_trims WHERE hour_ms < ?', [Math.floor(cutoff / HOUR_MS) * HOUR_MS]);
    yield* run('DELETE FROM identity_rollup WHERE day_ms < ?', [Math.floor(cutoff / DAY_MS) * DAY_MS]);
    yield* run('DELETE FROM applied_batches WHERE applied_ms < ?', [nowMs - DAY_MS]);
    const max = this.settings.traceIndexMaxTraces;
    const n = Number((yield* one<{ n: number }>('SELECT count(*) AS n FROM trace_index'))!.n);
    if (n <= max) return 0;
    const groups = yield* all<{ workflow: string; hour_ms: number; n: number }>('SELECT workflow, hour_ms, count(*) AS n FROM trace_index GROUP BY workflow, hour_ms');
    // Trim to 90% so the next traces do not trim again at once.
    const keep = keepPerGroup(groups.map((g) => Number(g.n)), Math.floor(max * 0.9));
    let dropped = 0;
    for (const g of groups) {
      const d = Number(g.n) - keep;
      if (d <= 0) continue;
      dropped += d;
      yield* run(`INSERT INTO trace_index_trims (workflow, hour_ms, dropped) VALUES (?, ?, ?)
        ON CONFLICT (workflow, hour_ms) DO UPDATE SET dropped = trace_index_trims.dropped + excluded.dropped`, [g.workflow, g.hour_ms, d]);
    }
    yield* run(`DELETE FROM trace_index WHERE trace_id IN (SELECT trace_id FROM (SELECT trace_id,
      ROW_NUMBER() OVER (PARTITION BY workflow, hour_ms ORDER BY cost_usd DESC, trace_id) AS rank FROM trace_index) ranked WHERE rank > ?)`, [keep]);
    return dropped;
  }

  /** Shared store: whether this batch of an instance was applied already (then it is skipped), recording it if not. */
  *firstApplication(instance: string, batch: number, nowMs: number): Sql<boolean> {
    return (yield* run('INSERT INTO applied_batches (instance, batch, applied_ms) VALUES (?, ?, ?) ON CONFLICT (instance, batch) DO NOTHING', [instance, batch, nowMs])) === 1;
  }
}

/** The largest k such that keeping at most k of each group keeps at most `target` in all. */
export function keepPerGroup(sizes: readonly number[], target: number): number {
  let lo = 0;
  let hi = Math.max(0, ...sizes);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const total = sizes.reduce((t, n) => t + Math.min(n, mid), 0);
    if (total <= target) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function* upsert(table: string, labelColumns: readonly string[], rows: Rows): Sql<void> {
  const list = rows.sorted();
  const cols = [...labelColumns, ...SUMMED];
  for (let i = 0; i < list.length; i += CHUNK) {
    const part = list.slice(i, i + CHUNK);
    yield* run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${valuesList(part.length, cols.length)}
      ON CONFLICT (${labelColumns.join(', ')}) DO UPDATE SET ${sumsUpdate(table)}`,
    part.flatMap((r) => [...r.labels, ...r.sums]));
  }
}

interface EventRow {
  id: number | string;
  at_ms: number;
  tenant: string;
  feature: string;
  workflow: string;
  outcome: string;
  success: string;
  cost_usd: number;
  trace_id: string | null;
  outcome_key: string | null;
}

function toEvent(r: EventRow): OutcomeEvent {
  return {
    id: Number(r.id), atMs: Number(r.at_ms), costUsd: Number(r.cost_usd),
    labels: { tenant: r.tenant, feature: r.feature, workflow: r.workflow, outcome: r.outcome, success: r.success },
    ...(r.trace_id !== null && { traceId: r.trace_id }),
    ...(r.outcome_key !== null && { outcomeKey: r.outcome_key }),
  };
}
