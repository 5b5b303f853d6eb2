// EMF output of the collector's roll-ups: each finalised batch becomes events on the configured sink.
import { diag } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import type { CollectorComponent, Signal } from '../components/types.ts';
import { type EmfConfig, METRICS } from '../config/cloudwatch.ts';
import type { Clock } from '../config/types.ts';
import type { MetricFamily, Registry } from '../metrics/registry.ts';
import type { FinalisedTrace } from '../rollup/observations.ts';
import { validValue } from './batch.ts';
import { emfEvents } from './emf.ts';
import { type EmfSink, openEmfSink } from './emf-output.ts';
import { CloudWatchEncoder, encodeSignal } from './encode.ts';

export class EmfWriter implements CollectorComponent {
  private readonly config: EmfConfig;
  private readonly sink: EmfSink;
  private readonly clock: Clock;
  private readonly encoder: CloudWatchEncoder;
  private readonly events: MetricFamily;

  constructor(o: { config: EmfConfig; clock: Clock; registry: Registry; sink?: EmfSink }) {
    this.config = o.config;
    this.clock = o.clock;
    this.sink = o.sink ?? openEmfSink(o.config.output);
    this.encoder = new CloudWatchEncoder(o.config.dimensions, METRICS, o.config.metricDimensions);
    this.events = o.registry.counter(sc.METRIC_EMF_EVENTS_TOTAL, 'EMF events written.', []);
  }

  /** Writes the batch's events once it is committed; never throws. */
  onFinalised(batch: readonly FinalisedTrace[]): void {
    try {
      const obs = batch.flatMap((f) => this.encoder.encode(f.observations)).filter((o) => validValue(o.value));
      const lines = emfEvents(obs, this.config.namespace, this.clock.now(), this.config.maxEventBytes);
      this.sink.write(lines);
      this.events.inc([], lines.length);
    } catch (err) {
      diag.error('tokenledger emf: writing EMF events failed', err);
    }
  }

  /**
   * Writes live signals (autoscaling, quota pressure) as events stamped with the minute they were measured in
   * (CloudWatch keeps EMF metrics at one-minute resolution: one event a minute and dimension set, not one a
   * measurement); never throws.
   */
  onSignals(signals: readonly Signal[]): void {
    try {
      const byTime = new Map<number, Signal[]>();
      for (const s of signals) {
        if (!validValue(s.value)) continue;
        const minute = Math.floor(s.atMs / 60_000) * 60_000;
        const list = byTime.get(minute);
        if (list) list.push(s);
        else byTime.set(minute, [s]);
      }
      for (const [atMs, list] of byTime) {
        const lines = emfEvents(list.map(encodeSignal), this.config.namespace, atMs, this.config.maxEventBytes);
        this.sink.write(lines);
        this.events.inc([], lines.length);
      }
    } catch (err) {
      diag.error('tokenledger emf: writing signal events failed', err);
    }
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}
