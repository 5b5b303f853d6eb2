// The cleartext server the AWS SDK's Bedrock clients speak to: HTTP/2 with prior knowledge on http://
// endpoints. Clients that speak HTTP/1.1 (fetch-based ones, such as the Vercel AI SDK's Bedrock provider) are
// served on the same port, as the service does: a connection's first bytes tell the two apart, and an HTTP/1.1
// request reaches the same `stream` handler through a stream-shaped adapter.
import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Http2Server, type IncomingHttpHeaders, type OutgoingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';

export interface LocalHttp2Server {
  server: Http2Server;
  url: string;
  /** Stops listening and cuts the connections: the SDK keeps its HTTP/2 sessions open, which closing waits for. */
  close(): Promise<void>;
}

/** The HTTP/2 connection preface a client with prior knowledge sends first. */
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

/** Listening on 127.0.0.1:`port` (0: any free port); attach the `stream` handler before the first request. */
export async function listenHttp2(port = 0): Promise<LocalHttp2Server> {
  const server = createServer();
  const http1 = createHttp1Server((req, res) => server.emit('stream', http1Stream(req, res), http1Headers(req)));
  const sockets = new Set<Socket>();
  const listener = createNetServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.once('readable', () => {
      const head: Buffer | null = socket.read();
      if (head === null) return socket.destroy();
      socket.unshift(head);
      const h2 = head.subarray(0, PREFACE.length).equals(PREFACE.subarray(0, Math.min(head.length, PREFACE.length)));
      (h2 ? server : http1).emit('connection', socket);
    });
  });
  await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(listener.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        listener.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

function http1Headers(req: IncomingMessage): IncomingHttpHeaders {
  return { ...req.headers, ':method': req.method, ':path': req.url, ':scheme': 'http', ':authority': req.headers.host };
}

/** The part of ServerHttp2Stream the local endpoints use, over an HTTP/1.1 request and response. */
function http1Stream(req: IncomingMessage, res: ServerResponse): ServerHttp2Stream {
  const adapter = {
    on(event: string, listener: (...args: any[]) => void) {
      req.on(event, listener);
      return adapter;
    },
    respond(headers: OutgoingHttpHeaders) {
      const { ':status': status, ...rest } = headers;
      res.writeHead(Number(status ?? 200), rest as Record<string, string>);
    },
    write: (chunk: Uint8Array | string) => res.write(chunk),
    end: (chunk?: Uint8Array | string) => (chunk === undefined ? res.end() : res.end(chunk)),
    destroy: () => res.destroy(),
    get destroyed() {
      return res.destroyed;
    },
    get closed() {
      return res.destroyed || res.writableFinished;
    },
  };
  return adapter as unknown as ServerHttp2Stream;
}
