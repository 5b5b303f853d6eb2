// Acknowledged spans, stored per trace and request ("chunks") until their trace is finalised.
// A span is stored as a compact array with attribute keys replaced by ids (the attribute_keys table):
// half the bytes to write and to stringify, and the dictionary lives in the same store, so it
// survives restarts and upgrades. Only the keys in use are in memory: those the stored spans name (read as
// recovery meets them) and those written since; once recovered, rows no stored span names are deleted, so
// start-up time and memory do not grow with keys of the past.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { diag } from '@opentelemetry/api';
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
/** Key ids per pruning statement: a store with millions of stale keys is cleaned a slice at a time, between other work. */
const PRUNE_SLICE = 10_000;

export class SpanStore {
  private readonly insert: StatementSync;
  private readonly insertKey: StatementSync;
  private readonly deleteTraces: StatementSync;
  private readonly finalisedLabels: StatementSync;
  private readonly all: StatementSync;
  private readonly keyById: StatementSync;
  private readonly idByKey: StatementSync;
  private readonly pruneSlice: StatementSync;
  private readonly db: DatabaseSync;
  /** The keys in use, both ways. */
  private readonly keyIds = new Map<string, number>();
  private readonly keys = new Map<number, string>();
  private nextId: number;
  /** Ids below this existed at open: the rows pruneKeys() may delete. */
  private readonly idsAtOpen: number;
  /** Keys added in the transaction under way: forgotten again if it rolls back. */
  private uncommittedKeys: string[] = [];

  constructor(db: DatabaseSync) {
    this.db = db;
    this.insert = db.prepare('INSERT INTO span_chunks (trace_id, received_ms, spans) VALUES (?, ?, ?)');
    this.insertKey = db.prepare('INSERT INTO attribute_keys (id, key) VALUES (?, ?)');
    this.deleteTraces = db.prepare('DELETE FROM span_chunks WHERE trace_id IN (SELECT value FROM json_each(?))');
    this.finalisedLabels = db.prepare('SELECT trace_id, labels FROM finalised WHERE trace_id IN (SELECT value FROM json_each(?))');
    this.all = db.prepare('SELECT trace_id, received_ms, spans FROM span_chunks ORDER BY id');
    this.keyById = db.prepare('SELECT key FROM attribute_keys WHERE id = ?');
    this.idByKey = db.prepare('SELECT id FROM attribute_keys WHERE key = ?');
    this.pruneSlice = db.prepare('DELETE FROM attribute_keys WHERE id >= ? AND id < ? AND id NOT IN (SELECT value FROM json_each(?))');
    this.nextId = this.idsAtOpen = ((db.prepare('SELECT MAX(id) AS id FROM attribute_keys').get() as { id: number | null }).id ?? -1) + 1;
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
        this.keys.delete(this.keyIds.get(k)!);
        this.keyIds.delete(k);
      }
    }
    this.uncommittedKeys = [];
  }

  /** Keys held in memory (tests: it follows the keys in use). */
  get keysInMemory(): number {
    return this.keys.size;
  }

  /**
   * Once recovered: deletes the stored keys no stored span names (those in memory are all it names), a slice of ids
   * at a time with a turn of the event loop between. Returns how many it deleted; a failed write stops it (the next
   * start tries again).
   */
  async pruneKeys(): Promise<number> {
    let deleted = 0;
    try {
      for (let lo = 0; lo < this.idsAtOpen; lo += PRUNE_SLICE) {
        const inUse: number[] = [];
        for (const id of this.keys.keys()) if (id >= lo && id < lo + PRUNE_SLICE) inUse.push(id);
        deleted += Number(this.pruneSlice.run(lo, lo + PRUNE_SLICE, JSON.stringify(inUse)).changes);
        await new Promise((resolve) => setImmediate(resolve));
        if (!this.db.isOpen) break;
      }
    } catch (err) {
      diag.warn('tokenledger collector: pruning unused attribute keys failed; the next start tries again', err);
    }
    return deleted;
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
    for (let i = FIXED; i < r.length; i += 2) {
      const key = this.keyOf(r[i] as number);
      if (key !== undefined) attributes[key] = r[i + 1]!;
    }
    // The name is not read by the roll-up, so it is not stored.
    return { traceId, spanId: r[0] as string, parentSpanId: r[1] as string, name: '', startMs: r[2] as number, endMs: r[3] as number, statusCode: r[4] as 0 | 1 | 2, attributes };
  }

  /** The key of a stored id, read from the store the first time. */
  private keyOf(id: number): string | undefined {
    let key = this.keys.get(id);
    if (key === undefined) {
      key = (this.keyById.get(id) as { key: string } | undefined)?.key;
      if (key !== undefined) this.remember(key, id);
    }
    return key;
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key);
    if (id === undefined) {
      id = (this.idByKey.get(key) as { id: number } | undefined)?.id;
      if (id === undefined) {
        id = this.nextId++;
        this.insertKey.run(id, key);
        this.uncommittedKeys.push(key);
      }
      this.remember(key, id);
    }
    return id;
  }

  private remember(key: string, id: number): void {
    this.keyIds.set(key, id);
    this.keys.set(id, key);
  }
}
