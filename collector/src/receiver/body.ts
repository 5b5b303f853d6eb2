// Reads a request body within a byte limit, raw and after gzip inflation. A gzip body is inflated as it arrives
// keeping at most INFLATE_KEEP_BYTES of output; one that inflates to more is counted through to its end without
// keeping anything and, if within the limit, inflated again whole. So a gzip bomb costs its compressed bytes
// and INFLATE_KEEP_BYTES, not the limit.
import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';

/** Inflated bytes kept while a gzip body's size is not yet known. */
export const INFLATE_KEEP_BYTES = 2 << 20;
const gunzipAsync = promisify(gunzip);

export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
}
export class BadEncoding extends Error {
  override name = 'BadEncoding';
}
export class RequestAborted extends Error {
  override name = 'RequestAborted';
}

export interface ReadBodyOptions {
  /** Largest body, raw and inflated. */
  limit: number;
  /** Told of every n bytes kept in memory before they are kept; may throw to stop reading (the in-flight budget). */
  hold(bytes: number): void;
  /** Told of bytes no longer kept. */
  release(bytes: number): void;
  /** Told of every raw chunk as it arrives (upload-rate checks). */
  progress?(bytes: number): void;
  /** Aborting stops the read with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * The body, decompressed. On a refusal the request is left flowing (its bytes discarded), not destroyed, so the
 * caller can still answer a client that is sending.
 */
export function readBody(req: IncomingMessage, o: ReadBodyOptions): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding !== 'gzip' && encoding !== 'identity') return Promise.reject(new BadEncoding(`unsupported Content-Encoding: ${encoding}`));
  const { limit } = o;
  const inflater = encoding === 'gzip' ? createGunzip() : undefined;
  // A plain body of declared length is copied into one buffer as it arrives (its pages become resident as they are
  // written): no second copy when it is complete.
  const declared = Number(req.headers['content-length']);
  const whole = !inflater && Number.isSafeInteger(declared) && declared >= 0 && declared <= limit ? Buffer.allocUnsafe(declared) : undefined;
  const raw: Buffer[] = [];
  let rawSize = 0;
  // Inflated output kept while it is small; `inflated` counts all of it.
  let kept: Buffer[] | undefined = [];
  let keptSize = 0;
  let inflated = 0;
  let settled = false;
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      raw.length = 0;
      kept = undefined;
      inflater?.destroy();
      o.signal?.removeEventListener('abort', aborted);
      reject(err);
    };
    const aborted = () => fail(o.signal!.reason as Error);
    o.signal?.addEventListener('abort', aborted, { once: true });
    const hold = (n: number): boolean => {
      try {
        o.hold(n);
        return true;
      } catch (err) {
        fail(err as Error);
        return false;
      }
    };
    const finish = (body: Buffer): void => {
      if (settled) return;
      settled = true;
      o.signal?.removeEventListener('abort', aborted);
      resolve(body);
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return; // refused: discarded while the answer goes out
      rawSize += chunk.length;
      o.progress?.(chunk.length);
      // The raw stream is checked too: a compressed body larger than the limit is refused as it arrives.
      if (rawSize > limit) return fail(new BodyTooLarge(`body exceeds ${limit} bytes`));
      if (!hold(chunk.length)) return;
      if (whole && rawSize <= whole.length) chunk.copy(whole, rawSize - chunk.length);
      else raw.push(chunk);
      inflater?.write(chunk);
    });
    req.once('close', () => {
      if (!req.complete) fail(new RequestAborted('the client went away mid-body'));
    });
    if (!inflater) {
      req.once('end', () => finish(whole ?? (raw.length === 1 ? raw[0]! : Buffer.concat(raw, rawSize))));
      return;
    }
    inflater.on('data', (chunk: Buffer) => {
      if (settled) return;
      inflated += chunk.length;
      if (inflated > limit) return fail(new BodyTooLarge(`body exceeds ${limit} bytes inflated`));
      if (!kept) return;
      if (inflated > INFLATE_KEEP_BYTES) {
        // Too big to keep before its size is known: count the rest, inflate again at the end if it fits.
        o.release(keptSize);
        kept = undefined;
        keptSize = 0;
      } else if (hold(chunk.length)) {
        kept.push(chunk);
        keptSize += chunk.length;
      }
    });
    inflater.once('error', (err) => fail(new BadEncoding(`invalid gzip body: ${err.message}`)));
    inflater.once('end', () => {
      if (settled) return;
      if (kept) {
        o.release(rawSize);
        return finish(kept.length === 1 ? kept[0]! : Buffer.concat(kept, keptSize));
      }
      if (!hold(inflated)) return;
      gunzipAsync(raw.length === 1 ? raw[0]! : Buffer.concat(raw, rawSize), { maxOutputLength: limit }).then(
        (body) => {
          o.release(rawSize);
          finish(body);
        },
        (err: Error) => fail(new BadEncoding(`invalid gzip body: ${err.message}`)),
      );
    });
    req.once('end', () => inflater.end());
  });
}
