// Publishes nvidia-smi GPU rows as gauges (nvidia_gpu_exporter's names); each GPU keeps its last row.
import type { BatchObservableResult, Meter, Observable, ObservableGauge } from '@opentelemetry/api';
import {
  LABEL_GPU,
  LABEL_UUID,
  NVIDIA_SMI_MEMORY_TOTAL_BYTES,
  NVIDIA_SMI_MEMORY_USED_BYTES,
  NVIDIA_SMI_POWER_DRAW_WATTS,
  NVIDIA_SMI_TEMPERATURE_GPU_CELSIUS,
  NVIDIA_SMI_UTILIZATION_GPU_RATIO,
  NVIDIA_SMI_UTILIZATION_MEMORY_RATIO,
} from '@tokenledger/semconv';
import { identityAttributes } from '../identity.ts';
import type { AcceleratorSnapshot, InstanceIdentity } from '../types.ts';
import type { GpuReading } from './csv.ts';

type GaugeField = Exclude<keyof GpuReading, 'index' | 'uuid'>;

const GAUGES: [GaugeField, string, string, string][] = [
  ['utilization', NVIDIA_SMI_UTILIZATION_GPU_RATIO, '1', 'GPU utilisation (0-1)'],
  ['memoryUtilization', NVIDIA_SMI_UTILIZATION_MEMORY_RATIO, '1', 'GPU memory activity (0-1)'],
  ['memoryUsedBytes', NVIDIA_SMI_MEMORY_USED_BYTES, 'By', 'GPU memory used'],
  ['memoryTotalBytes', NVIDIA_SMI_MEMORY_TOTAL_BYTES, 'By', 'GPU memory total'],
  ['powerWatts', NVIDIA_SMI_POWER_DRAW_WATTS, 'W', 'GPU power draw'],
  ['temperatureCelsius', NVIDIA_SMI_TEMPERATURE_GPU_CELSIUS, 'Cel', 'GPU temperature'],
];

export class NvidiaMetrics {
  private readonly meter: Meter;
  private readonly instance: InstanceIdentity;
  private readonly gpus = new Map<string, GpuReading>();
  private readonly gauges: ObservableGauge[];
  private time = 0;
  private readonly callback = (result: BatchObservableResult): void => this.observe(result);

  /** `instance` is read at each collection (the caller may complete it later). */
  constructor(meter: Meter, instance: InstanceIdentity) {
    this.meter = meter;
    this.instance = instance;
    this.gauges = GAUGES.map(([, name, unit, description]) => meter.createObservableGauge(name, { unit, description }));
    meter.addBatchObservableCallback(this.callback, this.gauges as Observable[]);
  }

  record(gpu: GpuReading): void {
    this.gpus.set(gpu.index, gpu);
    this.time = Date.now();
  }

  /** A new nvidia-smi process lists the GPUs afresh. */
  reset(): void {
    this.gpus.clear();
  }

  snapshot(): AcceleratorSnapshot | undefined {
    if (this.gpus.size === 0) return undefined;
    const gpus = [...this.gpus.values()];
    const utilizations = gpus.flatMap((g) => (g.utilization === undefined ? [] : [g.utilization]));
    const memory = gpus.flatMap((g) => (g.memoryUsedBytes === undefined ? [] : [g.memoryUsedBytes]));
    return {
      kind: 'nvidia',
      time: this.time,
      instance: this.instance,
      utilization: utilizations.length > 0 ? utilizations.reduce((s, u) => s + u, 0) / utilizations.length : undefined,
      memoryUsedBytes: memory.length > 0 ? memory.reduce((s, b) => s + b, 0) : undefined,
      devices: gpus.map((g) => ({ id: g.index, utilization: g.utilization, memoryUsedBytes: g.memoryUsedBytes })),
    };
  }

  stop(): void {
    this.meter.removeBatchObservableCallback(this.callback, this.gauges as Observable[]);
  }

  private observe(result: BatchObservableResult): void {
    const identity = identityAttributes(this.instance);
    for (const gpu of this.gpus.values()) {
      const attributes = { ...identity, [LABEL_GPU]: gpu.index, ...(gpu.uuid ? { [LABEL_UUID]: gpu.uuid } : {}) };
      GAUGES.forEach(([field], i) => {
        const value = gpu[field];
        if (value !== undefined) result.observe(this.gauges[i]!, value, attributes);
      });
    }
  }
}
