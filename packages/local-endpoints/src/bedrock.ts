// A local endpoint in the Amazon Bedrock Runtime wire format (rest-json): Converse, ConverseStream,
// InvokeModel and InvokeModelWithResponseStream. The AWS SDK speaks HTTP/2 with prior knowledge to an
// http:// endpoint, so this is a cleartext node:http2 server. Streams use the binary AWS event-stream
// framing, encoded with the Smithy codec. Usage is derived from the request, so answers are deterministic.
import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import { eventMessage, exceptionMessage } from './event-stream.ts';
import { listenHttp2 } from './http2-server.ts';

export type BedrockOperation = 'converse' | 'converse-stream' | 'invoke' | 'invoke-with-response-stream';

export interface BedrockFaults {
  /** The next N requests answer 429 ThrottlingException (the SDK retries them). */
  throttleNext?: number;
  /** Model ids (as sent, URL-decoded) that answer 400 ValidationException. */
  rejectModels?: string[];
  /** Milliseconds between stream events. */
  streamDelayMs?: number;
  /** Streams send a `modelStreamErrorException` event after this many events, and end there. */
  streamErrorAfter?: number;
}

export interface BedrockRecordedRequest {
  operation: BedrockOperation;
  modelId: string;
  headers: IncomingHttpHeaders;
  body: any;
  /** The answer's HTTP status. */
  status: number;
  /** The usage answered (`input` excludes the cache tokens, as Bedrock counts), when the request succeeded. */
  usage?: BedrockUsage;
}

export interface BedrockEndpoint {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: BedrockRecordedRequest[];
  /** Changes the faults for the requests to come. */
  setFaults(faults: BedrockFaults): void;
  close(): Promise<void>;
}

export interface BedrockEndpointOptions {
  port?: number;
  faults?: BedrockFaults;
  /** The answer text, split into stream deltas. */
  answer?: string[];
}

const DEFAULT_ANSWER = ['Thanks for reaching out. ', 'Here is what ', 'the knowledge base says.'];

export async function startBedrockEndpoint(o: BedrockEndpointOptions = {}): Promise<BedrockEndpoint> {
  let faults: BedrockFaults = { ...o.faults };
  const answer = o.answer ?? DEFAULT_ANSWER;
  const requests: BedrockRecordedRequest[] = [];
  const { server, url, close } = await listenHttp2(o.port);
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      void handle(stream, headers, Buffer.concat(chunks)).catch(() => stream.destroy());
    });
  });

  async function handle(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, raw: Buffer): Promise<void> {
    const m = /^\/model\/([^/]+)\/(converse|converse-stream|invoke|invoke-with-response-stream)$/.exec(String(headers[':path'] ?? ''));
    if (!m) return error(stream, 404, 'UnknownOperationException', 'unknown operation');
    const modelId = decodeURIComponent(m[1]);
    const operation = m[2] as BedrockOperation;
    let body: any;
    try {
      body = raw.length ? JSON.parse(raw.toString('utf8')) : {};
    } catch {
      return error(stream, 400, 'ValidationException', 'Malformed input request');
    }
    const record = (status: number) => requests.push({ operation, modelId, headers, body, status });
    if ((faults.throttleNext ?? 0) > 0) {
      faults.throttleNext!--;
      record(429);
      return error(stream, 429, 'ThrottlingException', 'Too many requests, please wait before trying again.');
    }
    if (faults.rejectModels?.includes(modelId)) {
      record(400);
      return error(stream, 400, 'ValidationException', `The provided model identifier is invalid: ${modelId}`);
    }
    const usage = usageOf(operation, modelId, body, answer.join(''));
    requests.push({ operation, modelId, headers, body, status: 200, usage });
    // The service tier asked for is the one served: Converse has it in the body, InvokeModel in a header.
    const tier = String(body.serviceTier?.type ?? 'default');
    const tierHeader = headers['x-amzn-bedrock-service-tier'];
    // Likewise the latency asked for (performanceConfig in the Converse body, a header for InvokeModel).
    const latency = String(body.performanceConfig?.latency ?? 'standard');
    const latencyHeader = headers['x-amzn-bedrock-performanceconfig-latency'];
    switch (operation) {
      case 'converse':
        return json(stream, converseBody(usage, answer.join(''), tier, latency));
      case 'converse-stream':
        return events(stream, converseEvents(usage, answer, tier, latency), faults);
      case 'invoke': {
        const out = nativeBody(modelId, usage, answer.join(''));
        const served: Record<string, string> = tierHeader === undefined ? {} : { 'x-amzn-bedrock-service-tier': String(tierHeader) };
        if (latencyHeader !== undefined) served['x-amzn-bedrock-performanceconfig-latency'] = String(latencyHeader);
        // Cohere and Mistral report no counts in their bodies, and (per client code) no count headers.
        return json(stream, out, reportsNothing(modelId) ? { 'x-amzn-bedrock-invocation-latency': String(usage.latencyMs), ...served } : {
          'x-amzn-bedrock-input-token-count': String(usage.input),
          'x-amzn-bedrock-output-token-count': String(usage.output),
          'x-amzn-bedrock-invocation-latency': String(usage.latencyMs),
          ...served,
        });
      }
      case 'invoke-with-response-stream':
        return events(stream, nativeChunks(modelId, usage, answer).map((c) => ({ type: 'chunk', body: { bytes: Buffer.from(JSON.stringify(c)).toString('base64') } })), faults);
    }
  }

  return {
    url,
    requests,
    setFaults(f) {
      faults = { ...f };
    },
    close,
  };
}

export interface BedrockUsage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  /** The cache point asked for a 1-hour TTL: the writes are reported with ttl `1h`. */
  cacheTtl: '5m' | '1h';
  latencyMs: number;
}
type Usage = BedrockUsage;

/**
 * Deterministic token counts: about 4 characters per token. The text before each cache point (Converse
 * `cachePoint` blocks, Anthropic native `cache_control` blocks) is one cached segment: the service reads a
 * prefix it has cached and writes one it has not. Here a segment of an even token count is read and one of
 * an odd count written, so both fields appear deterministically (two cache points: both in one request).
 */
function usageOf(operation: BedrockOperation, modelId: string, body: any, answer: string): Usage {
  const isConverse = operation.startsWith('converse');
  const segments: number[] = [];
  let uncachedChars = 0;
  let cacheTtl: '5m' | '1h' = '5m';
  if (isConverse) {
    let open = 0;
    for (const b of [...(body.system ?? []), ...(body.messages ?? []).flatMap((m: any) => m.content ?? [])]) {
      if (b?.cachePoint) {
        // The first cache point's time to live is the write's (a 1-hour write is priced apart).
        if (segments.length === 0 && b.cachePoint.ttl === '1h') cacheTtl = '1h';
        segments.push(open);
        open = 0;
      } else open += typeof b?.text === 'string' ? b.text.length : 0;
    }
    uncachedChars = open;
  } else {
    uncachedChars = JSON.stringify(body).length;
    if (/anthropic\.claude/.test(modelId)) {
      let open = 0;
      const blocks = [...asBlocks(body.system), ...(Array.isArray(body.messages) ? body.messages : []).flatMap((m: any) => asBlocks(m?.content))];
      for (const b of blocks) {
        open += typeof b?.text === 'string' ? b.text.length : 0;
        if (b?.cache_control) {
          segments.push(open);
          open = 0;
        }
      }
      uncachedChars -= segments.reduce((t, n) => t + n, 0);
    }
  }
  const embedding = /embed/.test(modelId);
  let cacheRead = 0;
  let cacheWrite = 0;
  for (const chars of segments) {
    const tokens = Math.ceil(chars / 4);
    if (tokens % 2 === 0) cacheRead += tokens;
    else cacheWrite += tokens;
  }
  return {
    input: Math.max(1, Math.ceil(uncachedChars / 4)),
    output: embedding ? 0 : Math.ceil(answer.length / 4),
    cacheRead,
    cacheWrite,
    cacheTtl,
    latencyMs: 120 + (uncachedChars % 200),
  };
}

/** Anthropic content: a string is one text block. */
function asBlocks(content: unknown): any[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

const reportsNothing = (modelId: string): boolean => /cohere\.command|mistral\./.test(modelId);

function converseBody(u: Usage, text: string, tier: string, latency: string) {
  return {
    output: { message: { role: 'assistant', content: [{ text }] } },
    stopReason: 'end_turn',
    usage: tokenUsage(u),
    metrics: { latencyMs: u.latencyMs },
    serviceTier: { type: tier },
    performanceConfig: { latency },
  };
}

/** Bedrock's TokenUsage: inputTokens excludes the cache tokens. */
function tokenUsage(u: Usage) {
  return {
    inputTokens: u.input, outputTokens: u.output, totalTokens: u.input + u.output + u.cacheRead + u.cacheWrite,
    ...(u.cacheRead ? { cacheReadInputTokens: u.cacheRead } : {}),
    ...(u.cacheWrite ? { cacheWriteInputTokens: u.cacheWrite, cacheDetails: [{ ttl: u.cacheTtl, inputTokens: u.cacheWrite }] } : {}),
  };
}

function converseEvents(u: Usage, answer: string[], tier: string, latency: string): { type: string; body: unknown }[] {
  return [
    { type: 'messageStart', body: { role: 'assistant' } },
    { type: 'contentBlockStart', body: { contentBlockIndex: 0, start: {} } },
    ...answer.map((text) => ({ type: 'contentBlockDelta', body: { contentBlockIndex: 0, delta: { text } } })),
    { type: 'contentBlockStop', body: { contentBlockIndex: 0 } },
    { type: 'messageStop', body: { stopReason: 'end_turn' } },
    { type: 'metadata', body: { usage: tokenUsage(u), metrics: { latencyMs: u.latencyMs }, serviceTier: { type: tier }, performanceConfig: { latency } } },
  ];
}

/** The model family's own response body (InvokeModel). */
function nativeBody(modelId: string, u: Usage, text: string): unknown {
  if (/anthropic\.claude/.test(modelId)) {
    return { id: 'msg_local', type: 'message', role: 'assistant', model: modelId, content: [{ type: 'text', text }], stop_reason: 'end_turn',
      usage: { input_tokens: u.input, output_tokens: u.output, cache_read_input_tokens: u.cacheRead, cache_creation_input_tokens: u.cacheWrite } };
  }
  if (/amazon\.nova/.test(modelId)) {
    return { output: { message: { role: 'assistant', content: [{ text }] } }, stopReason: 'end_turn', usage: { inputTokens: u.input, outputTokens: u.output, totalTokens: u.input + u.output } };
  }
  if (/amazon\.titan-embed|cohere\.embed/.test(modelId)) {
    return /cohere/.test(modelId)
      ? { id: 'emb', embeddings: [[0.1, 0.2, 0.3]], response_type: 'embeddings_floats', texts: ['…'] }
      : { embedding: [0.1, 0.2, 0.3], inputTextTokenCount: u.input };
  }
  if (/amazon\.titan/.test(modelId)) return { inputTextTokenCount: u.input, results: [{ tokenCount: u.output, outputText: text, completionReason: 'FINISH' }] };
  if (/meta\.llama/.test(modelId)) return { generation: text, prompt_token_count: u.input, generation_token_count: u.output, stop_reason: 'stop' };
  if (/cohere\.command-r/.test(modelId)) return { text, finish_reason: 'COMPLETE', generation_id: 'g1' };
  if (/mistral/.test(modelId)) return { outputs: [{ text, stop_reason: 'stop' }] };
  return { text };
}

/** InvokeModelWithResponseStream chunks; the last carries amazon-bedrock-invocationMetrics. */
function nativeChunks(modelId: string, u: Usage, answer: string[]): Record<string, unknown>[] {
  const metrics = { 'amazon-bedrock-invocationMetrics': {
    inputTokenCount: u.input, outputTokenCount: u.output, invocationLatency: u.latencyMs, firstByteLatency: 40,
    // Present for the models that cache; inputTokenCount excludes them.
    ...(u.cacheRead ? { cacheReadInputTokenCount: u.cacheRead } : {}),
    ...(u.cacheWrite ? { cacheWriteInputTokenCount: u.cacheWrite } : {}),
  } };
  if (/anthropic\.claude/.test(modelId)) {
    return [
      { type: 'message_start', message: { id: 'msg_local', model: modelId, role: 'assistant', usage: { input_tokens: u.input, output_tokens: 1, cache_read_input_tokens: u.cacheRead, cache_creation_input_tokens: u.cacheWrite } } },
      ...answer.map((text) => ({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: u.output } },
      { type: 'message_stop', ...metrics },
    ];
  }
  if (/amazon\.nova/.test(modelId)) {
    return [
      { messageStart: { role: 'assistant' } },
      ...answer.map((text) => ({ contentBlockDelta: { delta: { text }, contentBlockIndex: 0 } })),
      { messageStop: { stopReason: 'end_turn' } },
      { metadata: { usage: { inputTokens: u.input, outputTokens: u.output } }, ...metrics },
    ];
  }
  if (/meta\.llama/.test(modelId)) {
    return answer.map((text, i) => ({
      generation: text, prompt_token_count: i === 0 ? u.input : null, generation_token_count: i + 1,
      stop_reason: i === answer.length - 1 ? 'stop' : null, ...(i === answer.length - 1 ? metrics : {}),
    }));
  }
  if (/amazon\.titan/.test(modelId)) {
    return answer.map((text, i) => ({
      outputText: text, index: 0, totalOutputTextTokenCount: i === answer.length - 1 ? u.output : undefined,
      completionReason: i === answer.length - 1 ? 'FINISH' : null, inputTextTokenCount: i === 0 ? u.input : undefined,
      ...(i === answer.length - 1 ? metrics : {}),
    }));
  }
  return answer.map((text, i) => ({ outputs: [{ text, stop_reason: i === answer.length - 1 ? 'stop' : null }], ...(i === answer.length - 1 ? metrics : {}) }));
}

function json(stream: ServerHttp2Stream, body: unknown, headers: Record<string, string> = {}): void {
  const payload = Buffer.from(JSON.stringify(body));
  stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-amzn-requestid': requestId(), ...headers });
  stream.end(payload);
}

async function events(stream: ServerHttp2Stream, list: { type: string; body: unknown }[], faults: BedrockFaults): Promise<void> {
  const delayMs = faults.streamDelayMs ?? 0;
  stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId() });
  for (const [i, e] of list.entries()) {
    if (stream.destroyed || stream.closed) return; // the client abandoned the stream
    if (i === faults.streamErrorAfter) {
      // How Bedrock reports a failure after the 200: an exception message in the event stream.
      stream.end(exceptionMessage('modelStreamErrorException', { message: 'The model stopped producing output.', originalStatusCode: 500 }));
      return;
    }
    stream.write(eventMessage(e.type, e.body));
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
  }
  stream.end();
}

function error(stream: ServerHttp2Stream, status: number, type: string, message: string): void {
  stream.respond({ ':status': status, 'content-type': 'application/json', 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': requestId() });
  stream.end(JSON.stringify({ message }));
}

let requestCounter = 0;
const requestId = (): string => `00000000-0000-4000-8000-${String(++requestCounter).padStart(12, '0')}`;
