// OpenAI instrumentation in the style of @opentelemetry/instrumentation-openai (whose range, <7, does not
// cover the current `openai` major): chat completions, responses and embeddings, JSON and streamed, with
// cache/reasoning tokens, cost, request hash and the GenAI metrics.
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { OPERATION_CHAT, OPERATION_EMBEDDINGS, PROVIDER_OPENAI, type PriceTier } from '@tokenledger/semconv';
import { chatInputContent, chatOutputContent, chatRequestAttributes, chatResult, ChatStreamResult, isUsageOnlyChunk } from './chat.ts';
import { embeddingsRequestAttributes, embeddingsResult } from './embeddings.ts';
import { createGenAiMetrics, type GenAiMetrics } from '@tokenledger/instrumentation-core';
import { responsesRequestAttributes, responsesResult, ResponsesStreamResult } from './responses.ts';
import { patchBuildRequest, patchCreate, type SdkApi } from '@tokenledger/instrumentation-core';
import { chatPromptChars, responsesPromptChars } from './prompt.ts';
import { endpointForUrl, ENV_SELF_HOSTED_ENDPOINTS, parseSelfHostedEndpoints, type SelfHostedEndpoint } from '@tokenledger/instrumentation-core';
import type { OpenAIInstrumentationConfig } from './types.ts';

const PACKAGE_NAME = '@tokenledger/instrumentation-openai';
const PACKAGE_VERSION = '0.1.0';
export const ENV_OPENAI_STREAM_USAGE = 'TOKENLEDGER_OPENAI_STREAM_USAGE';

/** OpenAI `service_tier` → price tier. */
function tierOf(serviceTier: string | undefined): PriceTier {
  return serviceTier === 'flex' ? 'flex' : serviceTier === 'priority' ? 'priority' : 'on_demand';
}

export class OpenAIInstrumentation extends InstrumentationBase<OpenAIInstrumentationConfig> {
  private genAiMetrics: GenAiMetrics | undefined;
  private readonly selfHostedEndpoints: readonly SelfHostedEndpoint[];
  private readonly host = { isEnabled: () => this.isEnabled(), tracer: () => this.tracer, metrics: () => this.genAiMetrics };

  constructor(config: OpenAIInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
    // Read here, so a bad variable fails at start (init() runs inside super()).
    this.selfHostedEndpoints = config.selfHostedEndpoints ?? parseSelfHostedEndpoints(ENV_SELF_HOSTED_ENDPOINTS, process.env[ENV_SELF_HOSTED_ENDPOINTS], 'url');
  }

  protected override init() {
    const base = { provider: PROVIDER_OPENAI, tier: tierOf, selfHosted: (baseURL: unknown) => endpointForUrl(this.selfHostedEndpoints, baseURL) };
    const chat: SdkApi = {
      ...base, operation: OPERATION_CHAT, request: chatRequestAttributes, result: chatResult,
      stream: () => new ChatStreamResult(), streamParams: (params) => this.withStreamUsage(params),
      inputContent: chatInputContent, outputContent: chatOutputContent, promptChars: chatPromptChars,
    };
    const responses: SdkApi = {
      ...base, operation: OPERATION_CHAT, request: responsesRequestAttributes, result: responsesResult, stream: () => new ResponsesStreamResult(),
      promptChars: responsesPromptChars,
    };
    const embeddings: SdkApi = { ...base, operation: OPERATION_EMBEDDINGS, request: embeddingsRequestAttributes, result: embeddingsResult };
    const targets = (openai: any): [object, SdkApi][] => [
      [openai.OpenAI.Chat.Completions.prototype, chat],
      [openai.OpenAI.Embeddings.prototype, embeddings],
      ...(openai.OpenAI.Responses ? [[openai.OpenAI.Responses.prototype, responses] as [object, SdkApi]] : []),
    ];
    return [
      new InstrumentationNodeModuleDefinition(
        'openai',
        ['>=4.19.0 <8'],
        (module: any) => {
          const openai = exportsOf(module);
          for (const [proto, api] of targets(openai)) this._wrap(proto as any, 'create', patchCreate(this.host, api));
          // Each attempt of a call (the client's own retries) is built here: the span counts them.
          if (typeof openai.OpenAI?.prototype?.buildRequest === 'function') this._wrap(openai.OpenAI.prototype, 'buildRequest', patchBuildRequest);
          return module;
        },
        (module: any) => {
          const openai = exportsOf(module);
          for (const [proto] of targets(openai)) this._unwrap(proto as any, 'create');
          if (openai.OpenAI?.prototype?.buildRequest) this._unwrap(openai.OpenAI.prototype, 'buildRequest');
        },
      ),
    ];
  }

  protected override _updateMetricInstruments(): void {
    this.genAiMetrics = createGenAiMetrics(this.meter);
  }

  /**
   * Streams report usage only when asked: add `stream_options.include_usage` to a copy of the params
   * and hide what the app did not ask for (the usage-only last chunk, `usage: null` on the others).
   */
  private withStreamUsage(params: any) {
    if (params.stream_options?.include_usage !== undefined) return undefined;
    const env = process.env[ENV_OPENAI_STREAM_USAGE];
    if (!(this.getConfig().requestStreamUsage ?? (env === undefined || env.toLowerCase() !== 'false'))) return undefined;
    return {
      params: { ...params, stream_options: { ...params.stream_options, include_usage: true } },
      hide(chunk: any) {
        if (isUsageOnlyChunk(chunk)) return true;
        if (chunk && chunk.usage === null) delete chunk.usage;
        return false;
      },
    };
  }
}

function exportsOf(module: any): any {
  return module[Symbol.toStringTag] === 'Module' ? module.default : module;
}
