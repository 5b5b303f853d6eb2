// Reads one neuron-monitor JSON report (schema: the Neuron monitor user guide) into plain numbers. Groups
// whose `error` is set are reported in `errors` and left out; the rest of the report is still read.
import type { InstanceIdentity } from '../types.ts';
import { array, number, numbers, object, string, type JsonObject } from '../json.ts';

export interface NeuronCoreReading {
  /** Percent 0–100, as reported. */
  utilizationPercent?: number;
  /** `neuroncore_memory_usage` breakdown (constants, model_code, …), bytes. */
  memory: Record<string, number>;
}

export interface RuntimeReading {
  tag: string;
  cores: Map<string, NeuronCoreReading>;
  /** `host`, `neuron_device` bytes. */
  memoryUsed: Record<string, number>;
  /** `user`, `system` percent. */
  vcpu: Record<string, number>;
  /** `total_latency` percentiles in seconds; empty when nothing ran. */
  latency: Record<string, number>;
  /** Counts for the period. */
  errors: Record<string, number>;
  statuses: Record<string, number>;
}

export interface EccReading {
  device: string;
  counts: Record<string, number>;
}

export interface SystemReading {
  vcpuCount?: number;
  /** `average_usage` percent fields. */
  vcpuAverage: Record<string, number>;
  memory: Record<string, number>;
  ecc: EccReading[];
}

export interface NeuronReading {
  instance: InstanceIdentity;
  hardware?: { deviceCount: number; corePerDevice: number };
  runtimes: RuntimeReading[];
  system: SystemReading;
  /** One message per group whose `error` was set. */
  errors: string[];
}

/** Parses one stdout line; undefined when it is not a report (malformed or partial JSON). */
export function parseNeuronReport(line: string): NeuronReading | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    return undefined;
  }
  const report = object(doc);
  if (!report || !('neuron_runtime_data' in report || 'system_data' in report || 'instance_info' in report)) {
    return undefined;
  }
  const errors: string[] = [];
  // A group counts only when present and its `error` is empty.
  const group = (value: unknown, where: string): JsonObject | undefined => {
    const g = object(value);
    if (!g) return undefined;
    const error = string(g.error);
    if (error) {
      errors.push(`${where}: ${error}`);
      return undefined;
    }
    return g;
  };

  const runtimes: RuntimeReading[] = [];
  for (const entry of array(report.neuron_runtime_data)) {
    const rt = object(entry);
    if (!rt) continue;
    const tag = string(rt.neuron_runtime_tag) ?? String(number(rt.pid) ?? 'unknown');
    if (!group(rt, `runtime ${tag}`)) continue;
    const groups = object(rt.report) ?? {};
    runtimes.push(readRuntime(tag, groups, (g, name) => group(g, `runtime ${tag} ${name}`)));
  }

  const systemData = object(report.system_data) ?? {};
  const vcpu = group(systemData.vcpu_usage, 'system vcpu_usage');
  const memoryInfo = group(systemData.memory_info, 'system memory_info');
  const hw = group(systemData.neuron_hw_counters, 'system neuron_hw_counters');
  const system: SystemReading = {
    vcpuCount: vcpu ? Object.keys(object(vcpu.usage_data) ?? {}).length || undefined : undefined,
    vcpuAverage: numbers(vcpu?.average_usage),
    memory: numbers(memoryInfo),
    ecc: array(hw?.neuron_devices).flatMap((d) => {
      const dev = object(d);
      const index = number(dev?.neuron_device_index);
      if (!dev || index === undefined) return [];
      const { neuron_device_index: _, ...counts } = numbers(dev);
      return [{ device: String(index), counts }];
    }),
  };
  delete system.memory.period;

  const info = group(report.instance_info, 'instance_info');
  const instance: InstanceIdentity = {
    instanceId: string(info?.instance_id),
    instanceType: string(info?.instance_type),
    instanceName: string(info?.instance_name),
    availabilityZone: string(info?.instance_availability_zone),
    region: string(info?.instance_region),
    subnetId: string(info?.subnet_id),
  };
  const hwInfo = group(report.neuron_hardware_info, 'neuron_hardware_info');
  const deviceCount = number(hwInfo?.neuron_device_count);
  const corePerDevice = number(hwInfo?.neuroncore_per_device_count);
  const hardware = deviceCount !== undefined && corePerDevice !== undefined ? { deviceCount, corePerDevice } : undefined;
  return { instance, hardware, runtimes, system, errors };
}

function readRuntime(
  tag: string,
  groups: JsonObject,
  group: (value: unknown, name: string) => JsonObject | undefined,
): RuntimeReading {
  const cores = new Map<string, NeuronCoreReading>();
  const core = (id: string): NeuronCoreReading => {
    let c = cores.get(id);
    if (!c) cores.set(id, (c = { memory: {} }));
    return c;
  };
  const counters = group(groups.neuroncore_counters, 'neuroncore_counters');
  for (const [id, value] of Object.entries(object(counters?.neuroncores_in_use) ?? {})) {
    core(id).utilizationPercent = number(object(value)?.neuroncore_utilization);
  }
  const memoryUsed = group(groups.memory_used, 'memory_used');
  const used = object(memoryUsed?.neuron_runtime_used_bytes);
  const perCore = object(object(used?.usage_breakdown)?.neuroncore_memory_usage) ?? {};
  for (const [id, value] of Object.entries(perCore)) core(id).memory = numbers(value);
  const { usage_breakdown: _, ...hostAndDevice } = used ?? {};
  const vcpu = group(groups.neuron_runtime_vcpu_usage, 'neuron_runtime_vcpu_usage');
  const stats = group(groups.execution_stats, 'execution_stats');
  return {
    tag,
    cores,
    memoryUsed: numbers(hostAndDevice),
    vcpu: numbers(vcpu?.vcpu_usage),
    latency: numbers(object(stats?.latency_stats)?.total_latency),
    errors: numbers(stats?.error_summary),
    statuses: numbers(stats?.execution_summary),
  };
}
