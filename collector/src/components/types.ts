// The one interface of the collector's add-ons (capacity, CloudWatch, EMF, budgets, quota, autoscaling): each is built from the
// collector's parts and its own section of the configuration, and the Collector drives them all the same way —
// it alone knows the order of start-up and shutdown.
import type { DatabaseSync } from 'node:sqlite';
import type { PriceBook } from '@tokenledger/pricing';
import type { Clock, CollectorConfig } from '../config/types.ts';
import type { Router } from '../http/router.ts';
import type { Registry } from '../metrics/registry.ts';
import type { SpanRecord } from '../model/span-record.ts';
import type { Sql } from '../store/sql.ts';
import type { PricedSpan } from '../rollup/call-cost.ts';
import type { FinalisedTrace } from '../rollup/observations.ts';

/** Every member is optional: an add-on implements what it takes part in. */
export interface CollectorComponent {
  /** Registers its HTTP routes (when built, before listen()); they get the bearer check unless public. */
  routes?(router: Router): void;
  /**
   * Spans once they are stored and acknowledged, with what each costs as the roll-up priced it (`priced[i]` is
   * `spans[i]`'s; undefined where it could not be priced, or when the caller has no prices: price it then).
   */
  observeSpans?(spans: readonly SpanRecord[], priced?: readonly (PricedSpan | undefined)[]): void;
  /** An OTLP metrics request, decoded to the OTLP/JSON shape. */
  observeMetrics?(request: Record<string, unknown>): void;
  /** Inside each finalised batch's store transaction: what it writes commits with the roll-ups, or not at all. Must not throw. */
  onCommit?(batch: readonly FinalisedTrace[]): void;
  /** After the batch committed; a failure is its own (reported, never the store's). */
  onFinalised?(batch: readonly FinalisedTrace[]): void;
  /** Live signals another add-on published (autoscaling, quota pressure): the CloudWatch outputs take them. Must not throw. */
  onSignals?(signals: readonly Signal[]): void;
  /** Once the collector has recovered its store and takes spans. */
  start?(): void;
  /** Shutdown, first, while spans are still taken: stop timers, send what is pending (bounded in time). */
  stop?(): void | Promise<void>;
  /** Shutdown, after the last roll-up reached onCommit and onFinalised: release what it holds. */
  close?(): void | Promise<void>;
}

/** What an add-on is built from. */
export interface ComponentContext {
  config: CollectorConfig;
  /** The collector's store: an add-on keeps its tables there. */
  db: DatabaseSync;
  clock: Clock;
  book: PriceBook;
  /** The collector's /metrics; persisted families must be created when the add-on is built. */
  registry: Registry;
  /** Runs read-only store logic where the roll-up rows live: the embedded store, or the shared one (TOKENLEDGER_SHARED_STORE). */
  read<T>(gen: Sql<T>): Promise<T>;
  /** Runs `write` in one store transaction with the changed persisted metric series, so both commit together. */
  commitSeries(write: () => void): void;
  /** Hands live signals to every add-on's onSignals (the CloudWatch outbox and EMF). */
  publishSignals(signals: readonly Signal[]): void;
}

/**
 * A live figure that is not a trace roll-up (accelerator utilisation, requests in flight, tokens per minute,
 * quota pressure), already in CloudWatch's terms: the CloudWatch outputs send it as it is.
 */
export interface Signal {
  /** CloudWatch metric name (packages/semconv `CLOUDWATCH_METRIC_*`). */
  metric: string;
  unit: 'Percent' | 'Count' | 'None';
  /** Dimension name/value pairs (sorted by the outputs). */
  dims: readonly (readonly [string, string])[];
  /** `sum`: added up per interval; `dist`: one sample (CloudWatch keeps average, min, max, percentiles). */
  kind: 'sum' | 'dist';
  value: number;
  /** When it was measured (epoch ms): its CloudWatch interval. */
  atMs: number;
}

/** Builds an add-on, or returns undefined when its section of the configuration leaves it off. */
export type ComponentFactory = (ctx: ComponentContext) => CollectorComponent | undefined;
