// OTLP/HTTP receiver: POST /v1/traces and /v1/metrics, protobuf or JSON, gzip, with the status codes of
// the OTLP specification. A 2xx for traces is sent only once the sink has made the spans durable.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { diag } from '@opentelemetry/api';
import { Backpressure } from '../model/span-record.ts';
import { BadEncoding, BodyTooLarge, readBody, RequestAborted } from './body.ts';
import { decodeMetricsJson, decodeMetricsProtobuf } from './metrics.ts';
import { CONTENT_TYPE, type Encoding, exportResponse, statusBody } from './responses.ts';
import { decodeTracesJson } from './traces-json.ts';
import { decodeTracesProtobuf } from './traces-protobuf.ts';
import { bearerCheck, listen } from '../http/listen.ts';
import type { OtlpReceiver, OtlpReceiverOptions } from './types.ts';

export const TRACES_PATH = '/v1/traces';
export const METRICS_PATH = '/v1/metrics';

/** Seconds a client should wait when the receiver has too many bodies in flight. */
const IN_FLIGHT_RETRY_AFTER_S = 1;
/** Seconds a client should wait after an unexpected failure of the store. */
const STORE_RETRY_AFTER_S = 5;
// google.rpc.Code values for Status bodies.
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;
const UNAUTHENTICATED = 16;

class InFlightExhausted extends Error {
  override name = 'InFlightExhausted';
}

export async function startOtlpReceiver(o: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const maxInFlight = o.maxInFlightBytes ?? 4 * o.maxBodyBytes;
  const authorized = bearerCheck(o.authToken);
  let inFlight = 0;
  const headersTimeout = o.headersTimeoutMs ?? 10_000;
  const requestTimeout = o.requestTimeoutMs ?? 60_000;
  // Node checks the timeouts every 30 s by default: check often enough for them to mean what they say.
  const connectionsCheckingInterval = Math.min(1000, headersTimeout, requestTimeout);
  const server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval }, serve);
  // With `Expect: 100-continue` (curl, for large bodies) the headers are judged before the client is told to send.
  server.on('checkContinue', serve);

  function serve(req: IncomingMessage, res: ServerResponse): void {
    handle(req, res).catch((err: unknown) => {
      if (req.destroyed && !req.complete) return; // the client went away mid-body: nobody to answer
      diag.error('tokenledger receiver: unexpected failure', err);
      if (!res.headersSent) reply(res, 503, 'json', statusBody('json', 'internal error, retry later', UNAVAILABLE), { 'retry-after': String(STORE_RETRY_AFTER_S) });
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const kind = path === TRACES_PATH ? 'traces' : path === METRICS_PATH ? 'metrics' : undefined;
    const enc = encodingOf(req.headers['content-type']);
    const answerEnc = enc ?? 'json';
    if (!authorized(req.headers.authorization)) {
      return refuse(res, 401, answerEnc, 'missing or wrong bearer token', UNAUTHENTICATED, { 'www-authenticate': 'Bearer' });
    }
    if (!kind) return refuse(res, 404, answerEnc, `unknown path ${path}; OTLP/HTTP takes ${TRACES_PATH} and ${METRICS_PATH}`);
    if (req.method !== 'POST') return refuse(res, 405, answerEnc, `${req.method} is not allowed; use POST`, INVALID_ARGUMENT, { allow: 'POST' });
    if (!enc) return refuse(res, 415, 'json', `unsupported Content-Type ${req.headers['content-type'] ?? '(none)'}; use application/x-protobuf or application/json`);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > o.maxBodyBytes) return refuse(res, 413, enc, `body of ${declared} bytes exceeds the limit of ${o.maxBodyBytes}`);
    if (inFlight >= maxInFlight) return refuse(res, 429, enc, 'too many request bytes in flight', RESOURCE_EXHAUSTED, { 'retry-after': String(IN_FLIGHT_RETRY_AFTER_S) });
    if (/100-continue/i.test(req.headers.expect ?? '')) res.writeContinue();

    let held = 0;
    const hold = (n: number): void => {
      if (inFlight + n > maxInFlight) throw new InFlightExhausted('too many request bytes in flight');
      inFlight += n;
      held += n;
    };
    try {
      let body: Buffer;
      try {
        body = await readBody(req, o.maxBodyBytes, hold);
      } catch (err) {
        // Refused mid-body: the client may still be sending, so the rest is discarded before closing.
        if (err instanceof BodyTooLarge) return refuse(res, 413, enc, err.message, INVALID_ARGUMENT, {}, o.maxBodyBytes);
        if (err instanceof InFlightExhausted) {
          return refuse(res, 429, enc, err.message, RESOURCE_EXHAUSTED, { 'retry-after': String(IN_FLIGHT_RETRY_AFTER_S) }, o.maxBodyBytes);
        }
        if (err instanceof BadEncoding) return refuse(res, 400, enc, err.message, INVALID_ARGUMENT, {}, o.maxBodyBytes);
        if (err instanceof RequestAborted) return;
        throw err;
      }
      if (kind === 'metrics') return metrics(res, enc, body);
      let decoded;
      try {
        decoded = enc === 'protobuf' ? decodeTracesProtobuf(body) : decodeTracesJson(body);
      } catch (err) {
        return reply(res, 400, enc, statusBody(enc, `cannot decode ExportTraceServiceRequest: ${(err as Error).message}`, INVALID_ARGUMENT));
      }
      // The raw body is no longer needed while the sink works: release its share of the budget.
      inFlight -= held;
      held = 0;
      if (decoded.spans.length > 0) {
        try {
          await o.sink.accept(decoded.spans);
        } catch (err) {
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
      inFlight -= held;
    }
  }

  function metrics(res: ServerResponse, enc: Encoding, body: Buffer): void {
    let request;
    try {
      request = enc === 'protobuf' ? decodeMetricsProtobuf(body) : decodeMetricsJson(body);
    } catch (err) {
      return reply(res, 400, enc, statusBody(enc, `cannot decode ExportMetricsServiceRequest: ${(err as Error).message}`, INVALID_ARGUMENT));
    }
    try {
      o.metricsSink?.(request);
    } catch (err) {
      diag.error('tokenledger receiver: the metrics sink failed', err);
    }
    reply(res, 200, enc, exportResponse(enc, 0, undefined, 'dataPoints'));
  }

  return listen(server, o.host, o.port);
}

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const t = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return t === 'application/x-protobuf' ? 'protobuf' : t === 'application/json' ? 'json' : undefined;
}

function reply(res: ServerResponse, status: number, enc: Encoding, body: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': CONTENT_TYPE[enc], 'content-length': String(body.length), ...headers });
  res.end(body);
}

/**
 * Answers and closes the connection. Without `drainBytes` the body is never read (an unread upload is not
 * drained). With it, the refused rest of a body being read is discarded, up to that many more bytes, so a
 * client still sending sees the answer instead of a reset (a lingering close).
 */
function refuse(res: ServerResponse, status: number, enc: Encoding, message: string, code = INVALID_ARGUMENT, headers: Record<string, string> = {}, drainBytes = 0): void {
  // Node detaches the socket from the response once it is finished: keep it to close it then.
  const socket = res.socket;
  const req = res.req;
  reply(res, status, enc, statusBody(enc, message, code), { connection: 'close', ...headers });
  res.once('finish', () => {
    if (!socket || drainBytes === 0 || req.complete) return socket?.destroy();
    const stopAt = socket.bytesRead + drainBytes;
    req.on('data', () => {
      if (socket.bytesRead > stopAt) socket.destroy();
    });
    req.once('end', () => socket.destroy());
    req.resume();
  });
}
