// How the `tokenledger` commands reach a running collector's API: its address and bearer token from the
// environment (or --url), JSON in and out.
import { clientConfigFromEnv } from '../config/env.ts';

export interface ApiAnswer<T> {
  status: number;
  body: T;
  text: string;
}

export class ApiClient {
  readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(url?: string) {
    const c = clientConfigFromEnv(process.env, url);
    this.base = c.url;
    this.headers = c.authToken ? { authorization: `Bearer ${c.authToken}` } : {};
  }

  get<T>(path: string, params: Record<string, string | undefined> = {}): Promise<ApiAnswer<T>> {
    const url = new URL(path, this.base);
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
    return this.send(url, { headers: this.headers });
  }

  post<T>(path: string, body: unknown): Promise<ApiAnswer<T>> {
    return this.send(new URL(path, this.base), { method: 'POST', headers: { ...this.headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  private async send<T>(url: URL, init: RequestInit): Promise<ApiAnswer<T>> {
    let res: Response;
    try {
      res = await fetch(url, init);
    } catch (err) {
      throw new Error(`cannot reach the collector at ${this.base} (${(err as Error).cause ?? (err as Error).message})`);
    }
    const text = await res.text();
    let body: T;
    try {
      body = JSON.parse(text) as T;
    } catch {
      body = { error: text } as T;
    }
    return { status: res.status, body, text };
  }
}

/** Dollars with enough decimals for small amounts to show three digits. */
export function usd(v: number | null | undefined): string {
  if (v === null || v === undefined) return '—';
  if (v === 0) return '$0';
  const decimals = Math.min(8, Math.max(2, Math.ceil(-Math.log10(Math.abs(v))) + 2));
  return `$${v.toFixed(decimals)}`;
}

/** Left-aligned text columns (numbers right-aligned), two spaces apart. */
export function table(header: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (c: string[]) => c.map((s, i) => (right.has(i) ? s.padStart(widths[i]!) : s.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
