// Legacy Jaeger interop: the real jaeger-client is the legacy peer on both sides of a preloaded server.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ATTR_ROUTE, ATTR_TENANT, BAGGAGE_TENANT } from '@tokenledger/semconv';
import { startReceiver } from './fixtures/preload/otlp-receiver.ts';
import type { Receiver } from './fixtures/preload/otlp-receiver.ts';
import { byName, preloadEnv, start } from './fixtures/preload/run.ts';

// jaeger-client ships no types; only the few members used here are described.
interface JaegerContext {
  traceIdStr: string;
  spanIdStr: string;
  baggage: Record<string, string>;
  isSampled(): boolean;
}
interface JaegerSpan {
  context(): JaegerContext;
  setBaggageItem(key: string, value: string): void;
  finish(): void;
}
interface JaegerTracer {
  startSpan(name: string): JaegerSpan;
  inject(ctx: JaegerContext, format: string, carrier: Record<string, string>): void;
  extract(format: string, carrier: IncomingHttpHeaders): JaegerContext | null;
  close(): void;
}
const require = createRequire(import.meta.url);
const jaeger = require('jaeger-client');
const HTTP_HEADERS: string = jaeger.opentracing.FORMAT_HTTP_HEADERS;

function legacyTracer(): JaegerTracer {
  return new jaeger.Tracer('legacy-service', new jaeger.InMemoryReporter(), new jaeger.ConstSampler(true));
}

/** A legacy service: records what jaeger-client extracts from each request it gets. */
async function legacyPeer(tracer: JaegerTracer) {
  const seen: { ctx: JaegerContext | null; headers: IncomingHttpHeaders }[] = [];
  const server: Server = createServer((req, res) => {
    seen.push({ ctx: tracer.extract(HTTP_HEADERS, req.headers), headers: req.headers });
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/legacy`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Starts the preloaded server, has the legacy client call it once, then SIGTERMs it. */
async function callThroughPreloadedServer(receiver: Receiver, peerUrl: string, extraEnv: Record<string, string>) {
  const tracer = legacyTracer();
  const server = start('--require', 'jaeger-server.cjs', preloadEnv(receiver.url, { PEER_URL: peerUrl, ...extraEnv }));
  const port = await server.waitFor(/port=(\d+)/);
  const clientSpan = tracer.startSpan('legacy-call');
  clientSpan.setBaggageItem(BAGGAGE_TENANT, 'globex');
  const headers: Record<string, string> = {};
  tracer.inject(clientSpan.context(), HTTP_HEADERS, headers);
  const res = await fetch(`http://127.0.0.1:${port}/work`, { headers });
  expect(await res.text()).toBe('peer=200');
  clientSpan.finish();
  server.child.kill('SIGTERM');
  const result = await server.done;
  tracer.close();
  return { result, sent: clientSpan.context(), headers };
}

describe('legacy Jaeger propagation (uber-trace-id, uberctx-)', () => {
  let receiver: Receiver;
  let peer: Awaited<ReturnType<typeof legacyPeer>>;
  let peerTracer: JaegerTracer;
  beforeEach(async () => {
    receiver = await startReceiver();
    peerTracer = legacyTracer();
    peer = await legacyPeer(peerTracer);
  });
  afterEach(async () => {
    peerTracer.close();
    await Promise.all([receiver.close(), peer.close()]);
  });

  it('continues a jaeger-client trace and is continued by jaeger-client, in the same trace', async () => {
    const { result, sent, headers } = await callThroughPreloadedServer(receiver, peer.url, {});
    expect(headers['uber-trace-id']).toBeDefined();
    // SIGTERM with no handler in the app: spans flushed, then the process still ends by the signal.
    expect(result.signal).toBe('SIGTERM');
    expect(result.stderr).toBe('');
    // The metrics pipeline (OTEL_METRICS_EXPORTER's default, otlp) exported the http metrics at shutdown.
    expect(receiver.paths).toContain('/v1/metrics');

    const serverSpan = receiver.spans.find((s) => s.kind === 2);
    const clientSpan = receiver.spans.find((s) => s.kind === 3);
    const work = byName(receiver.spans, 'work');
    expect(serverSpan && clientSpan).toBeTruthy();
    // Inbound: jaeger-client's 64-bit trace id, left-padded, and its span as the remote parent.
    expect(serverSpan!.traceId).toBe(sent.traceIdStr.padStart(32, '0'));
    expect(serverSpan!.parentSpanId).toBe(sent.spanIdStr.padStart(16, '0'));
    expect(work.parentSpanId).toBe(serverSpan!.spanId);
    // uberctx- baggage becomes attribution on every span of the service.
    for (const span of receiver.spans) expect(span.attributes[ATTR_TENANT], span.name).toBe('globex');
    expect(clientSpan!.attributes[ATTR_ROUTE]).toBe('classification');

    // Outbound: what jaeger-client extracts from our request is our client span, in the same trace.
    expect(peer.seen).toHaveLength(1);
    const extracted = peer.seen[0].ctx!;
    expect(extracted.traceIdStr.padStart(32, '0')).toBe(serverSpan!.traceId);
    expect(extracted.spanIdStr).toBe(clientSpan!.spanId);
    expect(extracted.isSampled()).toBe(true);
    expect(extracted.baggage[BAGGAGE_TENANT]).toBe('globex');
  });

  it('ignores uber-trace-id when OTEL_PROPAGATORS leaves jaeger out; an app handling SIGTERM keeps control', async () => {
    const { sent, result } = await callThroughPreloadedServer(receiver, peer.url, {
      OTEL_PROPAGATORS: 'tracecontext,baggage',
      HANDLE_SIGTERM: '1',
    });
    // The app's own handler ran and the process ended normally, after the spans were exported.
    expect(result.signal).toBeNull();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('bye');
    const serverSpan = receiver.spans.find((s) => s.kind === 2);
    expect(serverSpan).toBeDefined();
    expect(serverSpan!.traceId).not.toBe(sent.traceIdStr.padStart(32, '0'));
    expect(serverSpan!.parentSpanId).toBe('');
    expect(serverSpan!.attributes[ATTR_TENANT]).toBeUndefined();
    expect(peer.seen[0].headers['uber-trace-id']).toBeUndefined();
    expect(peer.seen[0].headers.traceparent).toMatch(new RegExp(`^00-${serverSpan!.traceId}-`));
  });
});
