// A small router: other parts (budgets, web page, accelerator endpoints) register their routes here.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface RouteOptions {
  /** Served without the bearer token (health probes). Default false. */
  public?: boolean;
}

interface Route {
  handler: Handler;
  public: boolean;
}

export class Router {
  private readonly routes = new Map<string, Map<string, Route>>();

  /** Registers `handler` for `method` (GET, POST, …) on the exact `path`. */
  add(method: string, path: string, handler: Handler, opts: RouteOptions = {}): this {
    let byMethod = this.routes.get(path);
    if (!byMethod) this.routes.set(path, (byMethod = new Map()));
    byMethod.set(method.toUpperCase(), { handler, public: opts.public ?? false });
    return this;
  }

  /** The route for a request: a handler, 'method' when the path exists for another method, or undefined. */
  match(method: string, path: string): Route | 'method' | undefined {
    const byMethod = this.routes.get(path);
    if (!byMethod) return undefined;
    return byMethod.get(method) ?? (method === 'HEAD' ? byMethod.get('GET') : undefined) ?? 'method';
  }

  methods(path: string): string[] {
    return [...(this.routes.get(path)?.keys() ?? [])];
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, text: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
