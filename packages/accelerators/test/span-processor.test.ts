import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ATTR_ACCELERATOR_DEVICES,
  ATTR_ACCELERATOR_KIND,
  ATTR_ACCELERATOR_MEMORY_USED_BYTES,
  ATTR_ACCELERATOR_UTILIZATION,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_INSTANCE_ID,
  ATTR_INSTANCE_TYPE,
  OPERATION_CHAT,
} from '@tokenledger/semconv';
import {
  AcceleratorSnapshotSpanProcessor,
  acceleratorConfigFromEnv,
  startAcceleratorMetrics,
  type AcceleratorMetrics,
  type AcceleratorSnapshot,
} from '../src/index.ts';
import { eventually, FIXTURES, scenario, testMetrics, type Scenario } from './harness.ts';
import { INSTANCE_ID, INSTANCE_TYPE, neuronReport } from './reports.ts';

let running: AcceleratorMetrics | undefined;
let current: Scenario | undefined;
afterEach(async () => {
  await running?.stop();
  current?.cleanup();
});

function tracing(source: Pick<AcceleratorMetrics, 'snapshot'>, maxAgeMs?: number) {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({
    spanProcessors: [new AcceleratorSnapshotSpanProcessor(source, { maxAgeMs }), new SimpleSpanProcessor({ exporter })],
  });
  return { exporter, tracer: provider.getTracer('test') };
}

describe('AcceleratorSnapshotSpanProcessor', () => {
  it('stamps the neuron-monitor state on model spans as they end, and only on them', async () => {
    current = scenario([{ lines: [neuronReport({ utilization: { '0': 80, '1': 60 }, completed: 4 })] }]);
    const configFile = join(current.dir, 'monitor.conf');
    writeFileSync(configFile, '{}');
    const config = acceleratorConfigFromEnv({
      TOKENLEDGER_ACCELERATORS: 'neuron',
      TOKENLEDGER_NEURON_MONITOR_PATH: join(FIXTURES, 'neuron-monitor'),
      TOKENLEDGER_NEURON_MONITOR_CONFIG: configFile,
    })!;
    running = startAcceleratorMetrics({ ...config, meterProvider: testMetrics().meterProvider });
    const { exporter, tracer } = tracing(running);

    // A span that starts before the first report still gets the state current when it ends.
    const chat = tracer.startSpan('chat llama', { attributes: { [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_CHAT } });
    const other = tracer.startSpan('GET /health');
    await eventually(() => expect(running!.snapshot()).toBeDefined());
    chat.end();
    other.end();

    const [ended, plain] = exporter.getFinishedSpans();
    expect(ended!.attributes).toMatchObject({
      [ATTR_ACCELERATOR_KIND]: 'neuron',
      [ATTR_ACCELERATOR_DEVICES]: 2,
      [ATTR_ACCELERATOR_MEMORY_USED_BYTES]: 63118912,
      [ATTR_INSTANCE_ID]: INSTANCE_ID,
      [ATTR_INSTANCE_TYPE]: INSTANCE_TYPE,
    });
    expect(ended!.attributes[ATTR_ACCELERATOR_UTILIZATION]).toBeCloseTo((0.8 + 0.6) / 4, 9);
    expect(Object.keys(plain!.attributes)).toEqual([]);
  });

  it('keeps an instance type the instrumentation set, skips stale snapshots and survives a failing source', () => {
    let snapshot: AcceleratorSnapshot | undefined = {
      kind: 'nvidia',
      time: Date.now(),
      instance: { instanceType: 'g5.xlarge' },
      utilization: 0.5,
      devices: [{ id: '0', utilization: 0.5 }],
    };
    let fail = false;
    const { exporter, tracer } = tracing({
      snapshot: () => {
        if (fail) throw new Error('boom');
        return snapshot;
      },
    }, 1000);
    const model = { [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_CHAT };
    tracer.startSpan('a', { attributes: { ...model, [ATTR_INSTANCE_TYPE]: 'g6.xlarge' } }).end();
    snapshot = { ...snapshot, time: Date.now() - 5000 };
    tracer.startSpan('b', { attributes: model }).end();
    fail = true;
    tracer.startSpan('c', { attributes: model }).end();

    const [a, b, c] = exporter.getFinishedSpans();
    expect(a!.attributes[ATTR_INSTANCE_TYPE]).toBe('g6.xlarge');
    expect(a!.attributes[ATTR_ACCELERATOR_UTILIZATION]).toBe(0.5);
    expect(b!.attributes[ATTR_ACCELERATOR_UTILIZATION]).toBeUndefined();
    expect(c!.attributes).toEqual(model);
  });
});
