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

/**
 * The body, decompressed. `hold(n)` is told of every n bytes kept in memory, before they are kept, and
 * may throw to stop reading (the receiver's in-flight budget).
 */
export async function readBody(req: IncomingMessage, limit: number, hold: (bytes: number) => void): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  if (encoding !== 'gzip' && encoding !== 'identity') throw new BadEncoding(`unsupported Content-Encoding: ${encoding}`);
  const gzip = encoding === 'gzip';
  const source: AsyncIterable<Buffer> = gzip ? inflate(req) : req;
  const chunks: Buffer[] = [];
  let size = 0;
  let raw = 0;
  // With gzip the raw bytes are counted beside the pipe; without, they are the bytes read.
  if (gzip) req.on('data', (c: Buffer) => (raw += c.length));
  try {
    for await (const chunk of source) {
      size += chunk.length;
      if (!gzip) raw = size;
      // The raw stream is checked too: a compressed body larger than the limit is refused as it arrives.
      if (size > limit || raw > limit) throw new BodyTooLarge(`body exceeds ${limit} bytes`);
      hold(chunk.length);
      chunks.push(chunk);
    }
  } catch (err) {
    if (gzip && (err as { code?: string }).code?.startsWith('Z_')) throw new BadEncoding(`invalid gzip body: ${(err as Error).message}`);
    throw err;
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

/** The inflated body; an aborted request (client gone, request timeout) ends the iteration with an error. */
function inflate(req: IncomingMessage): AsyncIterable<Buffer> {
  const gunzip = createGunzip();
  req.once('close', () => {
    if (!req.complete) gunzip.destroy(new Error('request aborted'));
  });
  return req.pipe(gunzip);
}
