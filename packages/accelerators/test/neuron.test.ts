import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LABEL_AVAILABILITY_ZONE,
  LABEL_ERROR_TYPE,
  LABEL_EVENT_TYPE,
  LABEL_INSTANCE_ID,
  LABEL_INSTANCE_TYPE,
  LABEL_MEMORY_LOCATION,
  LABEL_NEURONCORE,
  LABEL_NEURON_DEVICE_INDEX,
  LABEL_PERCENTILE,
  LABEL_REGION,
  LABEL_RUNTIME_TAG,
  LABEL_STATUS_TYPE,
  LABEL_USAGE_TYPE,
  NEURON_EXECUTION_ERRORS_TOTAL,
  NEURON_EXECUTION_LATENCY_SECONDS,
  NEURON_EXECUTION_STATUS_TOTAL,
  NEURON_HARDWARE_ECC_EVENTS_TOTAL,
  NEURON_NEURONCORE_UTILIZATION_RATIO,
  NEURON_RUNTIME_MEMORY_USED_BYTES,
  NEURON_RUNTIME_VCPU_USAGE_RATIO,
  NEURON_SYSTEM_MEMORY_USED_BYTES,
  NEURON_SYSTEM_VCPU_COUNT,
  NEURON_SYSTEM_VCPU_USAGE_RATIO,
} from '@tokenledger/semconv';
import { acceleratorConfigFromEnv, startAcceleratorMetrics, type AcceleratorMetrics } from '../src/index.ts';
import { eventually, captureDiag, FIXTURES, scenario, testMetrics, type Run, type Scenario } from './harness.ts';
import { INSTANCE_ID, INSTANCE_TYPE, neuronReport } from './reports.ts';

const busy = neuronReport({ utilization: { '0': 89.02, '1': 40 }, completed: 14 });
const idle = neuronReport({ utilization: { '0': 0, '1': 0 }, completed: 0, deviceBytes: 1000 });

let running: AcceleratorMetrics | undefined;
let current: Scenario | undefined;
afterEach(async () => {
  await running?.stop();
  current?.cleanup();
  running = undefined;
});

/** Starts the stand-in exactly as configured from the environment (path and -c config). */
function start(runs: Run[], extraEnv: Record<string, string> = {}) {
  current = scenario(runs);
  const configFile = join(current.dir, 'monitor.conf');
  writeFileSync(configFile, JSON.stringify({ period: '1s', neuron_runtimes: [{ tag_filter: '.*' }] }));
  const config = acceleratorConfigFromEnv({
    TOKENLEDGER_ACCELERATORS: 'neuron',
    TOKENLEDGER_NEURON_MONITOR_PATH: join(FIXTURES, 'neuron-monitor'),
    TOKENLEDGER_NEURON_MONITOR_CONFIG: configFile,
    ...extraEnv,
  })!;
  const telemetry = testMetrics();
  running = startAcceleratorMetrics({ ...config, meterProvider: telemetry.meterProvider, restartDelayMs: 20, maxRestartDelayMs: 80 });
  return { telemetry, handle: running, configFile, scenario: current };
}

describe('neuron-monitor', () => {
  it('publishes a busy report under the exporter names, with the instance identity', async () => {
    const { telemetry, handle, configFile, scenario } = start([{ lines: [busy] }]);
    await eventually(() => expect(handle.snapshot()).toBeDefined());
    expect(scenario.starts()).toEqual([['-c', configFile]]);

    const core0 = { [LABEL_NEURONCORE]: '0', [LABEL_RUNTIME_TAG]: '15439' };
    expect(await telemetry.value(NEURON_NEURONCORE_UTILIZATION_RATIO, core0)).toBeCloseTo(0.8902, 6);
    expect(await telemetry.value(NEURON_NEURONCORE_UTILIZATION_RATIO, { [LABEL_NEURONCORE]: '1' })).toBeCloseTo(0.4, 6);
    const [point] = await telemetry.points(NEURON_NEURONCORE_UTILIZATION_RATIO);
    expect(point!.attributes).toMatchObject({
      [LABEL_INSTANCE_ID]: INSTANCE_ID,
      [LABEL_INSTANCE_TYPE]: INSTANCE_TYPE,
      [LABEL_AVAILABILITY_ZONE]: 'us-east-2a',
      [LABEL_REGION]: 'us-east-2',
    });
    expect(await telemetry.value(NEURON_RUNTIME_MEMORY_USED_BYTES, { [LABEL_MEMORY_LOCATION]: 'neuron_device' })).toBe(63118912);
    expect(await telemetry.value(NEURON_RUNTIME_MEMORY_USED_BYTES, { [LABEL_MEMORY_LOCATION]: 'host' })).toBe(1119887360);
    expect(await telemetry.value('neuroncore_memory_usage_constants', { ...core0, [LABEL_MEMORY_LOCATION]: 'None' })).toBe(61766864);
    expect(await telemetry.value(NEURON_EXECUTION_LATENCY_SECONDS, { [LABEL_PERCENTILE]: 'p50' })).toBe(0.00328);
    expect(await telemetry.value(NEURON_EXECUTION_STATUS_TOTAL, { [LABEL_STATUS_TYPE]: 'completed' })).toBe(14);
    expect(await telemetry.value(NEURON_RUNTIME_VCPU_USAGE_RATIO, { [LABEL_USAGE_TYPE]: 'system' })).toBeCloseTo(0.01, 9);
    // The exporter's derivation: user = user + nice, system = system + io_wait + irq + soft_irq.
    expect(await telemetry.value(NEURON_SYSTEM_VCPU_USAGE_RATIO, { [LABEL_USAGE_TYPE]: 'user' })).toBeCloseTo(0.26, 9);
    expect(await telemetry.value(NEURON_SYSTEM_VCPU_USAGE_RATIO, { [LABEL_USAGE_TYPE]: 'system' })).toBeCloseTo(0.04, 9);
    expect(await telemetry.value(NEURON_SYSTEM_VCPU_COUNT, {})).toBe(2);
    expect(await telemetry.value(NEURON_SYSTEM_MEMORY_USED_BYTES, {})).toBe(6720876544);

    const snapshot = handle.snapshot()!;
    // Mean over the host's 1 × 4 cores; the two cores no runtime uses are idle.
    expect(snapshot.utilization).toBeCloseTo((0.8902 + 0.4) / 4, 9);
    expect(snapshot.memoryUsedBytes).toBe(63118912);
    expect(snapshot.instance).toMatchObject({ instanceId: INSTANCE_ID, instanceType: INSTANCE_TYPE });
    expect(snapshot.devices.map((d) => d.id)).toEqual(['0', '1']);
    expect(snapshot.devices[0]!.memoryUsedBytes).toBe(61766864 + 1308832 + 43216);
  });

  it('adds each period’s counts to the counters and drops latency when nothing ran', async () => {
    const errors = neuronReport({ utilization: { '0': 10 }, completed: 3, errors: { numerical: 2, hardware: 1 }, ecc: 5 });
    const { telemetry, handle } = start([{ lines: [busy, busy, errors, idle] }]);
    await eventually(() => expect(handle.snapshot()?.memoryUsedBytes).toBe(1000));
    expect(await telemetry.value(NEURON_EXECUTION_STATUS_TOTAL, { [LABEL_STATUS_TYPE]: 'completed' })).toBe(14 + 14 + 3);
    expect(await telemetry.value(NEURON_EXECUTION_ERRORS_TOTAL, { [LABEL_ERROR_TYPE]: 'numerical' })).toBe(2);
    expect(await telemetry.value(NEURON_EXECUTION_ERRORS_TOTAL, { [LABEL_ERROR_TYPE]: 'hardware' })).toBe(1);
    expect(
      await telemetry.value(NEURON_HARDWARE_ECC_EVENTS_TOTAL, { [LABEL_EVENT_TYPE]: 'mem_ecc_corrected', [LABEL_NEURON_DEVICE_INDEX]: '0' }),
    ).toBe(5);
    // The last (idle) report ran nothing: latency is null there, so no latency points.
    expect(await telemetry.points(NEURON_EXECUTION_LATENCY_SECONDS)).toEqual([]);
    expect(await telemetry.value(NEURON_NEURONCORE_UTILIZATION_RATIO, { [LABEL_NEURONCORE]: '0' })).toBe(0);
    expect(handle.snapshot()!.utilization).toBe(0);
  });

  it('reports a group with error set to diag and keeps the rest of the report', async () => {
    const messages = captureDiag();
    const broken = neuronReport({ utilization: { '0': 55 }, completed: 9, executionStatsError: 'execution stats unavailable' });
    const { telemetry, handle } = start([{ lines: [broken, broken] }]);
    await eventually(() => expect(handle.snapshot()?.utilization).toBeCloseTo(0.55 / 4, 9));
    await eventually(() => expect(current!.starts()).toHaveLength(1));
    expect(messages.filter((m) => m.includes('runtime 15439 execution_stats: execution stats unavailable'))).toHaveLength(1);
    // The broken group contributes nothing; its neighbours still do.
    expect(await telemetry.points(NEURON_EXECUTION_STATUS_TOTAL)).toEqual([]);
    expect(await telemetry.value(NEURON_NEURONCORE_UTILIZATION_RATIO, { [LABEL_NEURONCORE]: '0' })).toBeCloseTo(0.55, 9);
  });

  it('skips a malformed line and a partial one, and re-spawns the monitor after it exits', async () => {
    const messages = captureDiag();
    const { telemetry, handle, configFile, scenario } = start([
      { lines: [busy, 'neuron-monitor: {not json'], exit: 3, partial: '{"neuron_runtime_data":[{"pid"' },
      { lines: [idle] },
    ]);
    await eventually(() => expect(handle.snapshot()?.memoryUsedBytes).toBe(1000));
    expect(scenario.starts()).toEqual([['-c', configFile], ['-c', configFile]]);
    expect(messages.some((m) => m.includes('malformed neuron-monitor line: neuron-monitor: {not json'))).toBe(true);
    expect(messages.some((m) => m.includes('malformed neuron-monitor line: {"neuron_runtime_data":[{"pid"'))).toBe(true);
    expect(messages.some((m) => m.includes('neuron-monitor exited (code 3); restarting in 20 ms'))).toBe(true);
    // The counter kept the first run's counts; the gauges show the second run's report.
    expect(await telemetry.value(NEURON_EXECUTION_STATUS_TOTAL, { [LABEL_STATUS_TYPE]: 'completed' })).toBe(14);
    expect(await telemetry.value(NEURON_NEURONCORE_UTILIZATION_RATIO, { [LABEL_NEURONCORE]: '0' })).toBe(0);
  });

  it('backs off, capped, while the monitor keeps exiting', async () => {
    const messages = captureDiag();
    const { handle } = start([{ lines: [], exit: 1 }]);
    const delays = (): number[] =>
      messages.flatMap((m) => /exited \(code 1\); restarting in (\d+) ms/.exec(m)?.[1] ?? []).map(Number);
    await eventually(() => expect(delays().length).toBeGreaterThanOrEqual(5));
    expect(delays().slice(0, 5)).toEqual([20, 40, 80, 80, 80]);
    expect(current!.starts().length).toBeGreaterThanOrEqual(5);
    expect(handle.snapshot()).toBeUndefined();
  });

  it('reports a missing executable naming the variable, retries, and stops cleanly', async () => {
    const messages = captureDiag();
    const { handle } = start([{ lines: [busy] }], { TOKENLEDGER_NEURON_MONITOR_PATH: join(FIXTURES, 'no-such-monitor') });
    await eventually(() =>
      expect(messages.filter((m) => m.includes('not found; set TOKENLEDGER_NEURON_MONITOR_PATH')).length).toBeGreaterThanOrEqual(2),
    );
    expect(handle.snapshot()).toBeUndefined();
    await handle.stop();
  });

  it('kills a monitor that ignores SIGTERM when stopped', async () => {
    const { handle, scenario } = start([{ lines: [busy], ignoreTerm: true }]);
    await eventually(() => expect(handle.snapshot()).toBeDefined());
    const [pid] = scenario.pids();
    await handle.stop();
    expect(() => process.kill(pid!, 0)).toThrow(/ESRCH/);
  });

  it('fails at start on a bad TOKENLEDGER_ACCELERATORS', () => {
    expect(() => acceleratorConfigFromEnv({ TOKENLEDGER_ACCELERATORS: 'tpu' })).toThrow(/TOKENLEDGER_ACCELERATORS="tpu"/);
    expect(acceleratorConfigFromEnv({})).toBeUndefined();
  });
});
