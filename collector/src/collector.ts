// Wires the collector together: store → open traces → finaliser → metrics, the HTTP routes, and the add-ons
// (components/types.ts), which it builds, feeds, starts and stops in one order.
import type { DatabaseSync } from 'node:sqlite';
import type { AddressInfo } from 'node:net';
import { diag } from '@opentelemetry/api';
import { PriceBook } from '@tokenledger/pricing';
import { ADD_ONS } from './add-ons.ts';
import type { CollectorComponent, ComponentContext, ComponentFactory } from './components/types.ts';
import { systemClock } from './config/clock.ts';
import type { Clock, CollectorConfig } from './config/types.ts';
import { addHealthRoutes } from './http/routes/health.ts';
import { addMetricsRoute } from './http/routes/metrics.ts';
import { addOutcomesRoute } from './http/routes/outcomes.ts';
import { addTraceRoutes } from './http/routes/traces.ts';
import { Router } from './http/router.ts';
import { type RunningServer, startHttpServer } from './http/server.ts';
import { CollectorMetrics } from './metrics/collector-metrics.ts';
import { redact } from './config/outcomes.ts';
import { identityFilter } from './model/identity.ts';
import type { SpanRecord, SpanSink } from './model/span-record.ts';
import type { OtlpReceiverOptions } from './receiver/types.ts';
import { openDatabase, transaction } from './store/database.ts';
import { openPg } from './store/pg.ts';
import { RollupStore } from './store/rollup-store.ts';
import { SpanStore } from './store/span-store.ts';
import { StoreHealth } from './store/store-health.ts';
import { Finaliser } from './traces/finaliser.ts';
import { OutcomeLink } from './traces/outcome-link.ts';
import { TraceBuffer } from './traces/trace-buffer.ts';
import { addWebRoutes } from './web/index.ts';

/** The receiver's entry point (collector/src/receiver): decodes OTLP requests and hands spans to `sink`. */
export type StartReceiver = (o: OtlpReceiverOptions) =>
  Promise<{ address: AddressInfo | string; close(): Promise<void> }> | { address: AddressInfo | string; close(): Promise<void> };

/** /readyz: 200 only when `ready`. */
export type Readiness = 'ready' | 'recovering' | 'store unavailable' | 'shutting down';

export interface CollectorOptions {
  config: CollectorConfig;
  /** Default: the system clock. */
  clock?: Clock;
  /** Default: PriceBook.load({ pricesFile: config.pricesFile }). */
  book?: PriceBook;
  /** The add-ons, each on or off by its section of `config`. Default: ADD_ONS (capacity, CloudWatch, EMF, budgets). */
  components?: readonly ComponentFactory[];
}

export class Collector {
  readonly config: CollectorConfig;
  readonly clock: Clock;
  readonly db: DatabaseSync;
  readonly metrics: CollectorMetrics;
  readonly buffer: TraceBuffer;
  readonly finaliser: Finaliser;
  /** Whether the store takes writes (a full disk makes it fail until space frees). */
  readonly health: StoreHealth;
  /** The shared part of the store (roll-up rows, outcome keys, trace index): embedded, or TOKENLEDGER_SHARED_STORE. */
  readonly outcomes: OutcomeLink;
  /** The add-ons that are on, in the order of their factories. */
  readonly components: readonly CollectorComponent[];
  /** Add routes here before listen(); they get the bearer check unless registered public. */
  readonly router = new Router();
  private receiver?: { close(): Promise<void> };
  private http?: RunningServer;
  private readyFlag = false;
  private sharedConnected = false;
  private closing?: Promise<void>;
  private readonly identity?: (spans: readonly SpanRecord[]) => void;

  constructor(o: CollectorOptions) {
    const config = (this.config = o.config);
    const clock = (this.clock = o.clock ?? systemClock);
    const book = o.book ?? PriceBook.load({ pricesFile: config.pricesFile ?? '' });
    const db = (this.db = openDatabase(config.dataDir, config.sqliteSynchronous));
    const spans = new SpanStore(db);
    const rollups = new RollupStore(db);
    const oc = config.outcomes;
    const metrics = (this.metrics = new CollectorMetrics(config.cardinalityLimit, {
      traces: () => this.buffer.open.size, spans: () => this.buffer.openSpans, writable: () => this.health.writable,
      maxKeys: oc.maxKeys, outbox: () => this.outcomes.outboxSize(),
    }));
    const health = (this.health = new StoreHealth({ now: () => clock.now(), counted: (operation) => metrics.storeWriteFailures.inc([operation]) }));
    const outcomes = (this.outcomes = new OutcomeLink({
      db, metrics, clock, shared: oc.sharedStore !== undefined, openHere: (key, except) => this.buffer.hasOpenKey(key, except),
      settings: {
        bucketMs: config.rollupBucketMs, windowMs: oc.windowMs, maxKeys: oc.maxKeys, traceIndexRetentionMs: oc.traceIndexRetentionMs,
        traceIndexMaxTraces: oc.traceIndexMaxTraces,
      },
    }));
    this.identity = identityFilter(oc.identityIds, oc.identitySalt);
    const context: ComponentContext = {
      config, db, clock, book, registry: metrics.registry, read: (gen) => outcomes.read(gen),
      // An add-on's series were changed before it asks: a failed write marks them dirty again (and the store failing).
      commitSeries: (write) => {
        try {
          metrics.registry.transact(() => {}, (dirty) => transaction(db, () => {
            rollups.writeSeries(dirty);
            write();
          }));
        } catch (err) {
          health.failed('series', err);
          throw err;
        }
        health.succeeded();
      },
      publishSignals: (signals) => {
        if (signals.length === 0) return;
        // Published only once the add-ons run (start()), when every one of them is built.
        for (const c of this.components ?? []) {
          try {
            c.onSignals?.(signals);
          } catch (err) {
            diag.error('tokenledger collector: an add-on failed on signals', err);
          }
        }
      },
    };
    this.components = (o.components ?? ADD_ONS).map((build) => build(context)).filter((c) => c !== undefined);
    // After every persisted family exists (the add-ons' too).
    for (const s of rollups.series()) metrics.registry.family(s.metric)?.restore(s.key, s.labels, s.state);
    this.buffer = new TraceBuffer({
      db, spans, book, clock, metrics, health,
      maxOpenSpans: config.maxOpenSpans,
      maxOpenTraces: config.maxOpenTraces,
      retryAfterSeconds: Math.min(30, Math.max(1, Math.ceil(config.traceIdleMs / 1000))),
    });
    this.finaliser = new Finaliser({
      db, buffer: this.buffer, spans, rollups, outcomes, metrics, health, clock,
      idleMs: config.traceIdleMs, maxAgeMs: config.traceMaxAgeMs, lateSpanRetentionMs: config.lateSpanRetentionMs,
      onCommit: (batch) => {
        for (const c of this.components) c.onCommit?.(batch);
      },
      onFinalised: (batch) => {
        for (const c of this.components) {
          try {
            c.onFinalised?.(batch);
          } catch (err) {
            diag.error('tokenledger collector: an add-on failed on a finalised batch', err);
          }
        }
      },
    });
    addHealthRoutes(this.router, () => this.readiness);
    addMetricsRoute(this.router, metrics.registry);
    addOutcomesRoute(this.router, outcomes, clock, { maxKeys: oc.maxKeys, windowMs: oc.windowMs });
    addTraceRoutes(this.router, outcomes, clock, { retentionMs: oc.traceIndexRetentionMs, jaegerUrl: oc.jaegerUrl });
    addWebRoutes(this.router);
    for (const c of this.components) c.routes?.(this.router);
  }

  /** The add-on of class `type`, when it is on (tests and extensions reach the capacity ledger or the budgets so). */
  component<T extends CollectorComponent>(type: abstract new (...args: never[]) => T): T | undefined {
    return this.components.find((c): c is T => c instanceof type);
  }

  /** The SpanSink the receiver hands decoded spans to. */
  get sink(): SpanSink {
    return {
      accept: (spans) => {
        // user and session ids hashed or dropped before the spans are stored (TOKENLEDGER_IDENTITY_IDS).
        this.identity?.(spans);
        return this.buffer.accept(spans).then((priced) => {
          for (const c of this.components) c.observeSpans?.(spans, priced);
        });
      },
    };
  }

  /** Ready once the store is recovered, while it takes writes, until shutdown begins. */
  get ready(): boolean {
    return this.readiness === 'ready';
  }

  /** What /readyz says. */
  get readiness(): Readiness {
    if (this.closing) return 'shutting down';
    if (!this.readyFlag) return 'recovering';
    return this.health.writable ? 'ready' : 'store unavailable';
  }

  /**
   * Connects the shared store when there is one, rebuilds open traces from the store (idempotent) and marks the
   * collector ready.
   */
  async recover(): Promise<void> {
    if (this.readyFlag) return;
    const shared = this.config.outcomes.sharedStore;
    if (shared !== undefined && !this.sharedConnected) {
      try {
        this.outcomes.attach(await openPg(shared));
      } catch (err) {
        throw new Error(`TOKENLEDGER_SHARED_STORE=${redact(shared)}: cannot connect: ${(err as Error).message}`);
      }
      this.sharedConnected = true;
      await this.outcomes.recover((events, inTx) => this.finaliser.applyCounted(events, inTx));
    }
    await this.buffer.recover();
    this.readyFlag = true;
  }

  /**
   * Serves HTTP (health answers during recovery), recovers, then takes OTLP through `startReceiver`
   * and finalises traces on a timer. Returns the bound addresses.
   */
  async listen(startReceiver?: StartReceiver): Promise<{ http: AddressInfo; otlp?: AddressInfo | string }> {
    const http = (this.http = await startHttpServer({ ...this.config.http, router: this.router, authToken: this.config.authToken, allowedHosts: this.config.allowedHosts }));
    await this.recover();
    let otlp: AddressInfo | string | undefined;
    if (startReceiver) {
      const { maxBodyBytes, maxInFlightBytes, maxPeerInFlightBytes, minUploadBytesPerSecond, authToken } = this.config;
      const r = await startReceiver({
        ...this.config.otlp, sink: this.sink, authToken, maxBodyBytes, maxInFlightBytes, maxPeerInFlightBytes, minUploadBytesPerSecond,
        metricsSink: (request) => {
          for (const c of this.components) c.observeMetrics?.(request);
        },
        refused: (reason) => this.metrics.requestsRefused.inc([reason]),
      });
      this.receiver = r;
      otlp = r.address;
    }
    this.finaliser.start(Math.max(10, Math.min(1000, Math.floor(this.config.traceIdleMs / 4))));
    for (const c of this.components) c.start?.();
    return { http: http.address, otlp };
  }

  /**
   * Stops taking spans at once (new requests, kept-alive connections included, get 503; what is in progress is
   * answered within 5 s), commits what was accepted, stops the add-ons (their bounded last sends), finalises what
   * is due (its roll-ups still reach the add-ons), closes them, then the store. /readyz says so from the start.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.receiver?.close();
      this.buffer.close();
      for (const c of this.components) await c.stop?.();
      this.finaliser.stop();
      this.finaliser.drain();
      // The last batches to the shared store, bounded: what is left stays in the outbox for the next start.
      if (this.sharedConnected) await Promise.race([this.finaliser.pump().catch(() => {}), new Promise((r) => setTimeout(r, 5_000).unref())]);
      await this.outcomes.close();
      for (const c of this.components) await c.close?.();
      this.db.close();
      await this.http?.close();
    })();
    return this.closing;
  }
}
