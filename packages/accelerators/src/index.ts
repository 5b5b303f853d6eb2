// Public API of @tokenledger/accelerators.
export { startAcceleratorMetrics } from './start.ts';
export { acceleratorConfigFromEnv } from './config.ts';
export { AcceleratorSnapshotSpanProcessor, snapshotAttributes } from './span-processor.ts';
export { runAcceleratorAgent } from './agent.ts';
export type {
  AcceleratorConfig,
  AcceleratorKind,
  AcceleratorMetrics,
  AcceleratorSnapshot,
  DeviceSnapshot,
  InstanceIdentity,
  SnapshotSpanProcessorOptions,
} from './types.ts';
