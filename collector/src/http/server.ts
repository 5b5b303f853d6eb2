// The metrics/API listener on TOKENLEDGER_HTTP_ADDR: routing, bearer auth (or, without a token, a Host check
// against DNS rebinding), errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { diag } from '@opentelemetry/api';
import { bearerCheck, HttpListener, type HttpTimeouts, type RunningServer } from './listen.ts';
import { type Router, sendJson } from './router.ts';

export interface HttpServerOptions {
  host: string;
  port: number;
  router: Router;
  /** When set, every non-public route wants `Authorization: Bearer <token>`. */
  authToken?: string;
  /** Without a token: host names (beyond IP literals, `localhost` and the listen host) a data route may be asked by. */
  allowedHosts?: readonly string[];
  /** The same defaults as the OTLP port's (tests shorten them). */
  timeouts?: HttpTimeouts;
}

export type { RunningServer } from './listen.ts';

export async function startHttpServer(o: HttpServerOptions): Promise<RunningServer> {
  const authorised = bearerCheck(o.authToken);
  const hostAllowed = o.authToken === undefined ? hostCheck(o.host, o.allowedHosts ?? []) : () => true;
  const listener = new HttpListener((req, res) => void handle(req, res), o.timeouts);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = o.router.match(req.method ?? 'GET', url.pathname);
    // Data routes, and paths that do not exist, answer alike to a stranger: no oracle of which names exist.
    if (route === undefined || route === 'method' || !route.public) {
      if (!authorised(req.headers.authorization)) {
        res.setHeader('www-authenticate', 'Bearer');
        return sendJson(res, 401, { error: 'missing or wrong bearer token' });
      }
      if (!hostAllowed(req.headers.host)) {
        return sendJson(res, 403, { error: `Host ${JSON.stringify(req.headers.host)} is not this collector's (add it to TOKENLEDGER_ALLOWED_HOSTS, or set TOKENLEDGER_AUTH_TOKEN)` });
      }
    }
    if (route === undefined) return sendJson(res, 404, { error: `no route ${url.pathname}` });
    if (route === 'method') {
      res.setHeader('allow', o.router.methods(url.pathname).join(', '));
      return sendJson(res, 405, { error: `${req.method} not allowed` });
    }
    try {
      await route.handler(req, res, url);
    } catch (err) {
      diag.error(`tokenledger collector: ${req.method} ${url.pathname} failed`, err);
      if (!res.headersSent) sendJson(res, 500, { error: (err as Error).message });
      else res.destroy();
    }
  }

  return listener.listen(o.host, o.port);
}

/**
 * Whether a Host header may reach the data routes when no token guards them. A page of another site that a
 * rebinding DNS name points at this address sends that name: IP literals, `localhost`, the listen host and the
 * configured names are ours (`*` allows any). A request without Host (HTTP/1.0) is no browser's.
 */
export function hostCheck(listenHost: string, allowed: readonly string[]): (host: string | undefined) => boolean {
  const names = new Set(['localhost', listenHost.toLowerCase(), ...allowed.map((h) => h.toLowerCase())]);
  if (names.has('*')) return () => true;
  return (host) => {
    if (host === undefined) return true;
    const name = hostName(host.toLowerCase());
    return isIP(name) !== 0 || names.has(name) || names.has(name.replace(/\.$/, ''));
  };
}

/** The name of a Host header without its port (`[::1]:9464` → `::1`). */
function hostName(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return host.slice(1, end === -1 ? undefined : end);
  }
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}
