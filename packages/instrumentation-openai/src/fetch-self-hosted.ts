// OpenAI-compatible self-hosted servers called with plain `fetch` (undici): requests to a configured base
// URL become model spans, read from undici's diagnostics channels (request and response bytes as they
// pass; nothing is changed, nothing waits). Calls made through the `openai` client are left to its
// instrumentation (a context flag marks them).
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { context, SpanKind, type Span } from '@opentelemetry/api';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { estimateTokens } from '@tokenledger/pricing';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_INSTANCE_TYPE,
  ATTR_REQUEST_HASH,
  ATTR_ROUTE,
  OPERATION_CHAT,
  OPERATION_EMBEDDINGS,
  OPERATION_TEXT_COMPLETION,
} from '@tokenledger/semconv';
import { chatResult, ChatStreamResult } from './chat.ts';
import { embeddingsResult } from './embeddings.ts';
import { createGenAiMetrics, recordCallResult, recordError, requestHash, safely, type CallInfo, type CallResult, type GenAiMetrics } from '@tokenledger/instrumentation-core';
import { isSdkCall, watchSdkCalls } from '@tokenledger/instrumentation-core';
import { endpointForUrl, ENV_SELF_HOSTED_ENDPOINTS, parseSelfHostedEndpoints, type SelfHostedEndpoint } from '@tokenledger/instrumentation-core';
import type { SelfHostedFetchConfig } from './types.ts';

/** Response bytes kept per call to read its usage; a larger body is not read (its usage is estimated). */
const MAX_BODY_BYTES = 4 << 20;

interface Call {
  span: Span;
  endpoint: SelfHostedEndpoint;
  operation: string;
  start: number;
  sent: Buffer[];
  received: Buffer[];
  receivedBytes: number;
  firstChunkS?: number;
  status?: number;
  eventStream?: boolean;
  info?: CallInfo;
  params?: any;
}

interface UndiciRequest {
  origin: string;
  path: string;
  method: string;
}

export class SelfHostedFetchInstrumentation extends InstrumentationBase<SelfHostedFetchConfig> {
  private readonly endpoints: readonly SelfHostedEndpoint[];
  private readonly calls = new WeakMap<object, Call>();
  private genAiMetrics: GenAiMetrics | undefined;
  private subscribed = false;
  private readonly handlers: Record<string, (message: any) => void> = {
    'undici:request:create': (m) => safely('fetch request', () => this.onCreate(m.request)),
    'undici:request:bodyChunkSent': (m) => this.calls.get(m.request)?.sent.push(Buffer.from(m.chunk)),
    'undici:request:bodySent': (m) => safely('fetch body', () => this.onBodySent(m.request)),
    'undici:request:headers': (m) => safely('fetch headers', () => this.onHeaders(m.request, m.response)),
    'undici:request:bodyChunkReceived': (m) => this.onChunk(m.request, m.chunk),
    'undici:request:trailers': (m) => safely('fetch end', () => this.onEnd(m.request)),
    'undici:request:error': (m) => safely('fetch error', () => this.onError(m.request, m.error)),
  };

  constructor(config: SelfHostedFetchConfig = {}) {
    // The endpoints are read before super(), whose enable() may subscribe.
    const endpoints = config.selfHostedEndpoints ?? parseSelfHostedEndpoints(ENV_SELF_HOSTED_ENDPOINTS, process.env[ENV_SELF_HOSTED_ENDPOINTS], 'url');
    super('@tokenledger/instrumentation-openai/fetch', '0.1.0', { ...config, enabled: false });
    this.endpoints = endpoints;
    if (config.enabled !== false) this.enable();
  }

  protected override init() {
    return [];
  }

  protected override _updateMetricInstruments(): void {
    this.genAiMetrics = createGenAiMetrics(this.meter);
  }

  override enable(): void {
    super.enable();
    // Nothing to watch without configured servers: stay off the hot path of every fetch.
    if (this.subscribed || !this.endpoints?.length) return;
    for (const [name, fn] of Object.entries(this.handlers)) subscribe(name, fn);
    watchSdkCalls(true);
    this.subscribed = true;
  }

  override disable(): void {
    super.disable();
    if (!this.subscribed) return;
    for (const [name, fn] of Object.entries(this.handlers)) unsubscribe(name, fn);
    watchSdkCalls(false);
    this.subscribed = false;
  }

  private onCreate(request: UndiciRequest): void {
    if (request.method !== 'POST' || isSdkCall(context.active())) return;
    const endpoint = endpointForUrl(this.endpoints, `${request.origin}${request.path}`);
    if (!endpoint) return;
    const operation = /\/embeddings$/.test(request.path) ? OPERATION_EMBEDDINGS
      : /\/chat\/completions$/.test(request.path) ? OPERATION_CHAT : OPERATION_TEXT_COMPLETION;
    const span = this.tracer.startSpan(operation, {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_GEN_AI_OPERATION_NAME]: operation,
        [ATTR_GEN_AI_PROVIDER_NAME]: endpoint.provider,
        ...(endpoint.route ? { [ATTR_ROUTE]: endpoint.route } : {}),
        ...(endpoint.instanceType ? { [ATTR_INSTANCE_TYPE]: endpoint.instanceType } : {}),
      },
    });
    this.calls.set(request, { span, endpoint, operation, start: performance.now(), sent: [], received: [], receivedBytes: 0 });
  }

  private onBodySent(request: object): void {
    const call = this.calls.get(request);
    if (!call) return;
    const params = parseJson(Buffer.concat(call.sent).toString('utf8')) ?? {};
    call.sent.length = 0;
    call.params = params;
    const model = String(params.model ?? call.endpoint.model ?? 'unknown');
    call.info = { provider: call.endpoint.provider, operation: call.operation, requestModel: model, selfHosted: call.endpoint };
    const { stream: _s, stream_options: _o, ...hashed } = params;
    call.span.setAttributes({ [ATTR_GEN_AI_REQUEST_MODEL]: model, [ATTR_REQUEST_HASH]: requestHash(call.endpoint.provider, hashed) });
    if (params.stream === true) call.span.setAttribute(ATTR_GEN_AI_REQUEST_STREAM, true);
    call.span.updateName(`${call.operation} ${model}`);
  }

  private onHeaders(request: object, response: { statusCode: number; headers: Buffer[] }): void {
    const call = this.calls.get(request);
    if (!call) return;
    call.status = response.statusCode;
    const headers = response.headers.map((h) => h.toString('latin1').toLowerCase());
    for (let i = 0; i + 1 < headers.length; i += 2) {
      if (headers[i] === 'content-type') call.eventStream = headers[i + 1]!.includes('text/event-stream');
    }
  }

  private onChunk(request: object, chunk: Buffer): void {
    const call = this.calls.get(request);
    if (!call) return;
    call.firstChunkS ??= seconds(call.start);
    call.receivedBytes += chunk.length;
    if (call.receivedBytes <= MAX_BODY_BYTES) call.received.push(chunk);
  }

  private onEnd(request: object): void {
    const call = this.calls.get(request);
    if (!call) return;
    this.calls.delete(request);
    const info = call.info ?? { provider: call.endpoint.provider, operation: call.operation, requestModel: call.endpoint.model ?? 'unknown', selfHosted: call.endpoint };
    if ((call.status ?? 0) >= 400) {
      recordError(call.span, this.genAiMetrics, info, Object.assign(new Error(`HTTP ${call.status}`), { status: call.status }), seconds(call.start));
      call.span.end();
      return;
    }
    const body = call.receivedBytes <= MAX_BODY_BYTES ? Buffer.concat(call.received).toString('utf8') : '';
    let result: CallResult;
    let text = '';
    if (call.eventStream) {
      const folded = new ChatStreamResult();
      for (const line of body.split('\n')) {
        const data = line.startsWith('data:') ? line.slice(5).trim() : '';
        if (!data || data === '[DONE]') continue;
        const event = parseJson(data);
        folded.add(event);
        for (const c of event?.choices ?? []) text += c?.delta?.content ?? c?.text ?? '';
      }
      result = folded.done();
    } else {
      const json = parseJson(body);
      result = call.operation === OPERATION_EMBEDDINGS ? embeddingsResult(json) : chatResult(json);
      for (const c of json?.choices ?? []) text += c?.message?.content ?? c?.text ?? '';
    }
    // A server that reported no usage (e.g. a stream without include_usage): count the text, and say so.
    if (!result.usage && call.operation !== OPERATION_EMBEDDINGS) {
      result.usage = { inputTokens: estimateTokens(promptText(call.params)), outputTokens: estimateTokens(text) };
      info.estimated = true;
    }
    recordCallResult(call.span, this.genAiMetrics, info, { ...result, tier: 'self_hosted' }, seconds(call.start), call.eventStream ? call.firstChunkS : undefined);
    call.span.end();
  }

  private onError(request: object, error: unknown): void {
    const call = this.calls.get(request);
    if (!call) return;
    this.calls.delete(request);
    recordError(call.span, this.genAiMetrics, call.info ?? { provider: call.endpoint.provider, operation: call.operation, requestModel: 'unknown' }, error, seconds(call.start));
    call.span.end();
  }
}

function promptText(params: any): string {
  if (Array.isArray(params?.messages)) return params.messages.map((m: any) => (typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? ''))).join('\n');
  return typeof params?.prompt === 'string' ? params.prompt : '';
}

function parseJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function seconds(start: number): number {
  return (performance.now() - start) / 1000;
}
