// CloudWatch outputs of the collector's roll-ups: PutMetricData (durable outbox) and EMF, as add-ons.
import type { ComponentFactory } from '../components/types.ts';
import { EmfWriter } from './emf-writer.ts';
import { CloudWatchExporter } from './exporter.ts';

export { buildBatches, LIMITS, pack, type PendingDatum } from './batch.ts';
export { classify, type SendResult } from './classify.ts';
export { emfEvents, EMF_LIMITS } from './emf.ts';
export { openEmfSink, type EmfSink } from './emf-output.ts';
export { EmfWriter } from './emf-writer.ts';
export { aggregate, CloudWatchEncoder } from './encode.ts';
export { CloudWatchExporter, type CloudWatchExporterOptions, type Timer } from './exporter.ts';
export { Outbox, type OutboxRow } from './outbox.ts';
export type { CloudWatchObservation, StandardUnit } from './types.ts';

/** PutMetricData through the durable outbox, when TOKENLEDGER_CLOUDWATCH_NAMESPACE is set. */
export const cloudWatchComponent: ComponentFactory = ({ config, db, clock, registry }) =>
  config.cloudWatch && new CloudWatchExporter({ config: config.cloudWatch, db, clock, registry });

/** EMF events, when TOKENLEDGER_EMF_OUTPUT is set. */
export const emfComponent: ComponentFactory = ({ config, clock, registry }) => config.emf && new EmfWriter({ config: config.emf, clock, registry });
