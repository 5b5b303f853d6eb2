// PostgreSQL retrieval through `pg`: the upstream pg instrumentation's hooks mark vector and full-text
// searches as retrieval spans (operation, data source, documents returned, top-k).
import { diag, type Span } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { PgInstrumentation, type PgRequestHookInformation, type PgResponseHookInformation } from '@opentelemetry/instrumentation-pg';
import {
  ATTR_GEN_AI_DATA_SOURCE_ID,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_RETRIEVAL_DOCUMENTS,
  ATTR_RETRIEVAL_TOP_K,
  OPERATION_RETRIEVAL,
} from '@tokenledger/semconv';
import { classifyRetrievalSql } from './sql.ts';
import type { PgRetrievalConfig } from './types.ts';

/** The pg instrumentation with retrieval recognition; give it to the SDK's instrumentation list. */
export function createPgInstrumentations(config: PgRetrievalConfig = {}): Instrumentation[] {
  // Spans marked as retrieval by the request hook, so the response hook records their row count.
  const retrievalSpans = new WeakSet<Span>();
  const dataSourceId = config.dataSourceId ?? defaultDataSourceId;
  return [
    new PgInstrumentation({
      requireParentSpan: config.requireParentSpan ?? false,
      requestHook(span, info: PgRequestHookInformation) {
        try {
          const text = info.query.text;
          const found = classifyRetrievalSql(text, info.query.values);
          if (!found) return;
          retrievalSpans.add(span);
          const source = dataSourceId({ database: info.connection.database, table: found.table, text });
          span.setAttribute(ATTR_GEN_AI_OPERATION_NAME, OPERATION_RETRIEVAL);
          span.setAttribute(ATTR_GEN_AI_DATA_SOURCE_ID, source);
          if (found.topK !== undefined) span.setAttribute(ATTR_RETRIEVAL_TOP_K, found.topK);
          span.updateName(`${OPERATION_RETRIEVAL} ${source}`);
        } catch (err) {
          diag.error('tokenledger retrieval: pg request hook failed', err);
        }
      },
      responseHook(span, info: PgResponseHookInformation) {
        try {
          if (!retrievalSpans.has(span)) return;
          const rows = info.data.rowCount ?? info.data.rows?.length;
          if (typeof rows === 'number') span.setAttribute(ATTR_RETRIEVAL_DOCUMENTS, rows);
        } catch (err) {
          diag.error('tokenledger retrieval: pg response hook failed', err);
        }
      },
    }),
  ];
}

function defaultDataSourceId(info: { database?: string; table?: string }): string {
  return [info.database, info.table].filter(Boolean).join('.') || 'postgresql';
}
