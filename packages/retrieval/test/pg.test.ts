import { createRequire } from 'node:module';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as PgModule from 'pg';
import { createPgInstrumentations } from '../src/index.ts';
import { setUpTracing } from '../../../test/support/otel.ts';
import { startPostgres, type Postgres } from './postgres.ts';

const { exporter } = setUpTracing();
registerInstrumentations({ instrumentations: createPgInstrumentations() });
// Required after the instrumentation is registered, as the preload does for a CommonJS app.
const pg = createRequire(import.meta.url)('pg') as typeof PgModule;

const CORPUS = [
  ['Refund policy', 'Customers can request a refund within 30 days of purchase.'],
  ['Shipping times', 'Orders ship within two business days; refunds are processed in five.'],
  ['Password reset', 'Use the reset link on the sign-in page to choose a new password.'],
  ['Refund exceptions', 'Gift cards and downloadable goods are not eligible for a refund.'],
  ['Office hours', 'Support answers tickets from 9am to 5pm on weekdays.'],
];

let server: Postgres;
let client: PgModule.Client;

beforeAll(async () => {
  server = await startPostgres();
  client = new pg.Client({ host: server.socketDir, port: server.port, user: 'postgres', database: 'postgres' });
  await client.connect();
  await client.query('CREATE TABLE docs (id serial PRIMARY KEY, title text, body text, tsv tsvector, location point)');
  for (const [i, [title, body]] of CORPUS.entries()) {
    await client.query("INSERT INTO docs (title, body, tsv, location) VALUES ($1, $2, to_tsvector('english', $1 || ' ' || $2), point($3, $3))", [title, body, i]);
  }
});

afterAll(async () => {
  await client?.end();
  await server?.stop();
});

beforeEach(() => exporter.reset());

function onlySpan() {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

describe('pg retrieval', () => {
  it('marks a full-text search as retrieval with documents returned and top-k from LIMIT', async () => {
    const res = await client.query(
      "SELECT id, title, ts_rank(tsv, q) AS rank FROM docs, plainto_tsquery('english', $1) q WHERE tsv @@ q ORDER BY rank DESC LIMIT 5",
      ['refund'],
    );
    expect(res.rowCount).toBe(3); // the app sees the real result
    const span = onlySpan();
    expect(span.name).toBe('retrieval postgres.docs');
    expect(span.attributes['gen_ai.operation.name']).toBe('retrieval');
    expect(span.attributes['gen_ai.data_source.id']).toBe('postgres.docs');
    expect(span.attributes['tokenledger.retrieval.documents']).toBe(3);
    expect(span.attributes['tokenledger.retrieval.top_k']).toBe(5);
  });

  it('reads top-k from a LIMIT parameter', async () => {
    await client.query("SELECT id FROM docs WHERE tsv @@ to_tsquery('english', $1) LIMIT $2", ['refund', 2]);
    const span = onlySpan();
    expect(span.attributes['tokenledger.retrieval.top_k']).toBe(2);
    expect(span.attributes['tokenledger.retrieval.documents']).toBe(2);
  });

  it('marks a distance-operator search (<->) as retrieval', async () => {
    // pgvector is not packaged for this Debian release; the built-in geometric `<->` exercises the same path.
    const res = await client.query("SELECT id FROM docs ORDER BY location <-> point '(0,0)' LIMIT 3");
    expect(res.rows.map((r) => r.id)).toEqual([1, 2, 3]);
    const span = onlySpan();
    expect(span.attributes['gen_ai.operation.name']).toBe('retrieval');
    expect(span.attributes['tokenledger.retrieval.documents']).toBe(3);
    expect(span.attributes['tokenledger.retrieval.top_k']).toBe(3);
  });

  it('leaves ordinary queries, and operators inside string literals, as plain database spans', async () => {
    await client.query("SELECT count(*) FROM docs WHERE title <> 'a @@ b <-> c'");
    const span = onlySpan();
    expect(span.attributes['gen_ai.operation.name']).toBeUndefined();
    expect(span.attributes['tokenledger.retrieval.documents']).toBeUndefined();
    expect(span.name).not.toContain('retrieval');
  });

  it('keeps the error of a failing search on the span and the app sees it unchanged', async () => {
    await expect(client.query('SELECT id FROM missing_table WHERE tsv @@ to_tsquery($1) LIMIT 4', ['x'])).rejects.toThrow(/missing_table/);
    const span = onlySpan();
    expect(span.status.code).toBe(2);
    expect(span.attributes['gen_ai.operation.name']).toBe('retrieval');
    expect(span.attributes['tokenledger.retrieval.documents']).toBeUndefined();
  });
});
