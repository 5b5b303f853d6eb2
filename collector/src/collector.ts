// Wires the collector together: store → open traces → finaliser → metrics, and the HTTP routes.
import type { DatabaseSync } from 'node:sqlite';
import type { AddressInfo } from 'node:net';
import { PriceBook } from '@tokenledger/pricing';
import { CapacityCheckpoint } from './capacity/checkpoint.ts';
import { OpenIntervalJournal } from './capacity/open-journal.ts';
import { CapacityLedger, capacityConfigFromEnv, type CapacityConfig } from './capacity/index.ts';
import { systemClock } from './config/clock.ts';
import type { Clock, CollectorConfig } from './config/types.ts';
import { addHealthRoutes } from './http/routes/health.ts';
import { addMetricsRoute } from './http/routes/metrics.ts';
import { addOutcomesRoute } from './http/routes/outcomes.ts';
import { Router } from './http/router.ts';
import { type RunningServer, startHttpServer } from './http/server.ts';
import { CollectorMetrics } from './metrics/collector-metrics.ts';
import type { SpanSink } from './model/span-record.ts';
import type { TraceRollup } from './rollup/types.ts';
import { openDatabase, transaction } from './store/database.ts';
import { RollupStore } from './store/rollup-store.ts';
import { SpanStore } from './store/span-store.ts';
import { Finaliser } from './traces/finaliser.ts';
import { TraceBuffer } from './traces/trace-buffer.ts';
import { addWebRoutes } from './web/index.ts';

/** The receiver's entry point (collector/src/receiver): decodes OTLP requests and hands spans to `sink`. */
export type StartReceiver = (o: { host: string; port: number; sink: SpanSink; authToken?: string; maxBodyBytes: number; metricsSink?: (request: Record<string, unknown>) => void }) =>
  Promise<{ address: AddressInfo | string; close(): Promise<void> }> | { address: AddressInfo | string; close(): Promise<void> };

export interface CollectorOptions {
  config: CollectorConfig;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: PriceBook.load({ pricesFile: config.pricesFile }). */
  book?: PriceBook;
  /** Called with each committed batch of roll-ups (exporters such as CloudWatch hook in here). */
  onFinalised?: (rollups: readonly TraceRollup[]) => void;
  /** Called inside each batch's store transaction (a durable outbox writes here; it must not throw). */
  onCommit?: (rollups: readonly TraceRollup[]) => void;
  /** Default: capacityConfigFromEnv() (TOKENLEDGER_CAPACITY_*). */
  capacity?: CapacityConfig;
}

export class Collector {
  readonly config: CollectorConfig;
  readonly clock: Clock;
  readonly db: DatabaseSync;
  readonly metrics: CollectorMetrics;
  readonly buffer: TraceBuffer;
  readonly finaliser: Finaliser;
  /** Self-hosted capacity cost; fed the accepted spans (and accelerator utilisation, see capacity/). */
  readonly capacity: CapacityLedger;
  /** Add routes here before listen(); they get the bearer check unless registered public. */
  readonly router = new Router();
  private receiver?: { close(): Promise<void> };
  private http?: RunningServer;
  private readyFlag = false;
  private closing?: Promise<void>;

  constructor(o: CollectorOptions) {
    const config = (this.config = o.config);
    const clock = (this.clock = o.clock ?? systemClock);
    const book = o.book ?? PriceBook.load({ pricesFile: config.pricesFile ?? '' });
    const db = (this.db = openDatabase(config.dataDir, config.sqliteSynchronous));
    const spans = new SpanStore(db);
    const rollups = new RollupStore(db, config.rollupBucketMs);
    this.metrics = new CollectorMetrics(config.cardinalityLimit, { traces: () => this.buffer.open.size, spans: () => this.buffer.openSpans });
    const capacityCheckpoint = new CapacityCheckpoint(db);
    const openIntervals = new OpenIntervalJournal(db);
    this.capacity = new CapacityLedger({
      config: o.capacity ?? capacityConfigFromEnv(), book, clock, registry: this.metrics.registry,
      settledTo: capacityCheckpoint.settledTo(),
      // Series, position and the settled intervals' observations in one transaction; no other persisted
      // series is dirty here (the finaliser takes its own synchronously with the commit of its roll-ups).
      checkpoint: (settledTo) => transaction(db, () => {
        rollups.writeSeries(this.metrics.registry.takeDirty());
        capacityCheckpoint.save(settledTo);
        openIntervals.dropSettled(settledTo);
      }),
      journal: (entries) => openIntervals.append(entries),
      replay: openIntervals.load(),
    });
    // The first run's position too: a restart before its first settling still owes the interval it began.
    if (capacityCheckpoint.settledTo() === undefined) capacityCheckpoint.save(this.capacity.settledToMs);
    // After every persisted family exists (the capacity ones too).
    for (const s of rollups.series()) this.metrics.registry.family(s.metric)?.restore(s.key, s.labels, s.state);
    this.buffer = new TraceBuffer({
      db, spans, book, clock, metrics: this.metrics,
      maxOpenSpans: config.maxOpenSpans,
      maxOpenTraces: config.maxOpenTraces,
      retryAfterSeconds: Math.min(30, Math.max(1, Math.ceil(config.traceIdleMs / 1000))),
    });
    this.finaliser = new Finaliser({
      db, buffer: this.buffer, spans, rollups, metrics: this.metrics, clock,
      idleMs: config.traceIdleMs, maxAgeMs: config.traceMaxAgeMs, lateSpanRetentionMs: config.lateSpanRetentionMs,
      onFinalised: o.onFinalised,
      onCommit: o.onCommit,
    });
    addHealthRoutes(this.router, () => this.readyFlag);
    addMetricsRoute(this.router, this.metrics.registry);
    addOutcomesRoute(this.router, db, clock);
    addWebRoutes(this.router);
  }

  /** The SpanSink the receiver hands decoded spans to. */
  get sink(): SpanSink {
    return { accept: (spans) => this.buffer.accept(spans).then(() => this.capacity.observeSpans(spans)) };
  }

  get ready(): boolean {
    return this.readyFlag;
  }

  /** Rebuilds open traces from the store (idempotent) and marks the collector ready. */
  async recover(): Promise<void> {
    if (this.readyFlag) return;
    await this.buffer.recover();
    this.readyFlag = true;
  }

  /**
   * Serves HTTP (health answers during recovery), recovers, then takes OTLP through `startReceiver`
   * and finalises traces on a timer. Returns the bound addresses.
   */
  async listen(startReceiver?: StartReceiver, onFatal: (err: unknown) => void = () => process.exit(1)): Promise<{ http: AddressInfo; otlp?: AddressInfo | string }> {
    const http = (this.http = await startHttpServer({ ...this.config.http, router: this.router, authToken: this.config.authToken }));
    await this.recover();
    let otlp: AddressInfo | string | undefined;
    if (startReceiver) {
      const r = await startReceiver({ ...this.config.otlp, sink: this.sink, authToken: this.config.authToken, maxBodyBytes: this.config.maxBodyBytes,
        metricsSink: (request) => this.capacity.observeMetrics(request) });
      this.receiver = r;
      otlp = r.address;
    }
    this.finaliser.start(Math.max(10, Math.min(1000, Math.floor(this.config.traceIdleMs / 4))), onFatal);
    this.capacity.start();
    return { http: http.address, otlp };
  }

  /** Stops taking spans, commits what was accepted, finalises what is due, closes the store. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.finaliser.stop();
      this.capacity.stop();
      await this.receiver?.close();
      this.buffer.close();
      this.finaliser.drain();
      this.db.close();
      await this.http?.close();
    })();
    return this.closing;
  }
}
