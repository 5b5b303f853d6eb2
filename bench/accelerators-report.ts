// What reading one neuron-monitor report costs the inference server's process (in-process mode): parse
// and record, and one metric collection, against JSON.parse of the same line as the baseline; and the
// span snapshot processor's onEnding. Run: node bench/accelerators-report.ts
import '../scripts/sources-only.ts';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { ATTR_GEN_AI_OPERATION_NAME, OPERATION_CHAT } from '@tokenledger/semconv';
import { AcceleratorSnapshotSpanProcessor } from '../packages/accelerators/src/index.ts';
import { NeuronMetrics } from '../packages/accelerators/src/neuron/metrics.ts';
import { parseNeuronReport } from '../packages/accelerators/src/neuron/report.ts';
import { neuronReport } from '../packages/accelerators/test/reports.ts';

class Reader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

// An inf2.48xlarge-sized report: 24 NeuronCores in use.
const cores = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [String(i), 40 + (i % 50)]));
const line = JSON.stringify(neuronReport({ utilization: cores, completed: 120, errors: { numerical: 1 } }));
const reader = new Reader();
const sink = new NeuronMetrics(new MeterProvider({ readers: [reader] }).getMeter('bench'), undefined);
let kept = 0;

async function bench(name: string, iterations: number, fn: () => unknown): Promise<[string, number]> {
  for (let i = 0; i < Math.min(iterations, 200); i++) await fn(); // warm-up
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) if (await fn()) kept++;
  return [name, Number(process.hrtime.bigint() - start) / iterations / 1000];
}

const exporter = new InMemorySpanExporter();
const tracer = new TracerProvider({
  spanProcessors: [new AcceleratorSnapshotSpanProcessor(sink), new SimpleSpanProcessor({ exporter })],
}).getTracer('bench');
const withoutProcessor = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] }).getTracer('bench');
const model = { attributes: { [ATTR_GEN_AI_OPERATION_NAME]: OPERATION_CHAT } };

const rows = [
  await bench('baseline: JSON.parse(report line)', 5_000, () => JSON.parse(line)),
  await bench('parseNeuronReport + record', 5_000, () => sink.record(parseNeuronReport(line)!)),
  await bench('collect (all instruments, one report)', 2_000, () => reader.collect()),
  await bench('baseline: model span start+end', 20_000, () => { withoutProcessor.startSpan('chat', model).end(); exporter.reset(); }),
  await bench('model span start+end with snapshot processor', 20_000, () => { tracer.startSpan('chat', model).end(); exporter.reset(); }),
];
console.log(`report line: ${line.length} bytes, 24 NeuronCores\n`);
console.log('| operation | µs/op | × its baseline |\n|---|---:|---:|');
rows.forEach(([name, us], i) => {
  const base = rows[i < 3 ? 0 : 3]![1];
  console.log(`| ${name} | ${us.toFixed(2)} | ${(us / base).toFixed(2)} |`);
});
if (kept < 0) console.log(kept);
