// Utilisation samples from an OTLP metrics request (the accelerator agent's, or an in-process exporter's):
// per instance and timestamp, the mean of `neuroncore_utilization_ratio` over its NeuronCores or of
// `nvidia_smi_utilization_gpu_ratio` over its GPUs. Reads the OTLP/JSON field names, which protobufjs'
// toObject of the protobuf request also produces.
import * as sc from '@tokenledger/semconv';

const UTILIZATION_METRICS = new Set([sc.NEURON_NEURONCORE_UTILIZATION_RATIO, sc.NVIDIA_SMI_UTILIZATION_GPU_RATIO]);

export interface UtilizationSample {
  instanceId: string;
  instanceType: string;
  ratio: number;
  atMs: number;
}

interface KeyValue {
  key?: string;
  value?: { stringValue?: string };
}

interface DataPoint {
  attributes?: KeyValue[];
  asDouble?: number | string;
  asInt?: number | string;
  timeUnixNano?: number | string | { toString(): string };
}

interface Request {
  resourceMetrics?: {
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: { metrics?: { name?: string; gauge?: { dataPoints?: DataPoint[] } }[] }[];
  }[];
}

export function utilizationSamples(request: unknown): UtilizationSample[] {
  const groups = new Map<string, { instanceId: string; instanceType: string; atMs: number; sum: number; n: number }>();
  for (const rm of (request as Request)?.resourceMetrics ?? []) {
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        if (!m.name || !UTILIZATION_METRICS.has(m.name)) continue;
        for (const p of m.gauge?.dataPoints ?? []) {
          // Identity is on the data point (the accelerators package's choice); the resource may carry it too.
          const attr = (key: string) =>
            p.attributes?.find((a) => a.key === key)?.value?.stringValue ?? rm.resource?.attributes?.find((a) => a.key === key)?.value?.stringValue;
          const instanceId = attr(sc.LABEL_INSTANCE_ID);
          const instanceType = attr(sc.LABEL_INSTANCE_TYPE);
          const ratio = Number(p.asDouble ?? p.asInt);
          const atMs = Number(String(p.timeUnixNano ?? 0)) / 1e6;
          if (!instanceId || !instanceType || !Number.isFinite(ratio) || !(atMs > 0)) continue;
          const key = `${instanceId}\u0000${atMs}`;
          const g = groups.get(key) ?? { instanceId, instanceType, atMs, sum: 0, n: 0 };
          g.sum += ratio;
          g.n++;
          groups.set(key, g);
        }
      }
    }
  }
  return [...groups.values()].map((g) => ({ instanceId: g.instanceId, instanceType: g.instanceType, ratio: g.sum / g.n, atMs: g.atMs }));
}
