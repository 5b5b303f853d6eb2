// EMF output of the collector's roll-ups: each finalised batch becomes events on the configured sink.
import { diag } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import type { Clock } from '../config/types.ts';
import type { MetricFamily, Registry } from '../metrics/registry.ts';
import type { TraceRollup } from '../rollup/types.ts';
import { validValue } from './batch.ts';
import { METRICS } from './config.ts';
import { emfEvents } from './emf.ts';
import { type EmfSink, openEmfSink } from './emf-output.ts';
import { ObservationMapper } from './observations.ts';
import type { EmfConfig } from './types.ts';

export class EmfWriter {
  private readonly config: EmfConfig;
  private readonly sink: EmfSink;
  private readonly clock: Clock;
  private readonly mapper: ObservationMapper;
  private readonly events: MetricFamily;

  constructor(o: { config: EmfConfig; clock: Clock; registry: Registry; sink?: EmfSink }) {
    this.config = o.config;
    this.clock = o.clock;
    this.sink = o.sink ?? openEmfSink(o.config.output);
    this.mapper = new ObservationMapper(o.config.dimensions, METRICS, o.config.metricDimensions);
    this.events = o.registry.counter(sc.METRIC_EMF_EVENTS_TOTAL, 'EMF events written.', []);
  }

  /** The collector's onFinalised hook; never throws. */
  onFinalised(rollups: readonly TraceRollup[]): void {
    try {
      const obs = rollups.flatMap((r) => this.mapper.fromRollup(r)).filter((o) => validValue(o.value));
      const lines = emfEvents(obs, this.config.namespace, this.clock.now(), this.config.maxEventBytes);
      this.sink.write(lines);
      this.events.inc([], lines.length);
    } catch (err) {
      diag.error('tokenledger emf: writing EMF events failed', err);
    }
  }

  close(): Promise<void> {
    return this.sink.close();
  }
}
