// A store written before the roll-up rows counted unpriced calls and cost without cache effects opens with
// those columns added (zeros for the rows already there) and takes new rows with them; one whose per-trace tables
// were WITHOUT ROWID opens with them rebuilt as rowid tables.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/database.ts';
import { queryOutcomes } from '../src/store/outcomes-query.ts';
import { TRACE_INDEX_COLUMNS } from '../src/store/shared-schema.ts';
import { queryTraces } from '../src/store/shared-queries.ts';
import { tempDir, testCollector, traceId } from './helpers.ts';

/** The roll-up tables as the first release created them. */
const OLD_SCHEMA = `
CREATE TABLE outcome_rollup (
  bucket_ms INTEGER NOT NULL, tenant TEXT NOT NULL, feature TEXT NOT NULL, workflow TEXT NOT NULL,
  outcome TEXT NOT NULL, success TEXT NOT NULL,
  outcomes INTEGER NOT NULL, cost_usd REAL NOT NULL, retry_cost_usd REAL NOT NULL,
  input_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  PRIMARY KEY (bucket_ms, tenant, feature, workflow, outcome, success)
) WITHOUT ROWID;
CREATE TABLE call_rollup (
  bucket_ms INTEGER NOT NULL, tenant TEXT NOT NULL, feature TEXT NOT NULL, workflow TEXT NOT NULL,
  outcome TEXT NOT NULL, success TEXT NOT NULL, route TEXT NOT NULL, model TEXT NOT NULL,
  outcomes INTEGER NOT NULL, cost_usd REAL NOT NULL, retry_cost_usd REAL NOT NULL,
  input_tokens INTEGER NOT NULL, cache_read_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
  PRIMARY KEY (bucket_ms, tenant, feature, workflow, outcome, success, route, model)
) WITHOUT ROWID;
INSERT INTO outcome_rollup VALUES (0, 'acme', 'support', 'answer', 'done', 'true', 1, 0.5, 0, 10, 0, 0, 5);
`;

/** A table's own statement, then its indexes'. */
function layout(db: DatabaseSync, table: string): { type: string; name: string; sql: string }[] {
  return db.prepare('SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type DESC').all(table) as { type: string; name: string; sql: string }[];
}

describe('store upgrade', () => {
  it('adds the new roll-up columns to a store of the first release, keeping its rows', async () => {
    const dir = tempDir();
    const old = new DatabaseSync(join(dir, 'collector.db'));
    old.exec(OLD_SCHEMA);
    old.close();
    openDatabase(dir, 'NORMAL').close();
    const { collector } = testCollector({ TOKENLEDGER_DATA_DIR: dir });
    try {
      const [row] = await collector.outcomes.read(queryOutcomes({ groupBy: ['workflow'], sinceMs: 0, untilMs: Infinity }));
      expect(row).toMatchObject({ costUsd: 0.5, outcomes: 1, unpricedCalls: 0, unknownUsageCalls: 0, costExcludingCacheUsd: 0 });
    } finally {
      collector.db.close();
    }
  });

  it('rebuilds the per-trace tables of a store that made them WITHOUT ROWID as rowid tables, keeping rows and indexes', async () => {
    const dir = tempDir();
    // The layout before: both tables WITHOUT ROWID, with their indexes and a row each.
    const old = openDatabase(dir, 'NORMAL');
    const schema = (table: string) => layout(old, table);
    for (const table of ['finalised', 'trace_index']) {
      const [create, ...indexes] = schema(table);
      old.exec(`DROP TABLE ${table}; ${create!.sql} WITHOUT ROWID; ${indexes.map((i) => `${i.sql};`).join(' ')}`);
    }
    expect(schema('trace_index')[0]!.sql).toMatch(/WITHOUT ROWID$/);
    old.prepare('INSERT INTO finalised (trace_id, finalised_ms, labels) VALUES (?, ?, ?)').run(traceId(1), 1000, '{"tenant":"acme"}');
    old.prepare(`INSERT INTO trace_index (${TRACE_INDEX_COLUMNS.join(', ')}) VALUES (${TRACE_INDEX_COLUMNS.map(() => '?').join(', ')})`)
      .run(traceId(1), 500, 1000, 1000, 0, 'acme', 'unknown', 'answer', 'none', 'unknown', null, null, null, 2, 1, 10, 0, 0, 5, 0.25, 0, '["m"]');
    const indexesBefore = schema('trace_index').filter((r) => r.type === 'index').map((r) => r.name);
    old.close();

    const { collector } = testCollector({ TOKENLEDGER_DATA_DIR: dir });
    try {
      const db = collector.db;
      const now = (table: string) => layout(db, table);
      for (const table of ['finalised', 'trace_index']) expect(now(table)[0]!.sql).not.toMatch(/WITHOUT ROWID/);
      expect(now('trace_index').filter((r) => r.type === 'index').map((r) => r.name)).toEqual(indexesBefore);
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE '%_upgraded'").get()).toEqual({ n: 0 });
      expect(db.prepare('SELECT labels FROM finalised WHERE trace_id = ?').get(traceId(1))).toEqual({ labels: '{"tenant":"acme"}' });
      const { traces } = await collector.outcomes.read(queryTraces({ where: {}, sinceMs: 0, untilMs: Infinity, sort: 'cost', limit: 10 }));
      expect(traces).toMatchObject([{ traceId: traceId(1), tenant: 'acme', costUsd: 0.25, spans: 2, models: ['m'] }]);
    } finally {
      collector.db.close();
    }
    // Upgraded once: the next start finds nothing to do and writes nothing.
    const again = openDatabase(dir, 'NORMAL');
    expect(again.prepare('SELECT count(*) AS n FROM trace_index').get()).toEqual({ n: 1 });
    again.close();
  });
});
