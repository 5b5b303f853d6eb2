// A local endpoint in the SageMaker Runtime wire format (rest-json over HTTP/1.1): InvokeEndpoint returns the
// container's body as is; InvokeEndpointWithResponseStream returns an AWS event stream of PayloadPart events,
// encoded with the Smithy event-stream codec. Each endpoint name is served by a scripted container shape.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventMessage, exceptionMessage } from './event-stream.ts';

/** Response shapes of the common LLM containers. `plain` reports no usage at all. */
export type ContainerShape = 'tgi' | 'vllm' | 'lmi' | 'plain';

export interface SageMakerEndpointOptions {
  /** Endpoint name → container shape; unknown names answer 404 ValidationError like SageMaker. */
  containers: Record<string, ContainerShape>;
  /** Tokens the containers report. */
  usage?: { prompt: number; completion: number };
  answer?: string[];
}

export interface SageMakerRecordedRequest {
  endpoint: string;
  stream: boolean;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface SageMakerEndpoint {
  url: string;
  requests: SageMakerRecordedRequest[];
  /** The next request fails with this AWS error (e.g. 424 ModelError). */
  failNext(status: number, errorType: string, message: string): void;
  /** The next stream sends one part, then a ModelStreamError event. */
  breakNextStream(message: string): void;
  close(): Promise<void>;
}

export async function startSageMakerEndpoint(opts: SageMakerEndpointOptions): Promise<SageMakerEndpoint> {
  const usage = opts.usage ?? { prompt: 9, completion: 3 };
  const answer = opts.answer ?? ['Hi', ' there', '!'];
  const requests: SageMakerRecordedRequest[] = [];
  const failures: { status: number; errorType: string; message: string }[] = [];
  const broken: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const m = /^\/endpoints\/([^/]+)\/(invocations|invocations-response-stream)$/.exec(req.url ?? '');
    const endpoint = m ? decodeURIComponent(m[1]!) : '';
    const stream = m?.[2] === 'invocations-response-stream';
    requests.push({ endpoint, stream, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    const failure = failures.shift();
    const shape = opts.containers[endpoint];
    if (failure || !m || !shape) {
      const f = failure ?? { status: 400, errorType: 'ValidationError', message: `Endpoint ${endpoint} not found.` };
      const body = JSON.stringify({ message: f.message, ...(f.errorType === 'ModelError' ? { OriginalStatusCode: 500 } : {}) });
      res.writeHead(f.status, { 'content-type': 'application/json', 'x-amzn-errortype': `${f.errorType}:http://internal.amazon.com/coral/com.amazon.sagemaker/`, 'x-amzn-requestid': 'req-err' });
      return res.end(body);
    }
    if (!stream) {
      const body = JSON.stringify(invokeBody(shape, usage, answer));
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-invoked-production-variant': 'AllTraffic', 'x-amzn-requestid': 'req-1' });
      return res.end(body);
    }
    await streamParts(res, streamLines(shape, usage, answer), broken.shift());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (status, errorType, message) => void failures.push({ status, errorType, message }),
    breakNextStream: (message) => void broken.push(message),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function invokeBody(shape: ContainerShape, u: { prompt: number; completion: number }, answer: string[]): unknown {
  const text = answer.join('');
  switch (shape) {
    case 'tgi': // with `decoder_input_details`, one prefill entry per input token
      return [{ generated_text: text, details: { finish_reason: 'eos_token', generated_tokens: u.completion, prefill: Array.from({ length: u.prompt }, (_, id) => ({ id, text: 't' })) } }];
    case 'vllm':
      return { id: 'cmpl-1', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage: { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion } };
    case 'lmi':
      return { generated_text: text, details: { finish_reason: 'length', generated_tokens: u.completion } };
    case 'plain':
      return { generated_text: text };
  }
}

/** The container's streamed bytes, as lines. */
function streamLines(shape: ContainerShape, u: { prompt: number; completion: number }, answer: string[]): string[] {
  const text = answer.join('');
  switch (shape) {
    case 'tgi':
      return [
        ...answer.map((w, i) => `data:${JSON.stringify({ token: { id: i, text: w, logprob: 0, special: false }, generated_text: null, details: null })}\n\n`),
        `data:${JSON.stringify({ token: { id: 99, text: '', special: true }, generated_text: text, details: { finish_reason: 'eos_token', generated_tokens: u.completion, seed: null } })}\n\n`,
      ];
    case 'vllm':
      return [
        ...answer.map((w) => `data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: w }, finish_reason: null }] })}\n\n`),
        `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: u.prompt, completion_tokens: u.completion, total_tokens: u.prompt + u.completion } })}\n\n`,
        'data: [DONE]\n\n',
      ];
    case 'lmi':
      return [...answer.map((w) => `${JSON.stringify({ token: { text: w }, generated_text: null })}\n`), `${JSON.stringify({ token: { text: '' }, generated_text: text, details: { generated_tokens: u.completion } })}\n`];
    case 'plain':
      return answer.map((w) => `${JSON.stringify({ outputs: [w] })}\n`);
  }
}

/**
 * PayloadPart events; the joined bytes are cut mid-line so a reader must reassemble lines across parts.
 * With `breakWith`, one part is followed by a ModelStreamError exception event.
 */
async function streamParts(res: ServerResponse, lines: string[], breakWith?: string): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-sagemaker-content-type': 'text/event-stream', 'x-amzn-requestid': 'req-s' });
  const bytes = Buffer.from(lines.join(''), 'utf8');
  const cut = Math.floor(bytes.length / 3);
  for (const part of [bytes.subarray(0, cut), bytes.subarray(cut, 2 * cut), bytes.subarray(2 * cut)]) {
    if (res.destroyed) return;
    res.write(eventMessage('PayloadPart', new Uint8Array(part)));
    await new Promise((r) => setImmediate(r));
    if (breakWith !== undefined) {
      res.write(exceptionMessage('ModelStreamError', { Message: breakWith, ErrorCode: 'ModelStreamError' }));
      break;
    }
  }
  res.end();
}
