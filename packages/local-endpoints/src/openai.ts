// A local endpoint in the OpenAI wire format: chat completions, responses and embeddings, as JSON and as
// server-sent events (chat: `data:` chunks ending in `[DONE]`, usage only when `stream_options.include_usage`;
// responses: named `response.*` events with usage in `response.completed`).
import type { ServerResponse } from 'node:http';
import { sendJson, sendSse, startJsonSseServer, type JsonSseServer, type RecordedRequest } from './http-json-sse.ts';

/**
 * Token counts the endpoint reports; `cached` (read from the prompt cache) and `cacheWrite` (written to it) are
 * part of `prompt`, `reasoning` part of `completion`, as OpenAI counts.
 */
export interface OpenAIUsageScript {
  prompt: number;
  completion: number;
  cached?: number;
  /** `prompt_tokens_details.cache_write_tokens` (chat: only when set) / `input_tokens_details.cache_write_tokens` (responses). */
  cacheWrite?: number;
  reasoning?: number;
}

export interface OpenAIEndpointOptions {
  usage?: OpenAIUsageScript;
  /** The model the response names, from the one requested (e.g. a dated snapshot). Default: the same. */
  responseModel?: (requested: string) => string;
  /** Words of the streamed answer (one chunk each). */
  answer?: string[];
  /** `service_tier` in responses. Default `default`. */
  serviceTier?: string;
}

export interface OpenAIEndpoint extends JsonSseServer {
  /** Base URL for the client: `<origin>/v1`. */
  baseURL: string;
  usage: OpenAIUsageScript;
}

/** An OpenAI error body with the status the API uses for it (e.g. 429 `rate_limit_exceeded`). */
export function openAIError(status: number, type: string, message: string, code: string | null = null) {
  return { status, body: { error: { message, type, param: null, code } } };
}

export async function startOpenAIEndpoint(opts: OpenAIEndpointOptions = {}): Promise<OpenAIEndpoint> {
  // Read at each request, so a test can change it between calls.
  const state = { usage: opts.usage ?? { prompt: 12, completion: 5 } };
  const answer = opts.answer ?? ['Hello', ' from', ' the', ' local', ' endpoint.'];
  const responseModel = opts.responseModel ?? ((m: string) => m);
  const tier = opts.serviceTier ?? 'default';
  const server = await startJsonSseServer((req, res) => {
    if (req.method !== 'POST') return sendJson(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
    switch (req.path) {
      case '/v1/chat/completions':
        return chat(req, res, state.usage, answer, responseModel(req.body.model), tier);
      case '/v1/responses':
        return responses(req, res, state.usage, answer, responseModel(req.body.model), tier);
      case '/v1/embeddings':
        return embeddings(req, res, state.usage, responseModel(req.body.model));
      default:
        return sendJson(res, 404, { error: { message: `no route ${req.path}`, type: 'invalid_request_error' } });
    }
  });
  return Object.defineProperties(server as OpenAIEndpoint, {
    baseURL: { value: `${server.origin}/v1` },
    usage: { get: () => state.usage, set: (u: OpenAIUsageScript) => void (state.usage = u) },
  });
}

function chatUsage(u: OpenAIUsageScript) {
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
    prompt_tokens_details: { cached_tokens: u.cached ?? 0, audio_tokens: 0, ...(u.cacheWrite !== undefined ? { cache_write_tokens: u.cacheWrite } : {}) },
    completion_tokens_details: { reasoning_tokens: u.reasoning ?? 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

async function chat(req: RecordedRequest, res: ServerResponse, u: OpenAIUsageScript, answer: string[], model: string, tier: string) {
  const id = `chatcmpl-${Date.now().toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const base = { id, created, model, service_tier: tier, system_fingerprint: 'fp_local' };
  if (!req.body.stream) {
    return sendJson(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: answer.join(''), refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: chatUsage(u),
    }, { 'x-request-id': `req_${id}` });
  }
  const withUsage = req.body.stream_options?.include_usage === true;
  const chunk = (choices: unknown[], usage?: unknown) => ({
    ...base, object: 'chat.completion.chunk', choices, ...(withUsage ? { usage: usage ?? null } : {}),
  });
  const events = [
    { data: chunk([{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]) },
    ...answer.map((w) => ({ data: chunk([{ index: 0, delta: { content: w }, logprobs: null, finish_reason: null }]) })),
    { data: chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }]) },
    ...(withUsage ? [{ data: chunk([], chatUsage(u)) }] : []),
    { data: '[DONE]' },
  ];
  await sendSse(res, events, { 'x-request-id': `req_${id}` });
}

async function responses(req: RecordedRequest, res: ServerResponse, u: OpenAIUsageScript, answer: string[], model: string, tier: string) {
  const id = `resp_${Date.now().toString(36)}`;
  const text = answer.join('');
  const message = { type: 'message', id: `msg_${id}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] };
  const response = (status: string, usage: unknown, output: unknown[]) => ({
    id, object: 'response', created_at: Math.floor(Date.now() / 1000), status, model, output, usage,
    service_tier: tier, parallel_tool_calls: true, tool_choice: 'auto', tools: [], text: { format: { type: 'text' } },
    error: null, incomplete_details: null, instructions: null, metadata: {}, temperature: 1, top_p: 1,
  });
  const usage = {
    input_tokens: u.prompt,
    input_tokens_details: { cached_tokens: u.cached ?? 0, cache_write_tokens: u.cacheWrite ?? 0 },
    output_tokens: u.completion,
    output_tokens_details: { reasoning_tokens: u.reasoning ?? 0 },
    total_tokens: u.prompt + u.completion,
  };
  if (!req.body.stream) return sendJson(res, 200, response('completed', usage, [message]));
  let seq = 0;
  const ev = (type: string, body: Record<string, unknown>) => ({ event: type, data: { type, sequence_number: seq++, ...body } });
  await sendSse(res, [
    ev('response.created', { response: response('in_progress', null, []) }),
    ev('response.output_item.added', { output_index: 0, item: { ...message, status: 'in_progress', content: [] } }),
    ...answer.map((delta) => ev('response.output_text.delta', { item_id: message.id, output_index: 0, content_index: 0, delta, logprobs: [] })),
    ev('response.output_text.done', { item_id: message.id, output_index: 0, content_index: 0, text, logprobs: [] }),
    ev('response.output_item.done', { output_index: 0, item: message }),
    ev('response.completed', { response: response('completed', usage, [message]) }),
  ]);
}

function embeddings(req: RecordedRequest, res: ServerResponse, u: OpenAIUsageScript, model: string) {
  const inputs: unknown[] = Array.isArray(req.body.input) ? req.body.input : [req.body.input];
  const wantsBase64 = req.body.encoding_format === 'base64';
  const data = inputs.map((_, index) => {
    const vector = [0.1 * (index + 1), 0.2, -0.3];
    const embedding = wantsBase64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  sendJson(res, 200, { object: 'list', data, model, usage: { prompt_tokens: u.prompt, total_tokens: u.prompt } });
}
