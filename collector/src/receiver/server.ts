// OTLP/HTTP receiver: POST /v1/traces and /v1/metrics, protobuf or JSON, gzip, with the status codes of
// the OTLP specification. A 2xx for traces is sent only once the sink has made the spans durable.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import { Backpressure } from '../model/span-record.ts';
import { BadEncoding, BodyTooLarge, readBody, RequestAborted } from './body.ts';
import { TooComplex } from './decode-limits.ts';
import { decodeMetricsJson, decodeMetricsProtobuf } from './metrics.ts';
import { CONTENT_TYPE, type Encoding, exportResponse, statusBody } from './responses.ts';
import { decodeTracesJson } from './traces-json.ts';
import { decodeTracesProtobuf } from './traces-protobuf.ts';
import { bearerCheck, HttpListener } from '../http/listen.ts';
import type { RefusalReason } from '@tokenledger/semconv';
import type { OtlpReceiver, OtlpReceiverOptions } from './types.ts';
import { defaultPeerInFlight, InFlightBudget, InFlightExhausted, UploadTooSlow, UploadWatch } from './uploads.ts';

export const TRACES_PATH = '/v1/traces';
export const METRICS_PATH = '/v1/metrics';

/** Seconds a client should wait when the receiver has too many bodies in flight. */
const IN_FLIGHT_RETRY_AFTER_S = 1;
/** Seconds a client should wait after an unexpected failure of the store, or when this collector is stopping. */
const STORE_RETRY_AFTER_S = 5;
/** The window over which an upload must keep the minimum rate. */
const UPLOAD_RATE_WINDOW_MS = 5_000;
/** How long a refused body is discarded, so a client still sending reads the answer, before the connection is cut (as nginx's lingering close). */
const DRAIN_MS = 30_000;
const DRAIN_IDLE_MS = 5_000;
// google.rpc.Code values for Status bodies.
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;

export async function startOtlpReceiver(o: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const maxInFlight = o.maxInFlightBytes ?? 4 * o.maxBodyBytes;
  const budget = new InFlightBudget(maxInFlight, o.maxPeerInFlightBytes ?? defaultPeerInFlight(o.maxBodyBytes, maxInFlight));
  const watch = new UploadWatch(o.minUploadBytesPerSecond ?? 64 << 10, o.uploadRateWindowMs ?? UPLOAD_RATE_WINDOW_MS);
  const authorized = bearerCheck(o.authToken);
  const refused = (reason: RefusalReason) => o.refused?.(reason);
  const listener = new HttpListener(serve, { headersTimeoutMs: o.headersTimeoutMs, requestTimeoutMs: o.requestTimeoutMs });
  /** Requests that were told `100 Continue`: their clients send a body. */
  const continued = new WeakSet<IncomingMessage>();

  function serve(req: IncomingMessage, res: ServerResponse): void {
    handle(req, res).catch((err: unknown) => {
      if (req.destroyed && !req.complete) return; // the client went away mid-body: nobody to answer
      diag.error('tokenledger receiver: unexpected failure', err);
      if (!res.headersSent) reply(res, 503, 'json', statusBody('json', 'internal error, retry later', UNAVAILABLE), { 'retry-after': String(STORE_RETRY_AFTER_S) });
    });
  }

  /**
   * Answers and closes the connection. The body is never read for a 401 (an unauthenticated upload is not
   * drained). Otherwise the rest of the body is read and discarded first (its declared length, else one more body
   * limit; at most DRAIN_MS, and while bytes keep coming), so that closing leaves nothing unread: a client that
   * writes its whole request before reading gets the answer, not a broken pipe.
   */
  function refuse(res: ServerResponse, reason: RefusalReason, status: number, enc: Encoding, message: string, code = INVALID_ARGUMENT, headers: Record<string, string> = {}): void {
    refused(reason);
    const req = res.req;
    // A client waiting for `100 Continue` it was never sent has nothing to send.
    const waiting = /100-continue/i.test(req.headers.expect ?? '') && !continued.has(req);
    const answer = (complete: boolean) => {
      if (res.headersSent || res.destroyed) return;
      // Node detaches the socket from the response once it is finished: keep it to close it then.
      const socket = res.socket;
      reply(res, status, enc, statusBody(enc, message, code), { connection: 'close', ...headers });
      if (!complete) res.once('finish', () => socket?.destroy());
    };
    if (reason === 'unauthenticated' || waiting || req.complete) return answer(req.complete);
    void discard(req, o.maxBodyBytes).then(answer);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const kind = path === TRACES_PATH ? 'traces' : path === METRICS_PATH ? 'metrics' : undefined;
    const enc = encodingOf(req.headers['content-type']);
    const answerEnc = enc ?? 'json';
    if (!authorized(req.headers.authorization)) {
      return refuse(res, 'unauthenticated', 401, answerEnc, 'missing or wrong bearer token', UNAUTHENTICATED, { 'www-authenticate': 'Bearer' });
    }
    // Shutting down: every request, on a new or a kept-alive connection, is told to go elsewhere.
    if (listener.closing) {
      return refuse(res, 'shutting_down', 503, answerEnc, 'this collector is shutting down; retry', UNAVAILABLE, { 'retry-after': String(STORE_RETRY_AFTER_S) });
    }
    if (!kind) return refuse(res, 'bad_request', 404, answerEnc, `unknown path ${path}; OTLP/HTTP takes ${TRACES_PATH} and ${METRICS_PATH}`);
    if (req.method !== 'POST') return refuse(res, 'bad_request', 405, answerEnc, `${req.method} is not allowed; use POST`, INVALID_ARGUMENT, { allow: 'POST' });
    if (!enc) return refuse(res, 'bad_request', 415, 'json', `unsupported Content-Type ${req.headers['content-type'] ?? '(none)'}; use application/x-protobuf or application/json`);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > o.maxBodyBytes) return refuse(res, 'too_large', 413, enc, `body of ${declared} bytes exceeds the limit of ${o.maxBodyBytes}`);
    const peer = peerOf(req);
    const full = budget.full(peer);
    if (full) return refuseInFlight(res, enc, full);
    if (/100-continue/i.test(req.headers.expect ?? '')) {
      continued.add(req);
      res.writeContinue();
    }

    let held = 0;
    const upload = watch.watch();
    try {
      let body: Buffer;
      try {
        body = await readBody(req, {
          limit: o.maxBodyBytes,
          hold: (n) => {
            budget.hold(peer, n);
            held += n;
          },
          release: (n) => {
            budget.release(peer, n);
            held -= n;
          },
          progress: upload.progress,
          signal: upload.signal,
        });
      } catch (err) {
        // Refused mid-body: the client may still be sending, so the rest is discarded before closing.
        if (err instanceof BodyTooLarge) return refuse(res, 'too_large', 413, enc, err.message);
        if (err instanceof InFlightExhausted) return refuseInFlight(res, enc, err);
        if (err instanceof BadEncoding) return refuse(res, 'bad_request', 400, enc, err.message);
        if (err instanceof UploadTooSlow) {
          refused('slow_upload');
          reply(res, 408, enc, statusBody(enc, err.message, UNAVAILABLE), { connection: 'close' });
          res.once('finish', () => res.socket?.destroy());
          return;
        }
        if (err instanceof RequestAborted) return;
        throw err;
      } finally {
        upload.done();
      }
      if (kind === 'metrics') return metrics(res, enc, body);
      let decoded;
      try {
        decoded = enc === 'protobuf' ? decodeTracesProtobuf(body) : decodeTracesJson(body);
      } catch (err) {
        refused('bad_request');
        return reply(res, 400, enc, statusBody(enc, `cannot decode ExportTraceServiceRequest: ${(err as Error).message}`, INVALID_ARGUMENT));
      }
      // The raw body is no longer needed while the sink works: release its share of the budget.
      budget.release(peer, held);
      held = 0;
      if (decoded.spans.length > 0) {
        try {
          await o.sink.accept(decoded.spans);
        } catch (err) {
          refused('unavailable');
          if (err instanceof Backpressure) {
            // Retry-After takes whole seconds.
            const retryAfter = String(Math.max(1, Math.ceil(err.retryAfterSeconds)));
            return reply(res, 503, enc, statusBody(enc, err.message, UNAVAILABLE), { 'retry-after': retryAfter });
          }
          // Logged here; the client only learns to retry (the store's error may name internals).
          diag.error('tokenledger receiver: the store failed to take spans', err);
          return reply(res, 503, enc, statusBody(enc, 'the store is unavailable; retry later', UNAVAILABLE), { 'retry-after': String(STORE_RETRY_AFTER_S) });
        }
      }
      const message = decoded.rejected ? `${decoded.rejected} invalid span(s) rejected: ${decoded.firstError}` : undefined;
      reply(res, 200, enc, exportResponse(enc, decoded.rejected, message, 'spans'));
    } finally {
      budget.release(peer, held);
    }
  }

  function refuseInFlight(res: ServerResponse, enc: Encoding, err: InFlightExhausted): void {
    refuse(res, err.scope === 'total' ? 'in_flight' : 'peer_in_flight', 429, enc, err.message, RESOURCE_EXHAUSTED, { 'retry-after': String(IN_FLIGHT_RETRY_AFTER_S) });
  }

  function metrics(res: ServerResponse, enc: Encoding, body: Buffer): void {
    let request;
    try {
      request = enc === 'protobuf' ? decodeMetricsProtobuf(body) : decodeMetricsJson(body);
    } catch (err) {
      if (err instanceof TooComplex) {
        refused('too_large');
        return reply(res, 413, enc, statusBody(enc, `ExportMetricsServiceRequest too large to decode: ${err.message}`, INVALID_ARGUMENT));
      }
      refused('bad_request');
      return reply(res, 400, enc, statusBody(enc, `cannot decode ExportMetricsServiceRequest: ${(err as Error).message}`, INVALID_ARGUMENT));
    }
    try {
      o.metricsSink?.(request);
    } catch (err) {
      diag.error('tokenledger receiver: the metrics sink failed', err);
    }
    reply(res, 200, enc, exportResponse(enc, 0, undefined, 'dataPoints'));
  }

  const running = await listener.listen(o.host, o.port);
  return {
    address: running.address,
    close: async (graceMs) => {
      await running.close(graceMs);
      watch.stop();
    },
    get heldBytes() {
      return budget.held;
    },
  };
}

/**
 * Reads the rest of a refused body without keeping it: resolves true once it ended, false when it went past its
 * declared length (else `bound` more bytes), stalled for DRAIN_IDLE_MS or took DRAIN_MS.
 */
function discard(req: IncomingMessage, bound: number): Promise<boolean> {
  return new Promise((resolve) => {
    const declared = Number(req.headers['content-length']);
    let left = Number.isSafeInteger(declared) && declared > 0 ? declared : bound;
    const done = (complete: boolean) => {
      clearTimeout(total);
      clearTimeout(idle);
      req.off('data', data);
      resolve(complete);
    };
    const total = setTimeout(() => done(false), DRAIN_MS);
    const idle = setTimeout(() => done(false), DRAIN_IDLE_MS);
    const data = (chunk: Buffer) => {
      idle.refresh();
      left -= chunk.length;
      if (left < 0) done(false);
    };
    req.on('data', data);
    req.once('end', () => done(true));
    req.once('close', () => done(req.complete));
    req.resume();
  });
}

/** The client's address (an IPv4 address as itself, not IPv4-mapped IPv6). */
function peerOf(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const t = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return t === 'application/x-protobuf' ? 'protobuf' : t === 'application/json' ? 'json' : undefined;
}

function reply(res: ServerResponse, status: number, enc: Encoding, body: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': CONTENT_TYPE[enc], 'content-length': String(body.length), ...headers });
  res.end(body);
}
