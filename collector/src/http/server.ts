// The metrics/API listener on TOKENLEDGER_HTTP_ADDR: routing, bearer auth, errors.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import { bearerCheck, listen, type RunningServer } from './listen.ts';
import { type Router, sendJson } from './router.ts';

export interface HttpServerOptions {
  host: string;
  port: number;
  router: Router;
  /** When set, every non-public route wants `Authorization: Bearer <token>`. */
  authToken?: string;
}

export type { RunningServer } from './listen.ts';

export async function startHttpServer(o: HttpServerOptions): Promise<RunningServer> {
  const authorised = bearerCheck(o.authToken);
  const server = createServer((req, res) => void handle(req, res));
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = o.router.match(req.method ?? 'GET', url.pathname);
    if (route === undefined) return sendJson(res, 404, { error: `no route ${url.pathname}` });
    if (route === 'method') {
      res.setHeader('allow', o.router.methods(url.pathname).join(', '));
      return sendJson(res, 405, { error: `${req.method} not allowed` });
    }
    if (!route.public && !authorised(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Bearer');
      return sendJson(res, 401, { error: 'missing or wrong bearer token' });
    }
    try {
      await route.handler(req, res, url);
    } catch (err) {
      diag.error(`tokenledger collector: ${req.method} ${url.pathname} failed`, err);
      if (!res.headersSent) sendJson(res, 500, { error: (err as Error).message });
      else res.destroy();
    }
  }

  return listen(server, o.host, o.port);
}
