// CloudWatch outputs of the collector's roll-ups: PutMetricData (durable outbox) and EMF.
import type { Collector } from '../collector.ts';
import type { TraceRollup } from '../rollup/types.ts';
import { cloudWatchConfigFromEnv, emfConfigFromEnv } from './config.ts';
import { EmfWriter } from './emf-writer.ts';
import { CloudWatchExporter } from './exporter.ts';

export { buildBatches, LIMITS, pack, type PendingDatum } from './batch.ts';
export { classify, type SendResult } from './classify.ts';
export { cloudWatchConfigFromEnv, emfConfigFromEnv, DIMENSIONS, METRICS } from './config.ts';
export { emfEvents, EMF_LIMITS } from './emf.ts';
export { openEmfSink, type EmfSink } from './emf-output.ts';
export { EmfWriter } from './emf-writer.ts';
export { CloudWatchExporter, type CloudWatchExporterOptions, type Timer } from './exporter.ts';
export { aggregate, ObservationMapper } from './observations.ts';
export { Outbox, type OutboxRow } from './outbox.ts';
export type { CloudWatchConfig, EmfConfig, EmfOutput, Observation, StandardUnit } from './types.ts';

/** How long a shutdown may spend sending the outbox (within the collector's 25 s SIGTERM budget). */
const SHUTDOWN_FLUSH_MS = 10_000;

/**
 * Reads TOKENLEDGER_CLOUDWATCH_* and TOKENLEDGER_EMF_* (a bad value throws, naming the variable).
 * Pass `onCommit` and `onFinalised` to the Collector and attach() it before listen(). At shutdown: stopSending(),
 * then the collector's close() (its last roll-ups still reach the outbox and EMF), then close().
 */
export function cloudWatchOutputs(env: Record<string, string | undefined> = process.env) {
  const cw = cloudWatchConfigFromEnv(env);
  const emfConfig = emfConfigFromEnv(env);
  let exporter: CloudWatchExporter | undefined;
  let emf: EmfWriter | undefined;
  return {
    /** In the finaliser's transaction: the outbox. */
    onCommit(rollups: readonly TraceRollup[]): void {
      exporter?.onCommit(rollups);
    },
    /** After the commit: EMF. */
    onFinalised(rollups: readonly TraceRollup[]): void {
      emf?.onFinalised(rollups);
    },
    attach(c: Collector): void {
      if (cw) exporter = new CloudWatchExporter({ config: cw, db: c.db, clock: c.clock, registry: c.metrics.registry });
      if (emfConfig) emf = new EmfWriter({ config: emfConfig, clock: c.clock, registry: c.metrics.registry });
      exporter?.start();
      void exporter?.flush(); // what an earlier run left in the outbox
    },
    /** Sends what is committed (current interval too) for at most `limitMs`, then stops; the outbox keeps the rest for the next start. */
    async stopSending(limitMs = SHUTDOWN_FLUSH_MS): Promise<void> {
      if (!exporter) return;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
      const e = exporter;
      await Promise.race([e.flush().then(() => e.flush({ all: true })), deadline]);
      clearTimeout(timer);
      await e.close();
    },
    /** Closes the EMF sink. */
    async close(): Promise<void> {
      await emf?.close();
    },
  };
}
