// OTLP/HTTP receiver: POST /v1/traces and /v1/metrics, protobuf or JSON, gzip, with the status codes of
// the OTLP specification. A 2xx for traces is sent only once the sink has made the spans durable.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { diag } from '@opentelemetry/api';
import { Backpressure, type SpanSink } from '../model/span-record.ts';
import { BadEncoding, BodyTooLarge, readBody } from './body.ts';
import { decodeMetricsJson, decodeMetricsProtobuf } from './metrics.ts';
import { CONTENT_TYPE, type Encoding, exportResponse, statusBody } from './responses.ts';
import { decodeTracesJson } from './traces-json.ts';
import { decodeTracesProtobuf } from './traces-protobuf.ts';

export const TRACES_PATH = '/v1/traces';
export const METRICS_PATH = '/v1/metrics';

export interface OtlpReceiverOptions {
  host: string;
  port: number;
  sink: SpanSink;
  /** When set, every request needs `Authorization: Bearer <token>`; checked before the body is read. */
  authToken?: string;
  /** Largest body accepted, raw and after decompression (413 past it). */
  maxBodyBytes: number;
  /** Bodies being read or decoded at once, in bytes of their declared or limit size; past it 429. Default 4 × maxBodyBytes. */
  maxInFlightBytes?: number;
  /** Receives each /v1/metrics request as an OTLP/JSON-shaped object. Without it metrics are acknowledged and dropped. */
  metricsSink?: (request: Record<string, unknown>) => void;
}

export interface OtlpReceiver {
  address: AddressInfo;
  close(): Promise<void>;
}

/** Seconds a client should wait when the receiver has too many bodies in flight. */
const IN_FLIGHT_RETRY_AFTER_S = 1;
/** Seconds a client should wait after an unexpected failure of the store. */
const STORE_RETRY_AFTER_S = 5;

export async function startOtlpReceiver(o: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const maxInFlight = o.maxInFlightBytes ?? 4 * o.maxBodyBytes;
  let inFlight = 0;
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 60_000 }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      diag.error('tokenledger receiver: unexpected failure', err);
      if (!res.headersSent) reply(res, 503, 'json', statusBody('json', 'internal error, retry later', 14), { 'retry-after': String(STORE_RETRY_AFTER_S) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const kind = path === TRACES_PATH ? 'traces' : path === METRICS_PATH ? 'metrics' : undefined;
    const enc = encodingOf(req.headers['content-type']);
    const answerEnc = enc ?? 'json';
    if (o.authToken !== undefined && req.headers.authorization !== `Bearer ${o.authToken}`) {
      // Refused before the body is read: close the connection instead of draining it.
      return refuse(res, 401, answerEnc, 'missing or wrong bearer token', { 'www-authenticate': 'Bearer' });
    }
    if (!kind) return refuse(res, 404, answerEnc, `unknown path ${path}; OTLP/HTTP takes ${TRACES_PATH} and ${METRICS_PATH}`);
    if (req.method !== 'POST') return refuse(res, 405, answerEnc, `${req.method} is not allowed; use POST`, { allow: 'POST' });
    if (!enc) return refuse(res, 415, 'json', `unsupported Content-Type ${req.headers['content-type'] ?? '(none)'}; use application/x-protobuf or application/json`);
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > o.maxBodyBytes) return refuse(res, 413, enc, `body of ${declared} bytes exceeds the limit of ${o.maxBodyBytes}`);
    const reserve = Number.isFinite(declared) && req.headers['content-encoding'] === undefined ? declared : o.maxBodyBytes;
    if (inFlight > 0 && inFlight + reserve > maxInFlight) {
      return refuse(res, 429, enc, 'too many requests in flight', { 'retry-after': String(IN_FLIGHT_RETRY_AFTER_S) });
    }
    inFlight += reserve;
    try {
      let body: Buffer;
      try {
        body = await readBody(req, o.maxBodyBytes);
      } catch (err) {
        if (err instanceof BodyTooLarge) return refuse(res, 413, enc, err.message);
        if (err instanceof BadEncoding) return reply(res, 400, enc, statusBody(enc, err.message));
        throw err;
      }
      if (kind === 'metrics') return metrics(res, enc, body);
      let decoded;
      try {
        decoded = enc === 'protobuf' ? decodeTracesProtobuf(body) : decodeTracesJson(body);
      } catch (err) {
        return reply(res, 400, enc, statusBody(enc, `cannot decode ExportTraceServiceRequest: ${(err as Error).message}`));
      }
      if (decoded.spans.length > 0) {
        try {
          await o.sink.accept(decoded.spans);
        } catch (err) {
          const retryAfter = err instanceof Backpressure ? err.retryAfterSeconds : STORE_RETRY_AFTER_S;
          if (!(err instanceof Backpressure)) diag.error('tokenledger receiver: the store refused spans', err);
          return reply(res, 503, enc, statusBody(enc, (err as Error).message, 14), { 'retry-after': String(retryAfter) });
        }
      }
      const message = decoded.rejected ? `${decoded.rejected} invalid span(s) rejected: ${decoded.firstError}` : undefined;
      reply(res, 200, enc, exportResponse(enc, decoded.rejected, message, 'spans'));
    } finally {
      inFlight -= reserve;
    }
  }

  function metrics(res: ServerResponse, enc: Encoding, body: Buffer): void {
    let request;
    try {
      request = enc === 'protobuf' ? decodeMetricsProtobuf(body) : decodeMetricsJson(body);
    } catch (err) {
      return reply(res, 400, enc, statusBody(enc, `cannot decode ExportMetricsServiceRequest: ${(err as Error).message}`));
    }
    try {
      o.metricsSink?.(request);
    } catch (err) {
      diag.error('tokenledger receiver: the metrics sink failed', err);
    }
    reply(res, 200, enc, exportResponse(enc, 0, undefined, 'dataPoints'));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

function encodingOf(contentType: string | undefined): Encoding | undefined {
  const t = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return t === 'application/x-protobuf' ? 'protobuf' : t === 'application/json' ? 'json' : undefined;
}

function reply(res: ServerResponse, status: number, enc: Encoding, body: Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': CONTENT_TYPE[enc], 'content-length': String(body.length), ...headers });
  res.end(body);
}

/** Answers without reading the body, and closes the connection so an unread upload is not drained. */
function refuse(res: ServerResponse, status: number, enc: Encoding, message: string, headers: Record<string, string> = {}): void {
  reply(res, status, enc, statusBody(enc, message, status === 401 ? 16 : status === 429 ? 8 : 3), { connection: 'close', ...headers });
  res.once('finish', () => res.req.socket.destroy());
}
