// `tokenledger accelerator-agent`: reads the accelerator monitor and exports its metrics over OTLP/HTTP
// (protobuf or JSON) until SIGINT or SIGTERM.
import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtobufMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { acceleratorConfigFromEnv, ENV_ACCELERATORS } from './config.ts';
import { startAcceleratorMetrics } from './start.ts';
import type { AcceleratorConfig } from './types.ts';

const ENV_EXPORT_INTERVAL = 'OTEL_METRIC_EXPORT_INTERVAL';
const ENV_PROTOCOLS = ['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'];
const PROTOCOL_PROTOBUF = 'http/protobuf';
const PROTOCOL_JSON = 'http/json';
const DEFAULT_EXPORT_INTERVAL_MS = 60_000;
const DEFAULT_SERVICE_NAME = 'tokenledger-accelerator-agent';
const SERVICE_NAME_KEY = 'service.name';

const USAGE = [
  'usage: tokenledger accelerator-agent',
  '',
  "Runs neuron-monitor or nvidia-smi and exports their metrics over OTLP/HTTP to the collector's /v1/metrics.",
  ...[
    [`${ENV_ACCELERATORS}=neuron|nvidia`, 'which monitor (required)'],
    ['OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'default http://localhost:4318/v1/metrics'],
    ['OTEL_EXPORTER_OTLP_METRICS_PROTOCOL', `${PROTOCOL_PROTOBUF} (default) or ${PROTOCOL_JSON}`],
    [ENV_EXPORT_INTERVAL, `export interval in ms (default ${DEFAULT_EXPORT_INTERVAL_MS})`],
  ].map(([name, meaning]) => `  ${name!.padEnd(40)} ${meaning}`),
  'See docs/configuration.md ("Accelerators") for the monitor\'s variables.',
].join('\n');

/** Runs the agent; resolves to the process exit code once a signal stops it. */
export async function runAcceleratorAgent(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  if (argv.length > 0) {
    console.error(`accelerator-agent: unexpected arguments: ${argv.join(' ')}\n${USAGE}`);
    return 2;
  }
  let config: AcceleratorConfig | undefined;
  let intervalMs = DEFAULT_EXPORT_INTERVAL_MS;
  let protocol = PROTOCOL_PROTOBUF;
  try {
    config = acceleratorConfigFromEnv(env);
    if (!config) throw new Error(`${ENV_ACCELERATORS} must be set to neuron or nvidia`);
    const interval = env[ENV_EXPORT_INTERVAL];
    if (interval) {
      intervalMs = Number(interval);
      if (!Number.isInteger(intervalMs) || intervalMs < 1) throw new Error(`${ENV_EXPORT_INTERVAL}="${interval}" must be a whole number of ms`);
    }
    const protocolVar = ENV_PROTOCOLS.find((name) => env[name]);
    if (protocolVar) {
      protocol = env[protocolVar]!;
      if (protocol !== PROTOCOL_PROTOBUF && protocol !== PROTOCOL_JSON) {
        throw new Error(`${protocolVar}="${protocol}" must be ${PROTOCOL_PROTOBUF} or ${PROTOCOL_JSON}`);
      }
    }
  } catch (err) {
    console.error(`accelerator-agent: ${(err as Error).message}`);
    return 2;
  }
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

  const exporter = protocol === PROTOCOL_JSON ? new JsonMetricExporter() : new ProtobufMetricExporter();
  const meterProvider = new MeterProvider({
    resource: resourceFromAttributes({ [SERVICE_NAME_KEY]: env.OTEL_SERVICE_NAME || DEFAULT_SERVICE_NAME }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: intervalMs })],
  });
  const accelerators = startAcceleratorMetrics({ ...config, meterProvider, keepAlive: true });

  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.removeListener('SIGINT', done);
      process.removeListener('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await accelerators.stop();
  // Shutting down exports what the last reports added.
  await meterProvider.shutdown();
  return 0;
}
