// Autoscaling signals (accelerator utilisation, in-flight and queued requests, tokens per minute) for the
// CloudWatch outputs.
import type { ComponentFactory } from '../components/types.ts';
import { AutoscalingSignals } from './signals.ts';

/** On when CloudWatch or EMF is: the signals have nowhere else to go. */
export const autoscalingComponent: ComponentFactory = ({ config, book, clock, publishSignals }) =>
  config.cloudWatch || config.emf ? new AutoscalingSignals({ config: config.autoscaling, book, clock, publish: publishSignals }) : undefined;
