// Reads a request body within a byte limit, raw and after gzip inflation. Inflation is streamed and
// stopped at the limit, so a gzip bomb costs at most `limit` bytes of memory.
import type { IncomingMessage } from 'node:http';
import { createGunzip } from 'node:zlib';

export class BodyTooLarge extends Error {
  override name = 'BodyTooLarge';
}
export class BadEncoding extends Error {
  override name = 'BadEncoding';
}
export class RequestAborted extends Error {
  override name = 'RequestAborted';
}

/**
 * The body, decompressed. `hold(n)` is told of every n bytes kept in memory, before they are kept, and
 * may throw to stop reading (the receiver's in-flight budget). On a refusal the request is left flowing
 * (its bytes discarded), not destroyed, so the caller can still answer a client that is sending.
 */
export function readBody(req: IncomingMessage, limit: number, hold: (bytes: number) => void): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding !== 'gzip' && encoding !== 'identity') return Promise.reject(new BadEncoding(`unsupported Content-Encoding: ${encoding}`));
  const gunzip = encoding === 'gzip' ? createGunzip() : undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  let raw = 0;
  let settled = false;
  return new Promise((resolve, reject) => {
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      gunzip?.destroy();
      reject(err);
    };
    const keep = (chunk: Buffer): void => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) return fail(new BodyTooLarge(`body exceeds ${limit} bytes`));
      try {
        hold(chunk.length);
      } catch (err) {
        return fail(err as Error);
      }
      chunks.push(chunk);
    };
    const done = (): void => {
      if (settled) return;
      settled = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return; // refused: discarded while the answer goes out
      raw += chunk.length;
      // The raw stream is checked too: a compressed body larger than the limit is refused as it arrives.
      if (raw > limit) return fail(new BodyTooLarge(`body exceeds ${limit} bytes`));
      if (gunzip) gunzip.write(chunk);
      else keep(chunk);
    });
    req.once('close', () => {
      if (!req.complete) fail(new RequestAborted('the client went away mid-body'));
    });
    if (gunzip) {
      gunzip.on('data', keep);
      gunzip.once('end', done);
      gunzip.once('error', (err) => fail(new BadEncoding(`invalid gzip body: ${err.message}`)));
      req.once('end', () => gunzip.end());
    } else req.once('end', done);
  });
}
