// A store written before the roll-up rows counted unpriced calls and cost without cache effects opens with
// those columns added (zeros for the rows already there) and takes new rows with them.
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/database.ts';
import { queryOutcomes } from '../src/store/outcomes-query.ts';
import { tempDir, testCollector } from './helpers.ts';

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
});
