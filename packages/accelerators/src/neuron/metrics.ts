// Publishes neuron-monitor reports as the Neuron Prometheus exporter's metrics: gauges observe the last
// report, counters add each report's per-period counts.
import type { Attributes, BatchObservableResult, Counter, Meter, Observable, ObservableGauge } from '@opentelemetry/api';
import {
  LABEL_ERROR_TYPE,
  LABEL_EVENT_TYPE,
  LABEL_MEMORY_LOCATION,
  LABEL_NEURONCORE,
  LABEL_NEURONCORE_PER_DEVICE_COUNT,
  LABEL_NEURON_DEVICE_COUNT,
  LABEL_NEURON_DEVICE_INDEX,
  LABEL_PERCENTILE,
  LABEL_RUNTIME_TAG,
  LABEL_STATUS_TYPE,
  LABEL_USAGE_TYPE,
  NEURON_EXECUTION_ERRORS_TOTAL,
  NEURON_EXECUTION_LATENCY_SECONDS,
  NEURON_EXECUTION_STATUS_TOTAL,
  NEURON_HARDWARE_ECC_EVENTS_TOTAL,
  NEURON_HARDWARE_INFO,
  NEURON_NEURONCORE_MEMORY_USAGE_KINDS,
  NEURON_NEURONCORE_MEMORY_USAGE_PREFIX,
  NEURON_NEURONCORE_UTILIZATION_RATIO,
  NEURON_RUNTIME_MEMORY_USED_BYTES,
  NEURON_RUNTIME_VCPU_USAGE_RATIO,
  NEURON_SYSTEM_MEMORY_TOTAL_BYTES,
  NEURON_SYSTEM_MEMORY_USED_BYTES,
  NEURON_SYSTEM_SWAP_TOTAL_BYTES,
  NEURON_SYSTEM_SWAP_USED_BYTES,
  NEURON_SYSTEM_VCPU_COUNT,
  NEURON_SYSTEM_VCPU_USAGE_RATIO,
} from '@tokenledger/semconv';
import { identityAttributes, mergeIdentity } from '../identity.ts';
import type { AcceleratorSnapshot, DeviceSnapshot, InstanceIdentity } from '../types.ts';
import type { NeuronReading } from './report.ts';

/** The exporter labels per-core memory with this constant location. */
const CORE_MEMORY_LOCATION = 'None';
const SYSTEM_MEMORY_GAUGES: [string, string][] = [
  ['memory_total_bytes', NEURON_SYSTEM_MEMORY_TOTAL_BYTES],
  ['memory_used_bytes', NEURON_SYSTEM_MEMORY_USED_BYTES],
  ['swap_total_bytes', NEURON_SYSTEM_SWAP_TOTAL_BYTES],
  ['swap_used_bytes', NEURON_SYSTEM_SWAP_USED_BYTES],
];
// The exporter's derivation of system_vcpu_usage_ratio.
const VCPU_USER_FIELDS = ['user', 'nice'];
const VCPU_SYSTEM_FIELDS = ['system', 'io_wait', 'irq', 'soft_irq'];

interface Last {
  reading: NeuronReading;
  identity: Attributes;
}

export class NeuronMetrics {
  private readonly meter: Meter;
  private readonly configured: InstanceIdentity | undefined;
  private last: Last | undefined;
  private lastSnapshot: AcceleratorSnapshot | undefined;
  private readonly gauges: Record<string, ObservableGauge>;
  private readonly errorsCounter: Counter;
  private readonly statusCounter: Counter;
  private readonly eccCounter: Counter;
  private readonly callback = (result: BatchObservableResult): void => this.observe(result);

  constructor(meter: Meter, configured: InstanceIdentity | undefined) {
    this.meter = meter;
    this.configured = configured;
    const gauge = (name: string, unit: string, description: string): ObservableGauge =>
      meter.createObservableGauge(name, { unit, description });
    this.gauges = {
      utilization: gauge(NEURON_NEURONCORE_UTILIZATION_RATIO, '1', 'NeuronCore utilisation (0-1)'),
      runtimeMemory: gauge(NEURON_RUNTIME_MEMORY_USED_BYTES, 'By', 'Memory used by the Neuron runtime, host or device'),
      runtimeVcpu: gauge(NEURON_RUNTIME_VCPU_USAGE_RATIO, '1', 'vCPU used by the Neuron runtime (0-1)'),
      latency: gauge(NEURON_EXECUTION_LATENCY_SECONDS, 's', 'Total execution latency percentiles in the period'),
      hardwareInfo: gauge(NEURON_HARDWARE_INFO, '1', 'Neuron devices and cores per device (value 1)'),
      vcpuCount: gauge(NEURON_SYSTEM_VCPU_COUNT, '1', 'vCPUs on the instance'),
      vcpuUsage: gauge(NEURON_SYSTEM_VCPU_USAGE_RATIO, '1', 'Instance vCPU usage (0-1)'),
    };
    for (const kind of NEURON_NEURONCORE_MEMORY_USAGE_KINDS) {
      this.gauges[`core_${kind}`] = gauge(`${NEURON_NEURONCORE_MEMORY_USAGE_PREFIX}${kind}`, 'By', `NeuronCore memory: ${kind}`);
    }
    for (const [field, name] of SYSTEM_MEMORY_GAUGES) this.gauges[field] = gauge(name, 'By', `Instance ${field}`);
    this.errorsCounter = meter.createCounter(NEURON_EXECUTION_ERRORS_TOTAL, { description: 'Execution errors by type' });
    this.statusCounter = meter.createCounter(NEURON_EXECUTION_STATUS_TOTAL, { description: 'Executions by status' });
    this.eccCounter = meter.createCounter(NEURON_HARDWARE_ECC_EVENTS_TOTAL, { description: 'Hardware ECC events' });
    meter.addBatchObservableCallback(this.callback, Object.values(this.gauges) as Observable[]);
  }

  record(reading: NeuronReading): void {
    const instance = mergeIdentity(reading.instance, this.configured);
    const identity = identityAttributes(instance);
    this.last = { reading, identity };
    for (const rt of reading.runtimes) {
      const base = { ...identity, [LABEL_RUNTIME_TAG]: rt.tag };
      for (const [type, n] of Object.entries(rt.errors)) {
        if (n > 0) this.errorsCounter.add(n, { ...base, [LABEL_ERROR_TYPE]: type });
      }
      for (const [type, n] of Object.entries(rt.statuses)) {
        if (n > 0) this.statusCounter.add(n, { ...base, [LABEL_STATUS_TYPE]: type });
      }
    }
    for (const { device, counts } of reading.system.ecc) {
      for (const [type, n] of Object.entries(counts)) {
        if (n > 0) this.eccCounter.add(n, { ...identity, [LABEL_EVENT_TYPE]: type, [LABEL_NEURON_DEVICE_INDEX]: device });
      }
    }
    this.lastSnapshot = snapshotOf(reading, instance);
  }

  snapshot(): AcceleratorSnapshot | undefined {
    return this.lastSnapshot;
  }

  stop(): void {
    this.meter.removeBatchObservableCallback(this.callback, Object.values(this.gauges) as Observable[]);
  }

  private observe(result: BatchObservableResult): void {
    if (!this.last) return;
    const { reading, identity } = this.last;
    const g = this.gauges;
    for (const rt of reading.runtimes) {
      const base = { ...identity, [LABEL_RUNTIME_TAG]: rt.tag };
      for (const [id, core] of rt.cores) {
        const coreAttrs = { ...base, [LABEL_NEURONCORE]: id };
        if (core.utilizationPercent !== undefined) result.observe(g.utilization!, core.utilizationPercent / 100, coreAttrs);
        for (const [kind, bytes] of Object.entries(core.memory)) {
          const gauge = g[`core_${kind}`];
          if (gauge) result.observe(gauge, bytes, { ...coreAttrs, [LABEL_MEMORY_LOCATION]: CORE_MEMORY_LOCATION });
        }
      }
      for (const [location, bytes] of Object.entries(rt.memoryUsed)) {
        result.observe(g.runtimeMemory!, bytes, { ...base, [LABEL_MEMORY_LOCATION]: location });
      }
      for (const [type, percent] of Object.entries(rt.vcpu)) {
        result.observe(g.runtimeVcpu!, percent / 100, { ...base, [LABEL_USAGE_TYPE]: type });
      }
      for (const [percentile, seconds] of Object.entries(rt.latency)) {
        result.observe(g.latency!, seconds, { ...base, [LABEL_PERCENTILE]: percentile });
      }
    }
    const { system, hardware } = reading;
    if (hardware) {
      result.observe(g.hardwareInfo!, 1, {
        ...identity,
        [LABEL_NEURON_DEVICE_COUNT]: hardware.deviceCount,
        [LABEL_NEURONCORE_PER_DEVICE_COUNT]: hardware.corePerDevice,
      });
    }
    if (system.vcpuCount !== undefined) result.observe(g.vcpuCount!, system.vcpuCount, identity);
    if (Object.keys(system.vcpuAverage).length > 0) {
      const sum = (fields: string[]): number => fields.reduce((s, f) => s + (system.vcpuAverage[f] ?? 0), 0) / 100;
      result.observe(g.vcpuUsage!, sum(VCPU_USER_FIELDS), { ...identity, [LABEL_USAGE_TYPE]: 'user' });
      result.observe(g.vcpuUsage!, sum(VCPU_SYSTEM_FIELDS), { ...identity, [LABEL_USAGE_TYPE]: 'system' });
    }
    for (const [field] of SYSTEM_MEMORY_GAUGES) {
      const bytes = system.memory[field];
      if (bytes !== undefined) result.observe(g[field]!, bytes, identity);
    }
  }
}

/**
 * Host-level state: per-core utilisation and memory (summed over runtimes sharing a core), the device
 * memory the runtimes report, and the mean utilisation over all the host's cores when the hardware
 * info gives their number (cores no runtime uses are idle), else over the cores reported.
 */
function snapshotOf(reading: NeuronReading, instance: InstanceIdentity): AcceleratorSnapshot | undefined {
  const devices = new Map<string, DeviceSnapshot>();
  let deviceMemory: number | undefined;
  for (const rt of reading.runtimes) {
    const device = rt.memoryUsed.neuron_device;
    if (device !== undefined) deviceMemory = (deviceMemory ?? 0) + device;
    for (const [id, core] of rt.cores) {
      const d = devices.get(id) ?? { id };
      if (core.utilizationPercent !== undefined) {
        d.utilization = Math.min(1, (d.utilization ?? 0) + core.utilizationPercent / 100);
      }
      const bytes = Object.values(core.memory).reduce((s, b) => s + b, 0);
      if (Object.keys(core.memory).length > 0) d.memoryUsedBytes = (d.memoryUsedBytes ?? 0) + bytes;
      devices.set(id, d);
    }
  }
  if (reading.runtimes.length === 0 && !reading.hardware) return undefined;
  const utilizations = [...devices.values()].flatMap((d) => (d.utilization === undefined ? [] : [d.utilization]));
  const coreCount = reading.hardware ? reading.hardware.deviceCount * reading.hardware.corePerDevice : utilizations.length;
  const busy = utilizations.reduce((s, u) => s + u, 0);
  return {
    kind: 'neuron',
    time: Date.now(),
    instance,
    utilization: coreCount > 0 ? busy / coreCount : undefined,
    memoryUsedBytes: deviceMemory,
    devices: [...devices.values()],
  };
}
