// A local endpoint in the Anthropic Messages wire format: JSON, and server-sent events with named events
// (message_start with the input and cache usage, content_block_*, message_delta with the output usage, message_stop).
import type { ServerResponse } from 'node:http';
import { sendJson, sendSse, startJsonSseServer, type JsonSseServer, type RecordedRequest } from './http-json-sse.ts';

/** Token counts as Anthropic reports them: `input` EXCLUDES the cache tokens. */
export interface AnthropicUsageScript {
  input: number;
  output: number;
  cacheCreation?: number;
  /** Part of cacheCreation written with a 1-hour TTL (reported in `usage.cache_creation`). */
  cacheCreation1h?: number;
  cacheRead?: number;
}

export interface AnthropicEndpointOptions {
  usage?: AnthropicUsageScript;
  answer?: string[];
  /** `usage.service_tier` in responses. Default `standard`. */
  serviceTier?: string;
}

export interface AnthropicEndpoint extends JsonSseServer {
  /** Base URL for the client (the SDK appends `/v1/messages`). */
  baseURL: string;
  usage: AnthropicUsageScript;
}

/** An Anthropic error body with its status (e.g. 429 `rate_limit_error`, 529 `overloaded_error`). */
export function anthropicError(status: number, type: string, message: string) {
  return { status, body: { type: 'error', error: { type, message } } };
}

export async function startAnthropicEndpoint(opts: AnthropicEndpointOptions = {}): Promise<AnthropicEndpoint> {
  // Read at each request, so a test can change it between calls.
  const state = { usage: opts.usage ?? { input: 20, output: 6 } };
  const answer = opts.answer ?? ['Hello', ' from', ' Claude.'];
  const tier = opts.serviceTier ?? 'standard';
  const server = await startJsonSseServer((req, res) => {
    if (req.method === 'POST' && req.path === '/v1/messages') return messages(req, res, state.usage, answer, tier);
    return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${req.path}` } });
  });
  return Object.defineProperties(server as AnthropicEndpoint, {
    baseURL: { value: server.origin },
    usage: { get: () => state.usage, set: (u: AnthropicUsageScript) => void (state.usage = u) },
  });
}

async function messages(req: RecordedRequest, res: ServerResponse, u: AnthropicUsageScript, answer: string[], tier: string) {
  const id = `msg_${Date.now().toString(36)}`;
  const usage = (output: number) => ({
    input_tokens: u.input,
    cache_creation_input_tokens: u.cacheCreation ?? 0,
    cache_read_input_tokens: u.cacheRead ?? 0,
    ...(u.cacheCreation1h === undefined ? {} : {
      cache_creation: { ephemeral_5m_input_tokens: (u.cacheCreation ?? 0) - u.cacheCreation1h, ephemeral_1h_input_tokens: u.cacheCreation1h },
    }),
    output_tokens: output,
    service_tier: tier,
  });
  const message = (content: unknown[], stop: string | null, output: number) => ({
    id, type: 'message', role: 'assistant', model: req.body.model, content, stop_reason: stop, stop_sequence: null, usage: usage(output),
  });
  const headers = { 'request-id': `req_${id}` };
  if (!req.body.stream) return sendJson(res, 200, message([{ type: 'text', text: answer.join('') }], 'end_turn', u.output), headers);
  const ev = (type: string, body: Record<string, unknown>) => ({ event: type, data: { type, ...body } });
  await sendSse(res, [
    ev('message_start', { message: message([], null, 1) }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    { event: 'ping', data: { type: 'ping' } },
    ...answer.map((text) => ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text } })),
    ev('content_block_stop', { index: 0 }),
    // Output usage is cumulative and final here.
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: u.output } }),
    ev('message_stop', {}),
  ], headers);
}
