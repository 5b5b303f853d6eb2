/** Settings of the OTLP/HTTP receiver (the collector fills them from TOKENLEDGER_* variables). */
import type { AddressInfo } from 'node:net';
import type { RefusalReason } from '@tokenledger/semconv';
import type { SpanSink } from '../model/span-record.ts';

export interface OtlpReceiverOptions {
  /** Interface to listen on. Env TOKENLEDGER_OTLP_ADDR (host part), default 127.0.0.1. */
  host: string;
  /** Port to listen on; 0 picks a free one. Env TOKENLEDGER_OTLP_ADDR (port part), default 4318. */
  port: number;
  /** Where decoded spans go; the 200 is sent only once `accept` resolves (the spans are durable). */
  sink: SpanSink;
  /**
   * When set, every request needs `Authorization: Bearer <token>`, checked before the body is read (401
   * otherwise, and the connection is closed). Env TOKENLEDGER_AUTH_TOKEN, default unset (no auth).
   */
  authToken?: string;
  /** Largest body accepted, raw and after gzip inflation; 413 past it. Env TOKENLEDGER_MAX_BODY_BYTES, default 20 MiB. */
  maxBodyBytes: number;
  /** Body bytes held by all requests being read or decoded at once; past it new bodies get 429. Env TOKENLEDGER_MAX_IN_FLIGHT_BYTES, default 4 × maxBodyBytes. */
  maxInFlightBytes?: number;
  /** The share of maxInFlightBytes the requests of one peer (client address) may hold. Env TOKENLEDGER_MAX_PEER_IN_FLIGHT_BYTES, default half. */
  maxPeerInFlightBytes?: number;
  /** A body must arrive at least this fast (bytes/s, over 5 s windows), else 408 and the connection is closed; 0: no minimum. Env TOKENLEDGER_MIN_UPLOAD_RATE, default 65536. */
  minUploadBytesPerSecond?: number;
  /** The window of the minimum upload rate (tests). Default 5000. */
  uploadRateWindowMs?: number;
  /** Told of every request refused, by reason (the collector counts them). */
  refused?: (reason: RefusalReason) => void;
  /** Time allowed to receive the request headers (Node's `headersTimeout`). Default 10000. */
  headersTimeoutMs?: number;
  /** Time allowed to receive a whole request, body included (Node's `requestTimeout`). Default 60000. */
  requestTimeoutMs?: number;
  /** Receives each /v1/metrics request as an OTLP/JSON-shaped object. Without it metrics are acknowledged and dropped. */
  metricsSink?: (request: Record<string, unknown>) => void;
}

export interface OtlpReceiver {
  /** Where it listens (the real port when `port` was 0). */
  address: AddressInfo;
  /**
   * Stops intake at once: no new connections, idle keep-alive ones closed, every new request 503 with
   * `Connection: close`; resolves once requests in progress are answered, or after `graceMs` (default 5 s) cuts them.
   */
  close(graceMs?: number): Promise<void>;
  /** Body bytes held in memory now (tests: nothing leaks). */
  readonly heldBytes: number;
}

