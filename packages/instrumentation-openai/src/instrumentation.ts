// OpenAI instrumentation in the style of @opentelemetry/instrumentation-openai (whose range, <7, does not
// cover the current `openai` major): chat completions, responses and embeddings, JSON and streamed, with
// cache/reasoning tokens, cost, request hash and the GenAI metrics.
import { context, SpanKind, trace, type Attributes, type Span } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_REQUEST_HASH,
  OPERATION_CHAT,
  OPERATION_EMBEDDINGS,
  PROVIDER_OPENAI,
  type PriceTier,
} from '@tokenledger/semconv';
import { chatRequestAttributes, chatResult, ChatStreamResult, isUsageOnlyChunk } from './chat.ts';
import { embeddingsRequestAttributes, embeddingsResult } from './embeddings.ts';
import { createGenAiMetrics, recordError, recordOutcome, requestHash, safely, type CallInfo, type GenAiMetrics } from './genai.ts';
import { responsesRequestAttributes, responsesResult, ResponsesStreamResult } from './responses.ts';
import type { CallResult } from './result.ts';
import { serverAttributes } from './server.ts';
import type { OpenAIInstrumentationConfig } from './types.ts';

const PACKAGE_NAME = '@tokenledger/instrumentation-openai';
const PACKAGE_VERSION = '0.1.0';
export const ENV_OPENAI_STREAM_USAGE = 'TOKENLEDGER_OPENAI_STREAM_USAGE';

/** One patched API method: how to read its request, its result and its stream. */
interface Api {
  operation: string;
  request(params: any): Attributes;
  result(response: any): CallResult;
  stream?: () => { add(item: any): void; done(): CallResult };
  /** Adds `stream_options.include_usage` (chat completions only). */
  injectsStreamUsage?: boolean;
}

const CHAT: Api = { operation: OPERATION_CHAT, request: chatRequestAttributes, result: chatResult, stream: () => new ChatStreamResult(), injectsStreamUsage: true };
const RESPONSES: Api = { operation: OPERATION_CHAT, request: responsesRequestAttributes, result: responsesResult, stream: () => new ResponsesStreamResult() };
const EMBEDDINGS: Api = { operation: OPERATION_EMBEDDINGS, request: embeddingsRequestAttributes, result: embeddingsResult };

export class OpenAIInstrumentation extends InstrumentationBase<OpenAIInstrumentationConfig> {
  private metrics: GenAiMetrics | undefined;

  constructor(config: OpenAIInstrumentationConfig = {}) {
    super(PACKAGE_NAME, PACKAGE_VERSION, config);
  }

  protected override init() {
    return [
      new InstrumentationNodeModuleDefinition(
        'openai',
        ['>=4.19.0 <8'],
        (module: any) => {
          const openai = module[Symbol.toStringTag] === 'Module' ? module.default : module;
          this._wrap(openai.OpenAI.Chat.Completions.prototype, 'create', this.patch(CHAT));
          this._wrap(openai.OpenAI.Embeddings.prototype, 'create', this.patch(EMBEDDINGS));
          if (openai.OpenAI.Responses) this._wrap(openai.OpenAI.Responses.prototype, 'create', this.patch(RESPONSES));
          return module;
        },
        (module: any) => {
          const openai = module[Symbol.toStringTag] === 'Module' ? module.default : module;
          this._unwrap(openai.OpenAI.Chat.Completions.prototype, 'create');
          this._unwrap(openai.OpenAI.Embeddings.prototype, 'create');
          if (openai.OpenAI.Responses) this._unwrap(openai.OpenAI.Responses.prototype, 'create');
        },
      ),
    ];
  }

  protected override _updateMetricInstruments(): void {
    this.metrics = createGenAiMetrics(this.meter);
  }

  private requestStreamUsage(): boolean {
    const env = process.env[ENV_OPENAI_STREAM_USAGE];
    return this.getConfig().requestStreamUsage ?? (env === undefined || env.toLowerCase() !== 'false');
  }

  private patch(api: Api) {
    const self = this;
    return (original: (...args: any[]) => any) =>
      function patchedCreate(this: any, ...args: any[]) {
        if (!self.isEnabled()) return original.apply(this, args);
        const started = safely('openai span start', () => self.start(api, args, this?._client?.baseURL));
        if (!started) return original.apply(this, args);
        const { span, call, callArgs, injected } = started;
        const start = performance.now();
        const promise = context.with(trace.setSpan(context.active(), span), () => original.apply(this, callArgs));
        // Observe the result alongside the app (the SDK memoises parsing): a stream is wrapped before
        // the app's own `then` runs, because this handler was attached first.
        promise.then(
          (response: any) => {
            safely('openai response', () => {
              if (api.stream && callArgs[0]?.stream === true && response && typeof response.iterator === 'function') {
                self.wrapStream(response, api, span, call, start, injected);
              } else {
                recordOutcome(span, self.metrics, call, self.outcome(api.result(response)), seconds(start));
                span.end();
              }
            });
          },
          (err: unknown) => {
            safely('openai error', () => {
              recordError(span, self.metrics, call, err, seconds(start));
              span.end();
            });
          },
        );
        return promise;
      };
  }

  private start(api: Api, args: any[], baseURL: unknown) {
    const params = args[0];
    if (!params || typeof params !== 'object') return undefined;
    const call: CallInfo = { provider: PROVIDER_OPENAI, operation: api.operation, requestModel: String(params.model) };
    const { stream: _s, stream_options: _o, ...hashed } = params;
    const attributes: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: call.operation,
      [ATTR_GEN_AI_PROVIDER_NAME]: call.provider,
      ...api.request(params),
      ...serverAttributes(baseURL),
      [ATTR_REQUEST_HASH]: requestHash(call.provider, hashed),
    };
    const span = this.tracer.startSpan(`${call.operation} ${call.requestModel}`, { kind: SpanKind.CLIENT, attributes });
    // Ask for usage on a stream without touching the caller's object.
    const injected = api.injectsStreamUsage === true && params.stream === true && params.stream_options?.include_usage === undefined && this.requestStreamUsage();
    const callArgs = injected ? [{ ...params, stream_options: { ...params.stream_options, include_usage: true } }, ...args.slice(1)] : args;
    return { span, call, callArgs, injected };
  }

  private outcome(result: CallResult): { tier: PriceTier } & CallResult {
    return { ...result, tier: tierOf(result.serviceTier) };
  }

  /** Replaces the stream's iterator: the app iterates the same Stream object; chunks pass through as they arrive. */
  private wrapStream(stream: any, api: Api, span: Span, call: CallInfo, start: number, injected: boolean): void {
    const self = this;
    const original = stream.iterator;
    const folded = api.stream!();
    stream.iterator = async function* tokenledgerStream(this: unknown) {
      let firstChunkS: number | undefined;
      let finished = false;
      try {
        for await (const item of original.call(this)) {
          if (firstChunkS === undefined) firstChunkS = seconds(start);
          safely('openai stream chunk', () => folded.add(item));
          if (injected && isUsageOnlyChunk(item)) continue; // the app did not ask for it
          if (injected && item && item.usage === null) delete item.usage;
          yield item;
        }
        finished = true;
        safely('openai stream end', () => recordOutcome(span, self.metrics, call, self.outcome(folded.done()), seconds(start), firstChunkS));
      } catch (err) {
        finished = true;
        safely('openai stream error', () => recordError(span, self.metrics, call, err, seconds(start)));
        throw err;
      } finally {
        // Also reached when the app stops iterating early: end the span with what was known.
        if (!finished) safely('openai stream abandon', () => recordOutcome(span, self.metrics, call, self.outcome(folded.done()), seconds(start), firstChunkS));
        span.end();
      }
    };
  }
}

/** OpenAI `service_tier` → price tier. */
function tierOf(serviceTier: string | undefined): PriceTier {
  return serviceTier === 'flex' ? 'flex' : serviceTier === 'priority' ? 'priority' : 'on_demand';
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}
