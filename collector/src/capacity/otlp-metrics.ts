// Utilisation samples from an OTLP metrics request (the accelerator agent's, or an in-process exporter's):
// per instance and timestamp, the mean of `neuroncore_utilization_ratio` over its NeuronCores or of
// `nvidia_smi_utilization_gpu_ratio` over its GPUs. Reads the OTLP/JSON field names, which protobufjs'
// toObject of the protobuf request also produces.
import * as sc from '@tokenledger/semconv';
import { points } from '../model/otlp-metric-points.ts';

const UTILIZATION_METRICS = new Set([sc.NEURON_NEURONCORE_UTILIZATION_RATIO, sc.NVIDIA_SMI_UTILIZATION_GPU_RATIO]);

export interface UtilizationSample {
  instanceId: string;
  instanceType: string;
  ratio: number;
  atMs: number;
}

export function utilizationSamples(request: unknown): UtilizationSample[] {
  const groups = new Map<string, { instanceId: string; instanceType: string; atMs: number; sum: number; n: number }>();
  for (const p of points(request, UTILIZATION_METRICS)) {
    // Identity is on the data point (the accelerators package's choice); the resource may carry it too.
    const instanceId = p.attributes[sc.LABEL_INSTANCE_ID] ?? p.resource[sc.LABEL_INSTANCE_ID];
    const instanceType = p.attributes[sc.LABEL_INSTANCE_TYPE] ?? p.resource[sc.LABEL_INSTANCE_TYPE];
    if (!instanceId || !instanceType) continue;
    const key = `${instanceId}\u0000${p.atMs}`;
    const g = groups.get(key) ?? { instanceId, instanceType, atMs: p.atMs, sum: 0, n: 0 };
    g.sum += p.value;
    g.n++;
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ instanceId: g.instanceId, instanceType: g.instanceType, ratio: g.sum / g.n, atMs: g.atMs }));
}
