// What the collector's two listeners (OTLP receiver, metrics/API) share: one set of timeouts, binding, a close
// that stops intake at once (keep-alive connections included), and the bearer check.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RunningServer {
  address: AddressInfo;
  /** See HttpListener.close. */
  close(graceMs?: number): Promise<void>;
}

/** The same on both ports: headers within 10 s, a whole request within 60 s, idle keep-alive closed after 5 s. */
export interface HttpTimeouts {
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}
const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 60_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How long close() lets requests in progress finish before it cuts their connections. */
export const CLOSE_GRACE_MS = 5_000;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * An HTTP server that knows when it is closing: from then on every response carries `Connection: close`, so a
 * keep-alive client cannot keep a connection (and the intake behind it) alive past shutdown.
 */
export class HttpListener {
  readonly server: Server;
  private closingFlag = false;
  private readonly active = new Set<ServerResponse>();

  constructor(handler: Handler, t: HttpTimeouts = {}) {
    const headersTimeout = t.headersTimeoutMs ?? HEADERS_TIMEOUT_MS;
    const requestTimeout = t.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    // Node checks the timeouts every 30 s by default: check often enough for them to mean what they say.
    const connectionsCheckingInterval = Math.min(1000, headersTimeout, requestTimeout);
    const wrapped: Handler = (req, res) => {
      this.active.add(res);
      res.once('close', () => this.active.delete(res));
      if (this.closingFlag) res.setHeader('connection', 'close');
      handler(req, res);
    };
    this.server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, wrapped);
    // With `Expect: 100-continue` (curl, for large bodies) the headers are judged before the client is told to send.
    this.server.on('checkContinue', wrapped);
  }

  /** True once close() was called: handlers refuse new work. */
  get closing(): boolean {
    return this.closingFlag;
  }

  async listen(host: string, port: number): Promise<RunningServer> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    return { address: this.server.address() as AddressInfo, close: (graceMs) => this.close(graceMs) };
  }

  /**
   * Stops accepting connections, closes idle keep-alive ones, marks the responses of requests in progress
   * `Connection: close`, and after `graceMs` cuts whatever is still open. Resolves once every connection is gone.
   */
  close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    this.closingFlag = true;
    for (const res of this.active) if (!res.headersSent) res.setHeader('connection', 'close');
    return new Promise<void>((resolve) => {
      const cut = setTimeout(() => this.server.closeAllConnections(), graceMs);
      cut.unref();
      this.server.close(() => {
        clearTimeout(cut);
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }
}

/** A constant-time check of `Authorization: Bearer <token>`; always true without a token. */
export function bearerCheck(token: string | undefined): (header: string | undefined) => boolean {
  if (token === undefined) return () => true;
  const expected = Buffer.from(`Bearer ${token}`);
  return (header) => {
    const given = Buffer.from(header ?? '');
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}
