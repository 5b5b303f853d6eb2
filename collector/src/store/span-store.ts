// Acknowledged spans, stored per trace and request ("chunks") until their trace is finalised.
// A span is stored as a compact array with attribute keys replaced by ids (the attribute_keys table):
// half the bytes to write and to stringify, and the dictionary lives in the same store, so it
// survives restarts and upgrades.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { AttributeValue, SpanRecord } from '../model/span-record.ts';
import type { TraceLabels } from '../rollup/types.ts';

export interface StoredChunk {
  traceId: string;
  receivedMs: number;
  spans: SpanRecord[];
}

/** [spanId, parentSpanId, startMs, endMs, statusCode, keyId, value, keyId, value, …] */
type StoredSpan = (string | number | boolean)[];
const FIXED = 5;

export class SpanStore {
  private readonly insert: StatementSync;
  private readonly insertKey: StatementSync;
  private readonly deleteTraces: StatementSync;
  private readonly finalisedLabels: StatementSync;
  private readonly all: StatementSync;
  private readonly keyIds = new Map<string, number>();
  private readonly keys: string[] = [];
  /** Keys added in the transaction under way: forgotten again if it rolls back. */
  private uncommittedKeys: string[] = [];

  constructor(db: DatabaseSync) {
    this.insert = db.prepare('INSERT INTO span_chunks (trace_id, received_ms, spans) VALUES (?, ?, ?)');
    this.insertKey = db.prepare('INSERT INTO attribute_keys (id, key) VALUES (?, ?)');
    this.deleteTraces = db.prepare('DELETE FROM span_chunks WHERE trace_id IN (SELECT value FROM json_each(?))');
    this.finalisedLabels = db.prepare('SELECT trace_id, labels FROM finalised WHERE trace_id IN (SELECT value FROM json_each(?))');
    this.all = db.prepare('SELECT trace_id, received_ms, spans FROM span_chunks ORDER BY id');
    for (const row of db.prepare('SELECT id, key FROM attribute_keys').all() as { id: number; key: string }[]) {
      this.keyIds.set(row.key, row.id);
      this.keys[row.id] = row.key;
    }
  }

  /** Inside a transaction: stores the spans of one trace from one request. */
  add(traceId: string, receivedMs: number, spans: SpanRecord[]): void {
    const stored: StoredSpan[] = new Array(spans.length);
    for (let i = 0; i < spans.length; i++) {
      const s = spans[i]!;
      const row: StoredSpan = [s.spanId, s.parentSpanId, s.startMs, s.endMs, s.statusCode];
      for (const key in s.attributes) row.push(this.keyId(key), s.attributes[key]!);
      stored[i] = row;
    }
    this.insert.run(traceId, receivedMs, JSON.stringify(stored));
  }

  /** After the transaction: keeps (committed) or forgets (rolled back) the keys it added. */
  settleKeys(committed: boolean): void {
    if (!committed) {
      for (const k of this.uncommittedKeys) {
        this.keys.length = Math.min(this.keys.length, this.keyIds.get(k)!);
        this.keyIds.delete(k);
      }
    }
    this.uncommittedKeys = [];
  }

  /** Inside a transaction: forgets the traces' spans once their roll-ups are written (one statement). */
  remove(traceIds: readonly string[]): void {
    if (traceIds.length > 0) this.deleteTraces.run(JSON.stringify(traceIds));
  }

  /** Of `traceIds`, those finalised (and still remembered for late spans), with their labels: one statement for them all. */
  finalised(traceIds: readonly string[]): Map<string, TraceLabels> {
    const found = new Map<string, TraceLabels>();
    if (traceIds.length === 0) return found;
    for (const row of this.finalisedLabels.all(JSON.stringify(traceIds)) as { trace_id: string; labels: string }[]) {
      found.set(row.trace_id, JSON.parse(row.labels) as TraceLabels);
    }
    return found;
  }

  /** Every stored chunk in arrival order (recovery after a restart). */
  *chunks(): Generator<StoredChunk> {
    for (const row of this.all.iterate() as Iterable<{ trace_id: string; received_ms: number; spans: string }>) {
      const spans = (JSON.parse(row.spans) as StoredSpan[]).map((r) => this.decode(row.trace_id, r));
      yield { traceId: row.trace_id, receivedMs: row.received_ms, spans };
    }
  }

  private decode(traceId: string, r: StoredSpan): SpanRecord {
    const attributes: Record<string, AttributeValue> = {};
    for (let i = FIXED; i < r.length; i += 2) attributes[this.keys[r[i] as number]!] = r[i + 1]!;
    // The name is not read by the roll-up, so it is not stored.
    return { traceId, spanId: r[0] as string, parentSpanId: r[1] as string, name: '', startMs: r[2] as number, endMs: r[3] as number, statusCode: r[4] as 0 | 1 | 2, attributes };
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.insertKey.run(id, key);
      this.keyIds.set(key, id);
      this.keys.push(key);
      this.uncommittedKeys.push(key);
    }
    return id;
  }
}
