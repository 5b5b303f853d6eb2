// Self-hosted capacity cost: per instance and interval, capacity, attributed, idle and the Bedrock comparison.
export { CapacityLedger } from './ledger.ts';
export { capacityConfigFromEnv } from './config.ts';
export { settle } from './settle.ts';
export { utilizationSamples, type UtilizationSample } from './otlp-metrics.ts';
export type { CapacityConfig, CapacityInstance, ServedRequest, Settlement } from './types.ts';
