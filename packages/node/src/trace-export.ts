import { diag } from '@opentelemetry/api';
import { getNumberFromEnv, getStringFromEnv, getStringListFromEnv } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import { loadSync } from './load-sync.ts';

// NodeSDK builds its exporting processors from OTEL_TRACES_EXPORTER only when it is given no span
// processors, and it has no way to add one: so, to run the attribution processor, the preload reads
// the same variables here (otlp over http/protobuf, http/json or grpc, console, none).

/** Exporting span processors per OTEL_TRACES_EXPORTER, OTEL_EXPORTER_OTLP_*PROTOCOL and OTEL_BSP_*. */
export function createExportProcessorsFromEnv(): SpanProcessor[] {
  const fromEnv = getStringListFromEnv('OTEL_TRACES_EXPORTER')?.filter((n) => n !== 'null');
  const names = new Set(fromEnv?.length ? fromEnv : ['otlp']);
  if (names.has('none')) return [];
  const processors: SpanProcessor[] = [];
  for (const name of names) {
    if (name === 'otlp') processors.push(batch(otlpExporter()));
    else if (name === 'console') processors.push(new SimpleSpanProcessor({ exporter: new ConsoleSpanExporter() }));
    else diag.warn(`tokenledger: unsupported OTEL_TRACES_EXPORTER value "${name}", skipped`);
  }
  return processors;
}

function otlpExporter(): SpanExporter {
  const protocol =
    getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (protocol === 'http/json') return new OTLPJsonTraceExporter();
  if (protocol === 'grpc') {
    // Loaded only when asked for: grpc-js adds ~100 ms to every preloaded start.
    const grpc = loadSync<typeof import('@opentelemetry/exporter-trace-otlp-grpc')>('@opentelemetry/exporter-trace-otlp-grpc');
    return new grpc.OTLPTraceExporter();
  }
  if (protocol !== 'http/protobuf') diag.warn(`tokenledger: unsupported OTLP traces protocol "${protocol}", using http/protobuf`);
  return new OTLPProtoTraceExporter();
}

function batch(exporter: SpanExporter): SpanProcessor {
  return new BatchSpanProcessor({
    exporter,
    maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
    scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
    maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  });
}
