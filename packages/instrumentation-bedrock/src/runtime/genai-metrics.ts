// The GenAI client histograms for Bedrock calls, from the global meter provider. The upstream
// extension's own Bedrock metrics are switched off (they count Converse input without cache tokens
// and skip InvokeModel); these replace them for all four operations.
import { metrics, type MeterProvider } from '@opentelemetry/api';
import { createGenAiMetrics, type GenAiMetrics } from '@tokenledger/instrumentation-core';

const SCOPE = '@tokenledger/instrumentation-bedrock';
let provider: MeterProvider | undefined;
let current: GenAiMetrics | undefined;

/** Re-created when the global provider changes (the SDK may start after the first call). */
export function genAiMetrics(): GenAiMetrics {
  const p = metrics.getMeterProvider();
  if (p !== provider || !current) {
    provider = p;
    current = createGenAiMetrics(p.getMeter(SCOPE));
  }
  return current;
}
