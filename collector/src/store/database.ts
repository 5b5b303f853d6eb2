// The embedded store: one SQLite file (node:sqlite, WAL) under TOKENLEDGER_DATA_DIR.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { diag } from '@opentelemetry/api';
import { sharedViews, sqliteSharedTables, TRACE_INDEX_COLUMNS } from './shared-schema.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS span_chunks (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL,
  received_ms REAL NOT NULL,
  spans TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS span_chunks_trace ON span_chunks (trace_id);
CREATE TABLE IF NOT EXISTS attribute_keys (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS finalised (
  trace_id TEXT NOT NULL PRIMARY KEY,
  finalised_ms REAL NOT NULL,
  labels TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS finalised_time ON finalised (finalised_ms);
CREATE TABLE IF NOT EXISTS outcome_rollup (
  bucket_ms INTEGER NOT NULL, tenant TEXT NOT NULL, feature TEXT NOT NULL, workflow TEXT NOT NULL,
  outcome TEXT NOT NULL, success TEXT NOT NULL,
  outcomes INTEGER NOT NULL, cost_usd REAL NOT NULL, retry_cost_usd REAL NOT NULL,
  input_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  unpriced_calls INTEGER NOT NULL DEFAULT 0, unknown_usage_calls INTEGER NOT NULL DEFAULT 0, cost_excluding_cache_usd REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket_ms, tenant, feature, workflow, outcome, success)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS call_rollup (
  bucket_ms INTEGER NOT NULL, tenant TEXT NOT NULL, feature TEXT NOT NULL, workflow TEXT NOT NULL,
  outcome TEXT NOT NULL, success TEXT NOT NULL, route TEXT NOT NULL, model TEXT NOT NULL,
  outcomes INTEGER NOT NULL, cost_usd REAL NOT NULL, retry_cost_usd REAL NOT NULL,
  input_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  unpriced_calls INTEGER NOT NULL DEFAULT 0, unknown_usage_calls INTEGER NOT NULL DEFAULT 0, cost_excluding_cache_usd REAL NOT NULL DEFAULT 0,
  PRIMARY KEY (bucket_ms, tenant, feature, workflow, outcome, success, route, model)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS store_probe (id INTEGER PRIMARY KEY, at_ms REAL NOT NULL);
CREATE TABLE IF NOT EXISTS metric_state (
  metric TEXT NOT NULL, series_key TEXT NOT NULL, labels TEXT NOT NULL, state TEXT NOT NULL,
  PRIMARY KEY (metric, series_key)
) WITHOUT ROWID;
`;

export function openDatabase(dataDir: string, synchronous: 'FULL' | 'NORMAL'): DatabaseSync {
  mkdirSync(dataDir, { recursive: true });
  const db = new DatabaseSync(join(dataDir, 'collector.db'));
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous}; PRAGMA busy_timeout = 5000;`);
  withRowids(db);
  createTables(db);
  for (const v of sharedViews()) {
    const have = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?").get(v.name) as { sql: string } | undefined)?.sql;
    if (have !== v.sql) db.exec(`DROP VIEW IF EXISTS ${v.name}; ${v.sql};`);
  }
  return db;
}

function createTables(db: DatabaseSync): void {
  db.exec(SCHEMA);
  addGapColumns(db);
  // The shared part (roll-up rows, outcome keys, trace index): here unless TOKENLEDGER_SHARED_STORE says otherwise.
  db.exec(sqliteSharedTables());
}

/**
 * Tables written once per finalised trace, keyed by its random id: rowid tables (the id a unique key), since a
 * WITHOUT ROWID table of such wide rows costs a random insert of the whole row and more than twice the pages
 * written per batch. Stores made before are rebuilt once, in one transaction; if that fails (a full disk), the old
 * tables serve as before, only slower, and the next start tries again.
 */
const ROWID_TABLES: Record<string, readonly string[]> = {
  finalised: ['trace_id', 'finalised_ms', 'labels'],
  trace_index: TRACE_INDEX_COLUMNS,
};

function withRowids(db: DatabaseSync): void {
  const old = Object.keys(ROWID_TABLES).filter((name) => {
    const sql = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) as { sql: string } | undefined)?.sql;
    return sql !== undefined && /WITHOUT\s+ROWID\s*$/i.test(sql);
  });
  if (old.length === 0) return;
  try {
    transaction(db, () => {
      for (const name of old) {
        db.exec(`ALTER TABLE ${name} RENAME TO ${name}_upgraded`);
        // Its indexes went with it, under their names: made again on the new table.
        const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL").all(`${name}_upgraded`) as { name: string }[];
        for (const i of indexes) db.exec(`DROP INDEX ${i.name}`);
      }
      createTables(db);
      for (const name of old) {
        const columns = ROWID_TABLES[name]!.join(', ');
        db.exec(`INSERT INTO ${name} (${columns}) SELECT ${columns} FROM ${name}_upgraded; DROP TABLE ${name}_upgraded;`);
      }
    });
  } catch (err) {
    diag.warn(`tokenledger collector: could not rebuild ${old.join(' and ')} as rowid tables (finalising stays slower; tried again at the next start)`, err);
  }
}

/** Columns added after the first release: a store written before them gets them (as zeros). */
const GAP_COLUMNS = ['unpriced_calls INTEGER NOT NULL DEFAULT 0', 'unknown_usage_calls INTEGER NOT NULL DEFAULT 0', 'cost_excluding_cache_usd REAL NOT NULL DEFAULT 0'];

function addGapColumns(db: DatabaseSync): void {
  for (const table of ['outcome_rollup', 'call_rollup']) {
    const have = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
    for (const column of GAP_COLUMNS) if (!have.has(column.split(' ')[0]!)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column}`);
  }
}

/** Runs `fn` in one transaction: all of it is durable, or none. */
export function transaction<T>(db: DatabaseSync, fn: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const out = fn();
    db.exec('COMMIT');
    return out;
  } catch (err) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}
