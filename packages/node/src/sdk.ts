import { diag } from '@opentelemetry/api';
import { getBooleanFromEnv } from '@opentelemetry/core';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { register } from 'node:module';
import { type AcceleratorMetrics, AcceleratorSnapshotSpanProcessor, acceleratorConfigFromEnv, startAcceleratorMetrics } from '@tokenledger/accelerators';
import { AttributionSpanProcessor } from './attribution-processor.ts';
import { InFlightSpanProcessor } from './in-flight.ts';
import { readConfig } from './config.ts';
import type { ConfigError } from './config.ts';
import { createInstrumentations } from './instrumentations.ts';
import { createPropagatorFromEnv } from './propagation/from-env.ts';
import { createExportProcessorsFromEnv } from './trace-export.ts';

/** Longest a signal waits for the last export before the process gets its default behaviour back. */
const SHUTDOWN_TIMEOUT_MS = 5000;
const STARTED = Symbol.for('tokenledger.node.started');

/**
 * Starts the OpenTelemetry Node SDK for the preload, once per process. The host app always wins: a bad
 * TOKENLEDGER_* value is printed (naming the variable) and the app runs uninstrumented, like the SDK
 * itself ignores what it cannot use; OTEL_SDK_DISABLED=true loads nothing at all.
 */
export function startTokenLedger(options: { esmHook: boolean }): void {
  const g = globalThis as { [STARTED]?: boolean };
  if (g[STARTED] || getBooleanFromEnv('OTEL_SDK_DISABLED')) return;
  g[STARTED] = true;
  let config;
  try {
    config = readConfig();
  } catch (err) {
    // readConfig() throws ConfigError only; its message names the variable.
    console.error(`tokenledger: ${(err as ConfigError).message}; the app runs without TokenLedger instrumentation`);
    return;
  }
  try {
    const instrumentations = createInstrumentations(config);
    const exporting = createExportProcessorsFromEnv();
    const accelerators = acceleratorsFromEnv();
    // ESM apps (node --import): import-in-the-middle's loader hook lets instrumentations patch `import`ed
    // modules. Registered after our own modules are loaded (they need no wrapping, and every module loaded
    // through the hook costs a round trip to its thread), before the app's. CJS modules are patched
    // through require-in-the-middle without it (and registering it from --require initialises it twice,
    // with a warning on the app's stderr).
    if (options.esmHook) register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
    const sdk = new NodeSDK({
      instrumentations,
      textMapPropagator: createPropagatorFromEnv(),
      spanProcessors: exporting.length === 0 ? [] : [
        new AttributionSpanProcessor(),
        new InFlightSpanProcessor(),
        ...(accelerators ? [new AcceleratorSnapshotSpanProcessor(accelerators.source)] : []),
        ...exporting,
      ],
    });
    sdk.start();
    // Started after the SDK so its metrics go to the SDK's meter provider.
    accelerators?.start();
    flushOnExit(sdk, () => accelerators?.stop());
  } catch (err) {
    console.error('tokenledger: the OpenTelemetry SDK could not start; the app runs without it:', err);
  }
}

/**
 * Exports what is pending when the event loop empties or on SIGTERM/SIGINT. On a signal the app did not
 * handle itself, the signal is raised again once flushed, so the process ends exactly as it would have.
 */
function flushOnExit(sdk: NodeSDK, beforeShutdown: () => Promise<void> | undefined): void {
  let done: Promise<void> | undefined;
  const shutdown = () =>
    (done ??= Promise.resolve(beforeShutdown())
      .then(() => sdk.shutdown())
      .catch((err: unknown) => diag.error('tokenledger: SDK shutdown failed', err)));
  process.once('beforeExit', () => void shutdown());
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      // `once` has already removed this listener: any left are the app's, and they decide.
      if (process.listenerCount(signal) > 0) return void shutdown();
      const timeout = new Promise((resolve) => setTimeout(resolve, SHUTDOWN_TIMEOUT_MS));
      void Promise.race([shutdown(), timeout]).then(() => process.kill(process.pid, signal));
    });
  }
}

/**
 * Accelerator metrics in the host process when TOKENLEDGER_ACCELERATORS is set (neuron-monitor or
 * nvidia-smi), and their snapshot on model spans. A bad value is printed and only this part is skipped.
 */
function acceleratorsFromEnv(): { source: Pick<AcceleratorMetrics, 'snapshot'>; start(): void; stop(): Promise<void> | undefined } | undefined {
  let cfg;
  try {
    cfg = acceleratorConfigFromEnv();
  } catch (err) {
    console.error(`tokenledger: ${(err as Error).message}; accelerator metrics are off`);
    return undefined;
  }
  if (!cfg) return undefined;
  let running: AcceleratorMetrics | undefined;
  return {
    source: { snapshot: () => running?.snapshot() },
    start: () => {
      running = startAcceleratorMetrics(cfg);
    },
    stop: () => running?.stop(),
  };
}
