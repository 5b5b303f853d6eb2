// Reading API requests: times, limits, JSON bodies.
import type { IncomingMessage } from 'node:http';

/** RFC 3339 or Unix seconds (as Prometheus takes them); `fallback` when absent, undefined when unreadable. */
export function parseTime(v: string | null, fallback: number): number | undefined {
  if (v === null || v === '') return fallback;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A whole number in [1, max], `fallback` when absent, undefined when not one. */
export function parseLimit(v: string | null, fallback: number, max: number): number | undefined {
  if (v === null || v === '') return fallback;
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= max ? n : undefined;
}

export class BodyError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** A JSON request body of at most `maxBytes` (413 above, 415 when not JSON, 400 when unreadable). */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw new BodyError(415, 'Content-Type must be application/json');
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw new BodyError(413, `body over ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw new BodyError(413, `body over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BodyError(400, 'the body is not JSON');
  }
}
