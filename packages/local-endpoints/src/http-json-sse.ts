// Small HTTP/1.1 plumbing shared by the JSON + server-sent-events endpoints (OpenAI, Anthropic):
// a loopback server on an ephemeral port, request recording, scripted failures.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: any;
}

/** A failure the next request receives instead of a normal answer. */
export interface ScriptedFailure {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface JsonSseServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  requests: RecordedRequest[];
  /** Queue failures; each is served to one request, in order. */
  failNext(...failures: ScriptedFailure[]): void;
  close(): Promise<void>;
}

export type Route = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export async function startJsonSseServer(route: Route): Promise<JsonSseServer> {
  const requests: RecordedRequest[] = [];
  const failures: ScriptedFailure[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0]!,
      headers: req.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    requests.push(recorded);
    const failure = failures.shift();
    if (failure) return sendJson(res, failure.status, failure.body, failure.headers);
    try {
      await route(recorded, res);
    } catch (err) {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(err) } });
      else res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    failNext: (...f) => void failures.push(...f),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Writes server-sent events, yielding to the event loop between them like a real token stream; stops when the client goes away. */
export async function sendSse(res: ServerResponse, events: readonly { event?: string; data: unknown }[], headers: Record<string, string> = {}): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
  for (const e of events) {
    if (res.destroyed || res.writableEnded) return;
    const data = typeof e.data === 'string' ? e.data : JSON.stringify(e.data);
    res.write(`${e.event ? `event: ${e.event}\n` : ''}data: ${data}\n\n`);
    await new Promise((r) => setImmediate(r));
  }
  res.end();
}
