// startAcceleratorMetrics: one monitor process feeding one set of instruments.
import { diag, metrics } from '@opentelemetry/api';
import {
  DEFAULT_MAX_RESTART_DELAY_MS,
  DEFAULT_NVIDIA_INTERVAL_SECONDS,
  DEFAULT_RESTART_DELAY_MS,
  ENV_NEURON_MONITOR_PATH,
  ENV_NVIDIA_SMI_PATH,
  monitorExecutable,
} from './config.ts';
import { fillIdentity, identityIncomplete, lookupEc2Identity } from './ec2-identity.ts';
import { MonitorProcess } from './monitor-process.ts';
import { NeuronMetrics } from './neuron/metrics.ts';
import { parseNeuronReport } from './neuron/report.ts';
import { nvidiaSmiArgs, parseGpuLine } from './nvidia/csv.ts';
import { NvidiaMetrics } from './nvidia/metrics.ts';
import type { AcceleratorConfig, AcceleratorMetrics, InstanceIdentity } from './types.ts';

const METER_NAME = '@tokenledger/accelerators';
const METER_VERSION = '0.1.0';
/** How much of a bad line the diag message quotes. */
const QUOTED_CHARS = 120;

/**
 * Starts the monitor of `config.kind` and publishes its metrics. Never throws once started: a missing or
 * failing monitor is reported to diag and retried with backoff.
 */
export function startAcceleratorMetrics(config: AcceleratorConfig): AcceleratorMetrics {
  const meter = (config.meterProvider ?? metrics.getMeterProvider()).getMeter(METER_NAME, METER_VERSION);
  const executable = monitorExecutable(config);
  const common = {
    executable,
    restartDelayMs: config.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS,
    maxRestartDelayMs: config.maxRestartDelayMs ?? DEFAULT_MAX_RESTART_DELAY_MS,
    keepAlive: config.keepAlive ?? false,
  };
  // One object the sinks read at every collection, so a metadata lookup that answers later still lands.
  const instance: InstanceIdentity = { ...config.instance };
  if (config.ec2Metadata !== false && identityIncomplete(instance)) void lookupEc2Identity().then((found) => fillIdentity(instance, found));
  const malformed = (name: string, line: string): false => {
    diag.warn(`tokenledger accelerators: skipped a malformed ${name} line: ${line.slice(0, QUOTED_CHARS)}`);
    return false;
  };

  if (config.kind === 'neuron') {
    const sink = new NeuronMetrics(meter, instance);
    const reportedErrors = new Set<string>();
    const monitor = new MonitorProcess({
      ...common,
      name: 'neuron-monitor',
      args: config.neuronMonitorConfig ? ['-c', config.neuronMonitorConfig] : [],
      pathVariable: ENV_NEURON_MONITOR_PATH,
      onLine(line) {
        const reading = parseNeuronReport(line);
        if (!reading) return malformed('neuron-monitor', line);
        // Report each group error once until it clears, not on every report.
        for (const error of reading.errors) {
          if (!reportedErrors.has(error)) diag.warn(`tokenledger accelerators: neuron-monitor group error, ${error}`);
        }
        reportedErrors.clear();
        for (const error of reading.errors) reportedErrors.add(error);
        sink.record(reading);
        return true;
      },
    });
    return handle(monitor, sink);
  }

  const sink = new NvidiaMetrics(meter, instance);
  const monitor = new MonitorProcess({
    ...common,
    name: 'nvidia-smi',
    args: nvidiaSmiArgs(config.intervalSeconds ?? DEFAULT_NVIDIA_INTERVAL_SECONDS),
    pathVariable: ENV_NVIDIA_SMI_PATH,
    onStart: () => sink.reset(),
    onLine(line) {
      const gpu = parseGpuLine(line);
      if (!gpu) return malformed('nvidia-smi', line);
      sink.record(gpu);
      return true;
    },
  });
  return handle(monitor, sink);
}

function handle(monitor: MonitorProcess, sink: NeuronMetrics | NvidiaMetrics): AcceleratorMetrics {
  return {
    async stop() {
      await monitor.stop();
      sink.stop();
    },
    snapshot: () => sink.snapshot(),
  };
}
