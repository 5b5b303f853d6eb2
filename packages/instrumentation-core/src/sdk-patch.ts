// Span around one `create()` of a Stainless-generated SDK (openai, @anthropic-ai/sdk): both return an
// APIPromise whose parsing is memoised, and streams as a Stream whose `iterator` property yields the events.
import { context, createContextKey, SpanKind, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_INSTANCE_TYPE,
  ATTR_REQUEST_HASH,
  ATTR_ROUTE,
  ATTR_TRANSPORT_ATTEMPTS,
  type PriceTier,
} from '@tokenledger/semconv';
import { captureContent, recordCallResult, recordError, safely, type CallInfo, type CallResult, type GenAiMetrics } from './genai.ts';
import type { PromptChars } from './prompt-breakdown.ts';
import { requestHash } from './request-hash.ts';
import type { SelfHostedEndpoint } from './self-hosted.ts';
import { serverAttributes } from './server.ts';

/** Marks the context of an SDK call, so the fetch-level instrumentation leaves its HTTP request alone. */
const SDK_CALL = createContextKey('tokenledger sdk call');
/** Fetch-level instrumentations watching requests. Only while there is one are SDK calls marked (a context more per call). */
let watchers = 0;

/** A fetch-level instrumentation starts (true) or stops (false) watching requests: SDK calls must be marked meanwhile. */
export function watchSdkCalls(watching: boolean): void {
  watchers += watching ? 1 : -1;
}

export function isSdkCall(ctx: Context): boolean {
  return ctx.getValue(SDK_CALL) === true;
}

/** How to read one API method's request, result and stream events. */
export interface SdkApi {
  provider: string;
  operation: string;
  request(params: any): Attributes;
  result(response: any): CallResult;
  stream?: () => { add(event: any): void; done(): CallResult };
  /** Price tier of a provider's service-tier value. */
  tier(serviceTier: string | undefined): PriceTier;
  /** Params sent instead of the caller's (never mutated) for a streamed call, and the events to hide from the app. */
  streamParams?: (params: any) => { params: any; hide(event: any): boolean } | undefined;
  /** Opt-in content (prompt; completion of a JSON response) as GenAI content attributes. */
  inputContent?(params: any): Attributes;
  outputContent?(response: any): Attributes;
  /** The configured self-hosted server a client's base URL points at, if any. */
  selfHosted?: (baseURL: unknown) => SelfHostedEndpoint | undefined;
  /** Characters of the request by where they come from (system, history, context, user, tools): the prompt breakdown. */
  promptChars?: (params: any) => PromptChars | undefined;
}

/** What the patch needs from its instrumentation, read at call time. */
export interface SdkPatchHost {
  isEnabled(): boolean;
  tracer(): Tracer;
  metrics(): GenAiMetrics | undefined;
}

/** A wrapper for `_wrap(prototype, 'create', …)`. */
export function patchCreate(host: SdkPatchHost, api: SdkApi) {
  // diag labels, made once rather than per call.
  const failed = { start: `${api.provider} span start`, response: `${api.provider} response`, error: `${api.provider} error` };
  return (original: (...args: any[]) => any) =>
    function patchedCreate(this: any, ...args: any[]) {
      if (!host.isEnabled()) return original.apply(this, args);
      const started = safely(failed.start, () => start(host, api, args, this?._client?.baseURL));
      if (!started) return original.apply(this, args);
      const { span, call, callArgs, hide, capture } = started;
      const began = performance.now();
      let promise: any;
      try {
        const active = trace.setSpan(context.active(), span);
        promise = context.with(watchers > 0 ? active.setValue(SDK_CALL, true) : active, () => original.apply(this, callArgs));
      } catch (err) {
        // The SDK rejected the call before sending it (bad arguments): the app gets the same error.
        safely(failed.error, () => recordError(span, host.metrics(), call, err, seconds(began)));
        span.end();
        throw err;
      }
      if (typeof promise?.then !== 'function') {
        span.end();
        return promise;
      }
      // Observe the result beside the app (parsing is memoised). This handler is attached first, so a
      // stream is wrapped before the app's own `then` sees it.
      promise.then(
        (response: any) =>
          safely(failed.response, () => {
            if (api.stream && callArgs[0]?.stream === true && typeof response?.iterator === 'function') {
              wrapStream(host, response, api, span, call, began, hide);
            } else {
              if (capture && api.outputContent) span.setAttributes(api.outputContent(response));
              recordCallResult(span, host.metrics(), call, withTier(api, api.result(response)), seconds(began));
              span.end();
            }
          }),
        (err: unknown) =>
          safely(failed.error, () => {
            recordError(span, host.metrics(), call, err, seconds(began));
            span.end();
          }),
      );
      return promise;
    };
}

function start(host: SdkPatchHost, api: SdkApi, args: any[], baseURL: unknown) {
  const params = args[0];
  if (!params || typeof params !== 'object') return undefined;
  const selfHosted = api.selfHosted?.(baseURL);
  const call: CallInfo = {
    provider: selfHosted?.provider ?? api.provider,
    operation: api.operation,
    requestModel: String(params.model ?? selfHosted?.model),
    selfHosted,
    prompt: api.promptChars ? safely(`${api.provider} prompt breakdown`, () => api.promptChars!(params)) : undefined,
  };
  const { stream: _s, stream_options: _o, ...hashed } = params;
  const attributes: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: call.operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: call.provider,
    ...api.request(params),
    ...serverAttributes(baseURL),
    [ATTR_REQUEST_HASH]: requestHash(call.provider, hashed),
  };
  // The environment is read once per call (a slow lookup): prompt and completion are recorded alike.
  const capture = (api.inputContent !== undefined || api.outputContent !== undefined) && captureContent();
  if (capture && api.inputContent) Object.assign(attributes, api.inputContent(params));
  if (selfHosted?.route) attributes[ATTR_ROUTE] = selfHosted.route;
  if (selfHosted?.instanceType) attributes[ATTR_INSTANCE_TYPE] = selfHosted.instanceType;
  const span = host.tracer().startSpan(`${call.operation} ${call.requestModel}`, { kind: SpanKind.CLIENT, attributes });
  callSpans.add(span);
  const changed = params.stream === true ? api.streamParams?.(params) : undefined;
  const callArgs = changed ? [changed.params, ...args.slice(1)] : args;
  return { span, call, callArgs, hide: changed?.hide, capture };
}

function withTier(api: SdkApi, result: CallResult): CallResult {
  return { ...result, tier: api.tier(result.serviceTier) };
}

/** Streams the app dropped without reading: their spans end when the Stream object is collected. */
const unread = new FinalizationRegistry<() => void>((end) => safely('unread stream', end));

/** Replaces the stream's iterator: the app iterates the same Stream object; events pass through as they arrive. */
function wrapStream(host: SdkPatchHost, stream: any, api: SdkApi, span: Span, call: CallInfo, began: number, hide: ((e: any) => boolean) | undefined): void {
  const original = stream.iterator;
  const folded = api.stream!();
  const token = {};
  unread.register(stream, () => {
    recordCallResult(span, host.metrics(), call, withTier(api, folded.done()), seconds(began));
    span.end();
  }, token);
  stream.iterator = async function* tokenledgerStream(this: unknown) {
    unread.unregister(token);
    let firstChunkS: number | undefined;
    let finished = false;
    try {
      for await (const event of original.call(this)) {
        firstChunkS ??= seconds(began);
        safely(`${api.provider} stream event`, () => folded.add(event));
        if (hide?.(event)) continue;
        yield event;
      }
      finished = true;
      safely(`${api.provider} stream end`, () => recordCallResult(span, host.metrics(), call, withTier(api, folded.done()), seconds(began), firstChunkS));
    } catch (err) {
      finished = true;
      safely(`${api.provider} stream error`, () => recordError(span, host.metrics(), call, err, seconds(began)));
      throw err;
    } finally {
      // Also reached when the app stops iterating early: end the span with what was known.
      if (!finished) safely(`${api.provider} stream abandon`, () => recordCallResult(span, host.metrics(), call, withTier(api, folded.done()), seconds(began), firstChunkS));
      span.end();
    }
  };
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}

/** The spans of calls in flight (weakly held): the only spans the transport-attempt patch writes to. */
const callSpans = new WeakSet<Span>();

/**
 * A wrapper for `_wrap(clientPrototype, 'buildRequest', …)` of a Stainless SDK client: the SDK builds each
 * attempt of a call (its internal retries, `maxRetries`) with `{ retryCount }`, inside the call's context, so
 * the span of the call gets tokenledger.transport.attempts = retryCount + 1 of its last attempt.
 */
export function patchBuildRequest(original: (...args: any[]) => any) {
  return function tokenledgerBuildRequest(this: unknown, ...args: any[]) {
    const retryCount = args[1]?.retryCount;
    if (typeof retryCount === 'number') {
      const span = trace.getSpan(context.active());
      if (span && callSpans.has(span)) safely('transport attempts', () => span.setAttribute(ATTR_TRANSPORT_ATTEMPTS, retryCount + 1));
    }
    return original.apply(this, args);
  };
}
