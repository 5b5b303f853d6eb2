// Slow and careless peers (reliability scenarios 3 and 18): stalled near-limit uploads from a few connections never
// stop other clients' exports; a stalled upload is cut and releases what it held; a client that writes its whole
// refused body before reading still reads the answer; a gzip bomb is refused holding a bounded part of its output.
import { connect, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { encodeJson } from '../../bench/otlp-bodies.ts';
import { BodyTooLarge, INFLATE_KEEP_BYTES, readBody } from '../src/receiver/body.ts';
import { json, post, span, start } from './receiver-helpers.ts';

/** A raw connection from `localAddress` (any 127.x.y.z reaches the loopback listener: another peer). */
function open(url: string, localAddress = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ port: Number(new URL(url).port), host: '127.0.0.1', localAddress }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection (errors of our own writes ignored). */
function answer(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(text));
  });
}

/**
 * Writes all of `data`, and only then reads, as many clients do: a write that fails (a broken pipe, a reset)
 * ends such a client's request before it looks at any answer.
 */
function writeThenRead(s: Socket, data: string): Promise<{ writeError?: string; text: string }> {
  s.pause();
  return new Promise((resolve) => {
    s.write(data, (err) => {
      void answer(s).then((text) => resolve({ writeError: (err as NodeJS.ErrnoException | undefined)?.code, text }));
      s.resume();
    });
  });
}

const headers = (length: number, extra = '') => `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n${extra}\r\n`;

async function eventually(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never: ${what}`);
}

describe('slow peers', () => {
  it('four stalled near-limit uploads from one peer leave room for every other client', async () => {
    const limit = 1 << 20;
    // The budget of four bodies, as by default; a peer may hold half of it. No minimum rate here: only the budget.
    const refused: string[] = [];
    const { url, receiver } = await start({ maxBodyBytes: limit, maxInFlightBytes: 4 * limit, minUploadBytesPerSecond: 0, refused: (r) => refused.push(r) });
    const stalled = await Promise.all(Array.from({ length: 4 }, () => open(url, '127.0.0.2')));
    for (const s of stalled) s.write(`${headers(limit)}${' '.repeat(limit - 1)}`);
    await eventually('the stalled uploads hold their share', () => receiver.heldBytes >= 2 * limit - 4);
    for (let i = 0; i < 10; i++) expect((await post(`${url}/v1/traces`, encodeJson([span()]), json)).status).toBe(200);
    // The peer's further uploads are the ones refused (429), not everyone's.
    expect(refused.filter((r) => r === 'peer_in_flight').length).toBeGreaterThanOrEqual(1);
    expect(refused).not.toContain('in_flight');
    for (const s of stalled) s.destroy();
    await eventually('every byte released', () => receiver.heldBytes === 0);
  });

  it('cuts an upload that stalls below the minimum rate (408) and releases what it held', async () => {
    const { url, receiver } = await start({ maxBodyBytes: 1 << 20, minUploadBytesPerSecond: 64 << 10, uploadRateWindowMs: 300 });
    const s = await open(url);
    const a = answer(s);
    s.write(`${headers(1 << 20)}${' '.repeat(100 << 10)}`);
    await eventually('the upload is held', () => receiver.heldBytes > 0);
    const text = await a;
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(receiver.heldBytes).toBe(0);
    // A steady upload far above the minimum is untouched.
    expect((await post(`${url}/v1/traces`, encodeJson([span()]), json)).status).toBe(200);
  });

  // Bodies larger than the socket buffers, so the server refuses while the client is still writing.
  for (const [what, request, status] of [
    ['declared too large', (limit: number) => `${headers(2 * limit)}${' '.repeat(2 * limit)}`, '413 Payload Too Large'],
    ['of an unsupported type', (limit: number) => `${headers(limit).replace('application/json', 'text/plain')}${' '.repeat(limit)}`, '415 Unsupported Media Type'],
    ['to an unknown path', (limit: number) => `${headers(limit).replace('/v1/traces', '/v1/logs')}${' '.repeat(limit)}`, '404 Not Found'],
  ] as const) {
    it(`lets a client that writes a whole body ${what} before reading read the ${status.slice(0, 3)}`, async () => {
      const limit = 8 << 20;
      const { url } = await start({ maxBodyBytes: limit });
      const s = await open(url);
      const { writeError, text } = await writeThenRead(s, request(limit));
      expect(writeError).toBeUndefined();
      expect(text.split('\r\n')[0]).toBe(`HTTP/1.1 ${status}`);
    });
  }

  it('refuses a 512 MiB gzip bomb at the default limit holding at most 2 MiB of its output', async () => {
    const limit = 20 << 20;
    // 32 gzip members of 16 MiB of zeros each (a valid gzip stream, each member's size under the limit).
    const member = gzipSync(Buffer.alloc(16 << 20), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 32 }, () => member));
    let held = 0;
    let peak = 0;
    const req = Object.assign(new PassThrough(), { headers: { 'content-encoding': 'gzip' }, complete: false });
    const body = readBody(req as unknown as IncomingMessage, {
      limit,
      hold: (n) => {
        held += n;
        peak = Math.max(peak, held);
      },
      release: (n) => {
        held -= n;
      },
    });
    req.end(bomb, () => {
      req.complete = true;
    });
    await expect(body).rejects.toBeInstanceOf(BodyTooLarge);
    expect(peak).toBeLessThanOrEqual(bomb.length + INFLATE_KEEP_BYTES);
    // A body that inflates past what is kept, within the limit, is inflated whole.
    const large = Buffer.concat([encodeJson([span()]), Buffer.alloc(5 << 20, ' ')]);
    const req2 = Object.assign(new PassThrough(), { headers: { 'content-encoding': 'gzip' }, complete: false });
    const body2 = readBody(req2 as unknown as IncomingMessage, { limit, hold: () => {}, release: () => {} });
    req2.end(gzipSync(large), () => {
      req2.complete = true;
    });
    expect((await body2).equals(large)).toBe(true);
  });
});
