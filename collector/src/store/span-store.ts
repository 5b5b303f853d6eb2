// Acknowledged spans, stored per trace and request ("chunks") until their trace is finalised.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { SpanRecord } from '../model/span-record.ts';
import type { TraceLabels } from '../rollup/types.ts';

export interface StoredChunk {
  traceId: string;
  receivedMs: number;
  spans: SpanRecord[];
}

export class SpanStore {
  private readonly insert: StatementSync;
  private readonly deleteTrace: StatementSync;
  private readonly finalisedLabels: StatementSync;
  private readonly all: StatementSync;
  private readonly db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.insert = db.prepare('INSERT INTO span_chunks (trace_id, received_ms, spans) VALUES (?, ?, ?)');
    this.deleteTrace = db.prepare('DELETE FROM span_chunks WHERE trace_id = ?');
    this.finalisedLabels = db.prepare('SELECT labels FROM finalised WHERE trace_id = ?');
    this.all = db.prepare('SELECT trace_id, received_ms, spans FROM span_chunks ORDER BY id');
  }

  /** Inside a transaction: stores the spans of one trace from one request. */
  add(traceId: string, receivedMs: number, spans: SpanRecord[]): void {
    this.insert.run(traceId, receivedMs, JSON.stringify(spans));
  }

  /** Inside a transaction: forgets a trace's spans once its roll-up is written. */
  remove(traceId: string): void {
    this.deleteTrace.run(traceId);
  }

  /** The labels a trace was finalised with, if it was (and is still remembered for late spans). */
  finalised(traceId: string): TraceLabels | undefined {
    const row = this.finalisedLabels.get(traceId) as { labels: string } | undefined;
    return row ? (JSON.parse(row.labels) as TraceLabels) : undefined;
  }

  /** Every stored chunk in arrival order (recovery after a restart). */
  *chunks(): Generator<StoredChunk> {
    for (const row of this.all.iterate() as Iterable<{ trace_id: string; received_ms: number; spans: string }>) {
      yield { traceId: row.trace_id, receivedMs: row.received_ms, spans: JSON.parse(row.spans) as SpanRecord[] };
    }
  }

  countSpanChunks(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM span_chunks').get() as { n: number }).n;
  }
}
