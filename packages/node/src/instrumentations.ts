import { diag } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { loadSync } from './load-sync.ts';
import type { Provider, TokenLedgerNodeConfig } from './types.ts';

/** Where each provider's instrumentations come from; a new provider is one more entry. */
const PROVIDER_FACTORIES: Record<Provider, { module: string; factory: string }> = {
  // The AWS SDK: Bedrock Runtime, plus SageMaker Runtime, Bedrock Agent Runtime and batch jobs on the same AwsInstrumentation.
  bedrock: { module: '@tokenledger/instrumentation-bedrock', factory: 'createBedrockInstrumentations' },
  openai: { module: '@tokenledger/instrumentation-openai', factory: 'createOpenAIInstrumentations' },
  anthropic: { module: '@tokenledger/instrumentation-anthropic', factory: 'createAnthropicInstrumentations' },
  pg: { module: '@tokenledger/retrieval', factory: 'createPgInstrumentations' },
};

/**
 * The instrumentations the preload enables. Provider packages are loaded synchronously (the app's own
 * modules load right after the preload), each in its own try: one that fails to load is reported to
 * diag and skipped, and the app runs with the others, since a preload must never stop the app.
 * Every package is loaded before the first instrumentation is created: creating one installs
 * require-in-the-middle's hook, and every module loaded after it pays for the hook's resolution
 * (measured: ~15 ms of a preloaded start when the packages loaded after the first instrumentation).
 */
export function createInstrumentations(config: TokenLedgerNodeConfig): Instrumentation[] {
  const factories: [Provider, () => Instrumentation[]][] = [];
  for (const provider of config.instrumentations) {
    const { module, factory } = PROVIDER_FACTORIES[provider];
    try {
      factories.push([provider, loadSync<Record<string, () => Instrumentation[]>>(module)[factory]!]);
    } catch (err) {
      diag.error(`tokenledger: the ${provider} instrumentation (${module}) could not be loaded, skipped`, err);
    }
  }
  const out: Instrumentation[] = [];
  if (config.httpInstrumentation) out.push(new HttpInstrumentation());
  for (const [provider, create] of factories) {
    try {
      out.push(...create());
    } catch (err) {
      diag.error(`tokenledger: the ${provider} instrumentations could not be created, skipped`, err);
    }
  }
  return out;
}
