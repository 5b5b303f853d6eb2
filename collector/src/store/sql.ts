// One piece of store logic for two databases: the shared part of the store (store/shared-store.ts) is written
// as generators that yield SQL statements, run synchronously on the embedded SQLite (inside the finaliser's
// transaction, as before) or asynchronously on PostgreSQL (TOKENLEDGER_SHARED_STORE) — so the rules of outcome
// keys and roll-up rows exist once, whichever store holds them. Statements use `?` placeholders and the SQL
// both databases speak (upserts with ON CONFLICT, RETURNING, window functions).
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export type SqlValue = string | number | null;

/** One statement: `rows` asks for the result rows, else for the number of rows changed. */
export interface Op {
  sql: string;
  params: readonly SqlValue[];
  rows: boolean;
}

/** Store logic returning T, as a generator of statements. */
export type Sql<T> = Generator<Op, T, unknown>;

export type Dialect = 'sqlite' | 'pg';

/** The rows of a query (numbers as numbers on both databases: callers wrap aggregates in Number()). */
export function* all<T = Record<string, SqlValue>>(sql: string, params: readonly SqlValue[] = []): Sql<T[]> {
  return (yield { sql, params, rows: true }) as T[];
}

/** The first row of a query, or undefined. */
export function* one<T = Record<string, SqlValue>>(sql: string, params: readonly SqlValue[] = []): Sql<T | undefined> {
  return (yield* all<T>(sql, params))[0];
}

/** Runs a statement; the number of rows it changed. */
export function* run(sql: string, params: readonly SqlValue[] = []): Sql<number> {
  return (yield { sql, params, rows: false }) as number;
}

/** Runs `gen` against SQLite now; the caller holds the transaction when it wants one. */
export function runSync<T>(db: DatabaseSync, gen: Sql<T>, cache: Map<string, StatementSync>): T {
  let step = gen.next();
  while (!step.done) {
    const op = step.value;
    let stmt = cache.get(op.sql);
    if (!stmt) cache.set(op.sql, (stmt = db.prepare(op.sql)));
    let result: unknown;
    try {
      result = op.rows ? stmt.all(...op.params) : Number(stmt.run(...op.params).changes);
    } catch (err) {
      step = gen.throw(err);
      continue;
    }
    step = gen.next(result);
  }
  return step.value;
}

/** `?` placeholders as PostgreSQL's `$1, $2, …` (our statements hold no `?` elsewhere). */
export function pgPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Multi-row VALUES placeholders: `(?,?),(?,?)` for `rows` rows of `columns` values. */
export function valuesList(rows: number, columns: number): string {
  const one = `(${new Array(columns).fill('?').join(',')})`;
  return new Array(rows).fill(one).join(',');
}
