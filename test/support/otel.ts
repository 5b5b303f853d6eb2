// In-memory OpenTelemetry tracing and metrics for the tests of the instrumentation packages (and the end-to-end tests).
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

class TestMetricReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface HistogramPoint {
  attributes: Record<string, unknown>;
  count: number;
  sum: number;
}

export interface TestTelemetry {
  exporter: InMemorySpanExporter;
  provider: TracerProvider;
  meterProvider: MeterProvider;
  /** The data points of one histogram, collected now (cumulative). */
  histogram(name: string): Promise<HistogramPoint[]>;
}

export function setUpTracing(): TestTelemetry {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const reader = new TestMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    exporter,
    provider,
    meterProvider,
    async histogram(name) {
      const { resourceMetrics } = await reader.collect();
      const points: HistogramPoint[] = [];
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const metric of scope.metrics) {
          if (metric.descriptor.name !== name) continue;
          for (const p of metric.dataPoints as { attributes: Record<string, unknown>; value: { count: number; sum?: number } }[]) {
            points.push({ attributes: p.attributes, count: p.value.count, sum: p.value.sum ?? 0 });
          }
        }
      }
      return points;
    },
  };
}
