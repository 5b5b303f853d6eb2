// The shared store on PostgreSQL (TOKENLEDGER_SHARED_STORE=postgres://…): the same store logic as the embedded
// one (sql.ts), run in PostgreSQL transactions. `pg` is loaded only when this is configured.
import type { Pool, PoolClient } from 'pg';
import { pgSchema } from './shared-schema.ts';
import { pgPlaceholders, type Sql } from './sql.ts';

export interface PgStore {
  /** Runs `gen` in one transaction (rolled back when it throws). */
  tx<T>(gen: Sql<T>): Promise<T>;
  /** Runs read-only `gen` outside a transaction. */
  read<T>(gen: Sql<T>): Promise<T>;
  close(): Promise<void>;
}

/** Connects, creates the schema (once, under an advisory lock: instances may start together) and returns the store. */
export async function openPg(connectionString: string): Promise<PgStore> {
  const { default: pg } = await import('pg');
  const pool: Pool = new pg.Pool({ connectionString, max: 4, connectionTimeoutMillis: 10_000 });
  // An idle client's error (the server restarted) must not crash the process: the next query reconnects.
  pool.on('error', () => {});
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(7262837)');
    await client.query(pgSchema());
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
  return {
    async tx(gen) {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        const out = await runPg(c, gen);
        await c.query('COMMIT');
        return out;
      } catch (err) {
        await c.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        c.release();
      }
    },
    async read(gen) {
      const c = await pool.connect();
      try {
        return await runPg(c, gen);
      } finally {
        c.release();
      }
    },
    close: () => pool.end(),
  };
}

async function runPg<T>(client: PoolClient, gen: Sql<T>): Promise<T> {
  let step = gen.next();
  while (!step.done) {
    const op = step.value;
    let result: unknown;
    try {
      const r = await client.query(pgPlaceholders(op.sql), op.params as unknown[]);
      result = op.rows ? r.rows : (r.rowCount ?? 0);
    } catch (err) {
      step = gen.throw(err);
      continue;
    }
    step = gen.next(result);
  }
  return step.value;
}
