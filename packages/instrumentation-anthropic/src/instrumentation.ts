// Anthropic Messages (`@anthropic-ai/sdk`): messages.create, JSON and streamed (messages.stream() goes
// through create), with cache creation/read tokens, service tier, cost, request hash and the GenAI metrics.
// There is no upstream Anthropic instrumentation; this one follows the contrib style.
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { createGenAiMetrics, patchBuildRequest, patchCreate, promptChars, type GenAiMetrics, type SdkApi } from '@tokenledger/instrumentation-core';
import { OPERATION_CHAT, PROVIDER_ANTHROPIC, type PriceTier } from '@tokenledger/semconv';
import { messageResult, messagesInputContent, messagesOutputContent, messagesRequestAttributes, MessagesStreamResult } from './messages.ts';
import type { AnthropicInstrumentationConfig } from './types.ts';

const PACKAGE_NAME = '@tokenledger/instrumentation-anthropic';
const PACKAGE_VERSION = '0.1.0';

const MESSAGES: SdkApi = {
  provider: PROVIDER_ANTHROPIC,
  operation: OPERATION_CHAT,
  request: messagesRequestAttributes,
  result: messageResult,
  stream: () => new MessagesStreamResult(),
  inputContent: messagesInputContent,
  outputContent: messagesOutputContent,
  promptChars: (params) => promptChars(params.system, params.messages, params.tools),
  // `usage.service_tier`: `standard`, `priority` or `batch`.
  tier: (t): PriceTier => (t === 'priority' ? 'priority' : t === 'batch' ? 'batch' : 'on_demand'),
};

export class AnthropicInstrumentation extends InstrumentationBase<AnthropicInstrumentationConfig> {
  private genAiMetrics: GenAiMetrics | undefined;
  private readonly host = { isEnabled: () => this.isEnabled(), tracer: () => this.tracer, metrics: () => this.genAiMetrics };

  constructor(config: AnthropicInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected override init() {
    return [
      new InstrumentationNodeModuleDefinition(
        '@anthropic-ai/sdk',
        ['>=0.20.0 <2'],
        (module: any) => {
          const proto = messagesPrototype(module);
          const create = patchCreate(this.host, MESSAGES);
          this._wrap(proto, 'create', (original: any) => this.replacingSdkSpans(create(original)));
          // stream() starts the SDK's own span before it calls create().
          this._wrap(proto, 'stream', (original: any) => this.replacingSdkSpans(original));
          // Each attempt of a call (the client's own retries) is built here: the span counts them.
          const client = clientPrototype(module);
          if (typeof client?.buildRequest === 'function') this._wrap(client, 'buildRequest', patchBuildRequest);
          return module;
        },
        (module: any) => {
          const proto = messagesPrototype(module);
          this._unwrap(proto, 'create');
          this._unwrap(proto, 'stream');
          const client = clientPrototype(module);
          if (client?.buildRequest) this._unwrap(client, 'buildRequest');
        },
      ),
    ];
  }

  /**
   * The SDK emits its own spans (scope `com.anthropic.sdk.typescript`) with input tokens: beside ours,
   * a collector that prices foreign spans would count them twice. While enabled, ours replace them:
   * the client's tracer is dropped before the call (see `keepSdkSpans`).
   */
  private replacingSdkSpans(fn: (...args: any[]) => any) {
    const self = this;
    return function (this: any, ...args: any[]) {
      const client = this?._client;
      if (self.isEnabled() && !self.getConfig().keepSdkSpans && client?._tracer) client._tracer = undefined;
      return fn.apply(this, args);
    };
  }

  protected override _updateMetricInstruments(): void {
    this.genAiMetrics = createGenAiMetrics(this.meter);
  }
}

function clientPrototype(module: any): any {
  const sdk = module[Symbol.toStringTag] === 'Module' ? module.default : module;
  return (sdk.Anthropic ?? sdk)?.prototype;
}

function messagesPrototype(module: any): any {
  const sdk = module[Symbol.toStringTag] === 'Module' ? module.default : module;
  return (sdk.Anthropic ?? sdk).Messages.prototype;
}
