// The tables of what must be global when several instances run (store/shared-store.ts): roll-up rows, outcome
// keys and their costs, the per-trace index, user and session costs. In the embedded SQLite store by default;
// in PostgreSQL with TOKENLEDGER_SHARED_STORE. Spans, metric series and the add-ons' tables stay local.
import { OUTCOME_PENDING, SUCCESS_UNKNOWN } from '@tokenledger/semconv';
import type { Dialect } from './sql.ts';

/** The summed columns of a roll-up row, in order (outcome_rollup, call_rollup and the per-key rows alike). */
export const SUMMED = [
  'outcomes', 'cost_usd', 'retry_cost_usd', 'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens',
  // What the cost of calls cannot say: unpriced calls, of them those of unknown usage, cost priced without cache effects.
  'unpriced_calls', 'unknown_usage_calls', 'cost_excluding_cache_usd',
] as const;
/** `SET` of an upsert that adds a row's sums to `table`'s existing row. */
export const sumsUpdate = (table: string): string => SUMMED.map((c) => `${c} = ${table}.${c} + excluded.${c}`).join(', ');
export const OUTCOME_LABELS = ['bucket_ms', 'tenant', 'feature', 'workflow', 'outcome', 'success'] as const;
export const KEY_LABELS = ['key', 'bucket_ms', 'tenant', 'feature', 'workflow'] as const;

export const TRACE_INDEX_COLUMNS = [
  'trace_id', 'start_ms', 'end_ms', 'finalised_ms', 'hour_ms', 'tenant', 'feature', 'workflow', 'outcome', 'success', 'outcome_key',
  'user_id', 'session_id', 'spans', 'calls', 'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens', 'cost_usd',
  'retry_cost_usd', 'models',
] as const;

export const IDENTITY_SUMMED = ['traces', 'cost_usd', 'retry_cost_usd', 'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens'] as const;

interface Types {
  real: string;
  text: string;
  serial: string;
  noRowid: string;
}

const TYPES: Record<Dialect, Types> = {
  sqlite: { real: 'REAL', text: 'TEXT', serial: 'INTEGER PRIMARY KEY AUTOINCREMENT', noRowid: ' WITHOUT ROWID' },
  pg: { real: 'DOUBLE PRECISION', text: 'TEXT', serial: 'BIGSERIAL PRIMARY KEY', noRowid: '' },
};

const sums = (t: Types, cols: readonly string[] = SUMMED) => cols.map((c) => `${c} ${t.real} NOT NULL DEFAULT 0`).join(', ');

/** outcome_rollup and call_rollup: in SQLite they predate this file (store/database.ts). */
function rollupTables(t: Types): string {
  return `
CREATE TABLE IF NOT EXISTS outcome_rollup (
  bucket_ms ${t.real} NOT NULL, tenant ${t.text} NOT NULL, feature ${t.text} NOT NULL, workflow ${t.text} NOT NULL,
  outcome ${t.text} NOT NULL, success ${t.text} NOT NULL, ${sums(t)},
  PRIMARY KEY (bucket_ms, tenant, feature, workflow, outcome, success));
CREATE TABLE IF NOT EXISTS call_rollup (
  bucket_ms ${t.real} NOT NULL, tenant ${t.text} NOT NULL, feature ${t.text} NOT NULL, workflow ${t.text} NOT NULL,
  outcome ${t.text} NOT NULL, success ${t.text} NOT NULL, route ${t.text} NOT NULL, model ${t.text} NOT NULL, ${sums(t)},
  PRIMARY KEY (bucket_ms, tenant, feature, workflow, outcome, success, route, model));`;
}

// trace_index is a rowid table in SQLite too, trace_id its unique key (NOT NULL, as WITHOUT ROWID made it): one row a
// finalised trace, keyed by a random id, with five indexes — WITHOUT ROWID it was a random insert of a wide row and
// the 32-character id in every index entry, and finalising wrote more than twice the pages (store/database.ts
// rebuilds the table of an older store once).
function sharedTables(t: Types): string {
  return `
CREATE TABLE IF NOT EXISTS outcome_keys (
  key ${t.text} PRIMARY KEY,
  state ${t.text} NOT NULL,
  tenant ${t.text}, feature ${t.text}, workflow ${t.text},
  first_ms ${t.real} NOT NULL, last_ms ${t.real} NOT NULL,
  traces ${t.real} NOT NULL DEFAULT 0, cost_usd ${t.real} NOT NULL DEFAULT 0,
  top_trace_id ${t.text}, top_cost_usd ${t.real},
  outcome ${t.text}, success ${t.text}, outcome_ms ${t.real},
  counted ${t.real} NOT NULL DEFAULT 0,
  due_ms ${t.real} NOT NULL, closes_ms ${t.real} NOT NULL)${t.noRowid};
CREATE INDEX IF NOT EXISTS outcome_keys_due ON outcome_keys (due_ms);
CREATE INDEX IF NOT EXISTS outcome_keys_state ON outcome_keys (state, closes_ms);
CREATE TABLE IF NOT EXISTS key_rollup (
  key ${t.text} NOT NULL, bucket_ms ${t.real} NOT NULL, tenant ${t.text} NOT NULL, feature ${t.text} NOT NULL, workflow ${t.text} NOT NULL, ${sums(t)},
  PRIMARY KEY (key, bucket_ms, tenant, feature, workflow))${t.noRowid};
CREATE TABLE IF NOT EXISTS key_call_rollup (
  key ${t.text} NOT NULL, bucket_ms ${t.real} NOT NULL, tenant ${t.text} NOT NULL, feature ${t.text} NOT NULL, workflow ${t.text} NOT NULL,
  route ${t.text} NOT NULL, model ${t.text} NOT NULL, ${sums(t)},
  PRIMARY KEY (key, bucket_ms, tenant, feature, workflow, route, model))${t.noRowid};
CREATE TABLE IF NOT EXISTS outcome_events (
  id ${t.serial}, at_ms ${t.real} NOT NULL,
  tenant ${t.text} NOT NULL, feature ${t.text} NOT NULL, workflow ${t.text} NOT NULL, outcome ${t.text} NOT NULL, success ${t.text} NOT NULL,
  cost_usd ${t.real} NOT NULL, trace_id ${t.text}, outcome_key ${t.text}, claimed_by ${t.text});
CREATE INDEX IF NOT EXISTS outcome_events_claimed ON outcome_events (claimed_by);
CREATE TABLE IF NOT EXISTS trace_index (
  trace_id ${t.text} NOT NULL PRIMARY KEY, start_ms ${t.real} NOT NULL, end_ms ${t.real} NOT NULL, finalised_ms ${t.real} NOT NULL, hour_ms ${t.real} NOT NULL,
  tenant ${t.text} NOT NULL, feature ${t.text} NOT NULL, workflow ${t.text} NOT NULL, outcome ${t.text} NOT NULL, success ${t.text} NOT NULL,
  outcome_key ${t.text}, user_id ${t.text}, session_id ${t.text},
  spans ${t.real} NOT NULL, calls ${t.real} NOT NULL, input_tokens ${t.real} NOT NULL, cache_read_tokens ${t.real} NOT NULL,
  cache_write_tokens ${t.real} NOT NULL, output_tokens ${t.real} NOT NULL, cost_usd ${t.real} NOT NULL, retry_cost_usd ${t.real} NOT NULL,
  models ${t.text} NOT NULL);
CREATE INDEX IF NOT EXISTS trace_index_start ON trace_index (start_ms);
CREATE INDEX IF NOT EXISTS trace_index_finalised ON trace_index (finalised_ms);
CREATE INDEX IF NOT EXISTS trace_index_cost ON trace_index (cost_usd);
CREATE INDEX IF NOT EXISTS trace_index_group ON trace_index (workflow, hour_ms, cost_usd);
CREATE INDEX IF NOT EXISTS trace_index_key ON trace_index (outcome_key);
CREATE TABLE IF NOT EXISTS trace_index_trims (
  workflow ${t.text} NOT NULL, hour_ms ${t.real} NOT NULL, dropped ${t.real} NOT NULL, PRIMARY KEY (workflow, hour_ms))${t.noRowid};
CREATE TABLE IF NOT EXISTS identity_rollup (
  day_ms ${t.real} NOT NULL, tenant ${t.text} NOT NULL, user_id ${t.text} NOT NULL, session_id ${t.text} NOT NULL, ${sums(t, IDENTITY_SUMMED)},
  first_ms ${t.real} NOT NULL, last_ms ${t.real} NOT NULL,
  PRIMARY KEY (day_ms, tenant, user_id, session_id))${t.noRowid};
CREATE TABLE IF NOT EXISTS applied_batches (
  instance ${t.text} NOT NULL, batch ${t.real} NOT NULL, applied_ms ${t.real} NOT NULL, PRIMARY KEY (instance, batch))${t.noRowid};
`;
}

/**
 * What API queries read: the roll-up rows, and the rows of outcome keys still open labelled with their key's
 * outcome (`pending` until it is reported) — so a reported outcome relabels its traces' cost at once, exactly.
 * Closed keys' rows are folded into the roll-up tables.
 */
export function sharedViews(): { name: string; sql: string }[] {
  const s = SUMMED.join(', ');
  const rs = SUMMED.map((c) => `r.${c}`).join(', ');
  const label = `COALESCE(k.outcome, '${OUTCOME_PENDING}'), COALESCE(k.success, '${SUCCESS_UNKNOWN}')`;
  return [
    {
      name: 'outcome_rows',
      sql: `CREATE VIEW outcome_rows AS
  SELECT bucket_ms, tenant, feature, workflow, outcome, success, ${s} FROM outcome_rollup
  UNION ALL
  SELECT r.bucket_ms, r.tenant, r.feature, r.workflow, ${label}, ${rs}
  FROM key_rollup r JOIN outcome_keys k ON k.key = r.key`,
    },
    {
      name: 'call_rows',
      sql: `CREATE VIEW call_rows AS
  SELECT bucket_ms, tenant, feature, workflow, outcome, success, route, model, ${s} FROM call_rollup
  UNION ALL
  SELECT r.bucket_ms, r.tenant, r.feature, r.workflow, ${label}, r.route, r.model, ${rs}
  FROM key_call_rollup r JOIN outcome_keys k ON k.key = r.key`,
    },
  ];
}

const views = () => sharedViews().map((v) => `DROP VIEW IF EXISTS ${v.name};\n${v.sql};\n`).join('');

/**
 * The shared tables the embedded store adds to its own (roll-up tables included, for a store created here); the
 * views are store/database.ts's, rewritten only when they change (a start writes nothing: it works on a full disk).
 */
export function sqliteSharedTables(): string {
  return rollupTables(TYPES.sqlite) + sharedTables(TYPES.sqlite);
}

export function pgSchema(): string {
  return rollupTables(TYPES.pg) + sharedTables(TYPES.pg) + views();
}
