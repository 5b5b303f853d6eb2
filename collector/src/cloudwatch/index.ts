// CloudWatch outputs of the collector's roll-ups, as add-ons: PutMetricData (durable outbox) and EMF.
import type { ComponentFactory } from '../components/types.ts';
import { EmfWriter } from './emf-writer.ts';
import { CloudWatchExporter } from './exporter.ts';

/** PutMetricData through the durable outbox, when TOKENLEDGER_CLOUDWATCH_NAMESPACE is set. */
export const cloudWatchComponent: ComponentFactory = ({ config, db, clock, registry }) =>
  config.cloudWatch && new CloudWatchExporter({ config: config.cloudWatch, db, clock, registry });

/** EMF events, when TOKENLEDGER_EMF_OUTPUT is set. */
export const emfComponent: ComponentFactory = ({ config, clock, registry }) => config.emf && new EmfWriter({ config: config.emf, clock, registry });
