// The cleartext HTTP/2 server the AWS SDK's Bedrock clients speak to (prior knowledge on http:// endpoints).
import { createServer, type Http2Server } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';

export interface LocalHttp2Server {
  server: Http2Server;
  url: string;
  /** Stops listening and cuts the connections: the SDK keeps its HTTP/2 sessions open, which closing waits for. */
  close(): Promise<void>;
}

/** Listening on 127.0.0.1:`port` (0: any free port); attach the `stream` handler before the first request. */
export async function listenHttp2(port = 0): Promise<LocalHttp2Server> {
  const server = createServer();
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
