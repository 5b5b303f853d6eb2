// Every status code of the OTLP/HTTP server rules (reference/reliability.md, scenarios 1–4 and 13).
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs/minimal.js';
import { describe, expect, it } from 'vitest';
import { encodeJson, encodeProtobuf } from '../../bench/otlp-bodies.ts';
import { Backpressure } from '../src/model/span-record.ts';
import { json, MemorySink, post, proto, span, start } from './receiver-helpers.ts';

/** google.rpc.Status from a protobuf body: [code, message]. */
function decodeStatus(body: Buffer): [number, string] {
  const r = protobuf.Reader.create(body);
  let code = 0;
  let message = '';
  while (r.pos < r.len) {
    const tag = r.uint32();
    if (tag === ((1 << 3) | 0)) code = r.int32();
    else if (tag === ((2 << 3) | 2)) message = r.string();
    else r.skipType(tag & 7);
  }
  return [code, message];
}

describe('status codes', () => {
  it('415 for other content types, 405 with Allow for other methods, 404 for other paths', async () => {
    const { url } = await start();
    const plain = await post(`${url}/v1/traces`, Buffer.from('x'), { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    expect((await post(`${url}/v1/traces`, Buffer.from('x'))).status).toBe(415);
    const get = await post(`${url}/v1/traces`, Buffer.alloc(0), json, 'GET');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect((await post(`${url}/v1/metrics`, Buffer.alloc(0), proto, 'PUT')).status).toBe(405);
    expect((await post(`${url}/v1/logs`, Buffer.from('{}'), json)).status).toBe(404);
    // Parameters of the media type are allowed.
    expect((await post(`${url}/v1/traces`, Buffer.from('{}'), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('answers undecodable protobuf with 400 and a protobuf google.rpc.Status', async () => {
    const { sink, url } = await start();
    const truncated = encodeProtobuf([span()]).subarray(0, 40);
    const a = await post(`${url}/v1/traces`, truncated, proto);
    expect(a.status).toBe(400);
    expect(a.headers['content-type']).toBe('application/x-protobuf');
    const [code, message] = decodeStatus(a.body);
    expect(code).toBe(3);
    expect(message).toContain('ExportTraceServiceRequest');
    expect(sink.spans).toHaveLength(0);
  });

  for (const [name, encode, headers] of [['JSON', encodeJson, json], ['protobuf', encodeProtobuf, proto]] as const) {
    it(`keeps the 97 good spans of a ${name} request of 100 and reports the 3 invalid ones as partial success`, async () => {
      const { sink, url } = await start();
      const spans = Array.from({ length: 100 }, () => span());
      spans[10].traceId = '00000000000000000000000000000000';
      spans[50].spanId = '0011';
      spans[99].parentSpanId = 'abcd';
      const a = await post(`${url}/v1/traces`, encode(spans), headers);
      expect(a.status).toBe(200);
      expect(sink.spans.map((s) => s.spanId)).toEqual(spans.filter((_, i) => i !== 10 && i !== 50 && i !== 99).map((s) => s.spanId));
      if (name === 'JSON') {
        expect(JSON.parse(a.body.toString()).partialSuccess).toEqual({ rejectedSpans: '3', errorMessage: expect.stringContaining('3 invalid') });
      } else {
        const r = protobuf.Reader.create(a.body);
        expect(r.uint32()).toBe((1 << 3) | 2);
        r.uint32();
        expect(r.uint32()).toBe((1 << 3) | 0);
        expect(Number(r.int64())).toBe(3);
        expect(r.uint32()).toBe((2 << 3) | 2);
        expect(r.string()).toContain('trace_id');
      }
    });
  }

  it('takes a body of exactly the limit and refuses one byte more with 413, raw and after inflation', async () => {
    const limit = 4096;
    const { sink, url } = await start({ maxBodyBytes: limit });
    const base = encodeJson([span()]);
    const exact = Buffer.concat([base, Buffer.alloc(limit - base.length, ' ')]);
    const over = Buffer.concat([exact, Buffer.from(' ')]);
    expect((await post(`${url}/v1/traces`, exact, json)).status).toBe(200);
    const tooBig = await post(`${url}/v1/traces`, over, json);
    expect(tooBig.status).toBe(413);
    expect(JSON.parse(tooBig.body.toString()).message).toContain('4096');
    // Without Content-Length (chunked, as the OTLP exporters send): counted as it arrives.
    expect((await post(`${url}/v1/traces`, Readable.from([exact.subarray(0, 100), exact.subarray(100)]), json)).status).toBe(200);
    expect((await post(`${url}/v1/traces`, Readable.from([over.subarray(0, 100), over.subarray(100)]), json)).status).toBe(413);
    // Small on the wire, over the limit inflated.
    expect((await post(`${url}/v1/traces`, gzipSync(exact), { ...json, 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await post(`${url}/v1/traces`, gzipSync(over), { ...json, 'content-encoding': 'gzip' })).status).toBe(413);
    expect(sink.spans).toHaveLength(3);
  });

  it('stops inflating a gzip bomb at the limit: 413, memory growth under 10 MiB', async () => {
    const { sink, url } = await start({ maxBodyBytes: 1 << 20 });
    // 32 gzip members of 16 MiB of zeros each (a valid gzip stream): 512 MiB inflated, about 0.5 MiB sent.
    const member = gzipSync(Buffer.alloc(16 << 20), { level: 9 });
    const bomb = Buffer.concat(Array.from({ length: 32 }, () => member));
    const before = process.memoryUsage();
    const a = await post(`${url}/v1/traces`, bomb, { ...json, 'content-encoding': 'gzip' });
    const after = process.memoryUsage();
    expect(a.status).toBe(413);
    expect(after.arrayBuffers + after.heapUsed - before.arrayBuffers - before.heapUsed).toBeLessThan(10 << 20);
    expect(sink.spans).toHaveLength(0);
    expect((await post(`${url}/v1/traces`, encodeJson([span()]), json)).status).toBe(200);
  });

  it('lets a client still streaming an oversized body read its 413, and closes the connection', async () => {
    const { url } = await start({ maxBodyBytes: 1 << 20 });
    let sent = 0;
    const chunk = Buffer.alloc(64 << 10, ' ');
    const upload = new Readable({
      read() {
        if (sent >= 3 << 20) return this.push(null);
        sent += chunk.length;
        this.push(chunk);
      },
    });
    const a = await post(`${url}/v1/traces`, upload, json);
    expect(a.status).toBe(413);
    expect(a.headers.connection).toBe('close');
    expect(JSON.parse(a.body.toString()).code).toBe(3);
  });

  it('answers 400 for a corrupt gzip body and an unknown Content-Encoding', async () => {
    const { url } = await start();
    expect((await post(`${url}/v1/traces`, Buffer.from('not gzip at all'), { ...json, 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await post(`${url}/v1/traces`, gzipSync(encodeJson([span()])).subarray(0, 30), { ...json, 'content-encoding': 'gzip' })).status).toBe(400);
    expect((await post(`${url}/v1/traces`, encodeJson([span()]), { ...json, 'content-encoding': 'br' })).status).toBe(400);
  });
});

describe('timeouts', () => {
  for (const [what, sent] of [['headers', 'POST /v1/traces HTTP/1.1\r\nHost: x\r\n'], ['body', 'POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{']] as const) {
    it(`answers 408 and closes a connection whose ${what} never finish`, async () => {
      const { sink, url } = await start({ headersTimeoutMs: 200, requestTimeoutMs: 300 });
      const socket = connect(Number(new URL(url).port), '127.0.0.1');
      socket.write(sent);
      let answer = '';
      socket.on('data', (c: Buffer) => (answer += c.toString()));
      await new Promise((resolve) => socket.on('close', resolve));
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(sink.spans).toHaveLength(0);
    });
  }
});

describe('authentication', () => {
  it('refuses an unauthenticated 100 MB upload with 401 before reading its body', async () => {
    const { sink, url } = await start({ authToken: 's3cret', maxBodyBytes: 200 << 20 });
    let sent = 0;
    const chunk = Buffer.alloc(1 << 20, 'a');
    const upload = new Readable({
      read() {
        if (sent >= 100 << 20) return this.push(null);
        sent += chunk.length;
        this.push(chunk);
      },
    });
    const a = await post(`${url}/v1/traces`, upload, { ...json, 'content-length': String(100 << 20), authorization: 'Bearer wrong' });
    expect(a.status).toBe(401);
    expect(a.headers['www-authenticate']).toBe('Bearer');
    expect(a.headers.connection).toBe('close');
    expect(sent).toBeLessThan(100 << 20);
    expect(sink.spans).toHaveLength(0);
    const ok = await post(`${url}/v1/traces`, encodeJson([span()]), { ...json, authorization: 'Bearer s3cret' });
    expect(ok.status).toBe(200);
    expect(sink.spans).toHaveLength(1);
  });

  it('with Expect: 100-continue, tells an unauthenticated client not to send, and an authenticated one to send', async () => {
    const { sink, url } = await start({ authToken: 's3cret' });
    const body = encodeProtobuf([span()]);
    const refused = await post(`${url}/v1/traces`, body, { ...proto, expect: '100-continue', 'content-length': String(body.length) });
    expect(refused).toMatchObject({ status: 401, continued: false });
    const ok = await post(`${url}/v1/traces`, body, { ...proto, expect: '100-continue', 'content-length': String(body.length), authorization: 'Bearer s3cret' });
    expect(ok).toMatchObject({ status: 200, continued: true });
    expect(sink.spans).toHaveLength(1);
  });

  it('guards /v1/metrics and unknown paths too', async () => {
    const { url } = await start({ authToken: 's3cret' });
    expect((await post(`${url}/v1/metrics`, Buffer.from('{}'), json)).status).toBe(401);
    expect((await post(`${url}/other`, Buffer.from('{}'), json)).status).toBe(401);
  });
});

describe('load', () => {
  it('answers 503 with the sink\'s Retry-After on Backpressure, and 503 for a failing store, never 500', async () => {
    const sink = new MemorySink();
    const { url } = await start({ sink });
    sink.fail = new Backpressure('open spans at their bound', 7);
    const a = await post(`${url}/v1/traces`, encodeProtobuf([span()]), proto);
    expect(a.status).toBe(503);
    expect(a.headers['retry-after']).toBe('7');
    expect(decodeStatus(a.body)[0]).toBe(14);
    sink.fail = new Backpressure('soon', 0.2);
    expect((await post(`${url}/v1/traces`, encodeJson([span()]), json)).headers['retry-after']).toBe('1');
    sink.fail = new Error('disk I/O error at /var/lib/secret');
    const b = await post(`${url}/v1/traces`, encodeJson([span()]), json);
    expect(b.status).toBe(503);
    expect(Number(b.headers['retry-after'])).toBeGreaterThan(0);
    expect(b.body.toString()).not.toContain('secret');
    sink.fail = undefined;
    expect((await post(`${url}/v1/traces`, encodeJson([span()]), json)).status).toBe(200);
  });

  it('answers 429 with Retry-After while the in-flight byte budget is held by a body still arriving', async () => {
    const { sink, url } = await start({ maxBodyBytes: 64 << 10, maxInFlightBytes: 8 << 10 });
    const full = encodeJson(Array.from({ length: 40 }, () => span()));
    expect(full.length).toBeGreaterThan(8 << 10);
    // A slow client: the first 8 KiB of its body arrive, the rest waits.
    let finishSlow!: () => void;
    const slowAnswer = new Promise<number>((resolve, reject) => {
      const req = request(`${url}/v1/traces`, { method: 'POST', headers: json }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.write(full.subarray(0, 8 << 10));
      finishSlow = () => req.end(full.subarray(8 << 10));
    });
    // Once the server holds those bytes, other bodies are refused (retry until it has read them).
    let refused;
    for (let i = 0; i < 200 && !refused; i++) {
      const a = await post(`${url}/v1/traces`, encodeJson([span()]), json);
      if (a.status === 429) refused = a;
      else expect(a.status).toBe(200);
    }
    expect(refused?.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused!.body.toString()).code).toBe(8);
    // The slow body itself exceeds the budget by its end: it is refused too, and the budget is released.
    finishSlow();
    expect(await slowAnswer).toBe(429);
    const before = sink.spans.length;
    expect((await post(`${url}/v1/traces`, encodeJson([span()]), json)).status).toBe(200);
    expect(sink.spans).toHaveLength(before + 1);
  });

  for (const gzip of [false, true]) {
    it(`releases the budget of a ${gzip ? 'gzip ' : ''}body whose client went away mid-upload`, async () => {
      const limit = 16 << 10;
      const { url } = await start({ maxBodyBytes: limit, maxInFlightBytes: limit });
      const exact = Buffer.concat([encodeJson([span()]), Buffer.alloc(limit - encodeJson([span()]).length, ' ')]);
      // Half of each body: for gzip, of incompressible text, so about 8 KiB are inflated and held when the client goes.
      const text = gzipSync(Buffer.from(randomBytes(limit / 2 - 8).toString('hex')));
      const partial = gzip ? text.subarray(0, text.length / 2) : exact.subarray(0, 8 << 10);
      await new Promise<void>((resolve) => {
        const req = request(`${url}/v1/traces`, { method: 'POST', headers: { ...json, ...(gzip ? { 'content-encoding': 'gzip' } : {}) } });
        req.on('error', () => resolve());
        req.write(partial, () => setImmediate(() => req.destroy()));
        req.on('close', () => resolve());
      });
      // Until the server has seen the abort a full-budget body may get 429; after, it must get 200.
      let status = 0;
      for (let i = 0; i < 500 && status !== 200; i++) {
        status = (await post(`${url}/v1/traces`, exact, json)).status;
        expect([200, 429]).toContain(status);
      }
      expect(status).toBe(200);
    });
  }

  it('releases the body budget while the store commits, so a slow store is not a 429', async () => {
    const body = encodeJson([span()]);
    let arrived = 0;
    let allArrived!: () => void;
    const five = new Promise<void>((resolve) => (allArrived = resolve));
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const sink = new MemorySink();
    sink.accept = async (spans) => {
      if (++arrived === 5) allArrived();
      await gate;
      sink.spans.push(...spans);
    };
    // Room for one body at a time: five waiting in the store fit only if their bytes were released.
    const { url } = await start({ sink, maxBodyBytes: 4096, maxInFlightBytes: Math.ceil(body.length * 1.5) });
    const pending = Array.from({ length: 5 }, () => post(`${url}/v1/traces`, body, json));
    await Promise.race([five, Promise.any(pending)]); // an answer before all five reached the store is a refusal
    open();
    expect((await Promise.all(pending)).map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(sink.spans).toHaveLength(5);
  });
});
