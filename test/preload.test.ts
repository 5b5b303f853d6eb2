// End to end: sample apps run as child processes under `node --require|--import @tokenledger/node/register`,
// exporting through the real OTLP exporter (http/json) to a local receiver.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ATTR_FALLBACK,
  ATTR_FEATURE,
  ATTR_OUTCOME,
  ATTR_OUTCOME_SUCCESS,
  ATTR_RETRY_ATTEMPT,
  ATTR_RETRY_REASON,
  ATTR_ROUTE,
  ATTR_ROUTE_REASON,
  ATTR_TENANT,
  ATTR_WORKFLOW,
} from '@tokenledger/semconv';
import { startGrpcReceiver } from './fixtures/preload/otlp-grpc-receiver.ts';
import { startReceiver } from './fixtures/preload/otlp-receiver.ts';
import type { Receiver } from './fixtures/preload/otlp-receiver.ts';
import { byName, preloadEnv, run } from './fixtures/preload/run.ts';

describe('@tokenledger/node/register', () => {
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  it('exports attributed spans with route, retry and outcome from a CJS app (--require)', async () => {
    const result = await run(
      '--require',
      'attributed-app.cjs',
      preloadEnv(receiver.url, {
        OTEL_SERVICE_NAME: 'support-bot',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=test,team=ml',
      }),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('result=42');

    const spans = receiver.spans;
    expect(spans.map((s) => s.name).sort()).toEqual(
      ['before-route', 'deep', 'handle-ticket', 'model-call', 'model-retry', 'step'].sort(),
    );
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    for (const span of spans) {
      expect(span.attributes, span.name).toMatchObject({
        [ATTR_TENANT]: 'acme',
        [ATTR_FEATURE]: 'support',
        [ATTR_WORKFLOW]: 'triage',
      });
      expect(span.resource['service.name']).toBe('support-bot');
      expect(span.resource['deployment.environment.name']).toBe('test');
      expect(span.resource.team).toBe('ml');
    }

    // The route reaches the span it was set on and what starts under it afterwards, nothing before.
    expect(byName(spans, 'before-route').attributes[ATTR_ROUTE]).toBeUndefined();
    for (const name of ['handle-ticket', 'model-call', 'model-retry', 'step', 'deep']) {
      expect(byName(spans, name).attributes, name).toMatchObject({ [ATTR_ROUTE]: 'rag', [ATTR_ROUTE_REASON]: 'long_context' });
    }

    expect(byName(spans, 'model-retry').attributes).toMatchObject({
      [ATTR_RETRY_ATTEMPT]: 1,
      [ATTR_RETRY_REASON]: 'throttled',
      [ATTR_FALLBACK]: true,
    });
    expect(byName(spans, 'model-call').attributes[ATTR_RETRY_ATTEMPT]).toBeUndefined();

    // recordOutcome() called two levels down lands on the local root only.
    const rootSpan = byName(spans, 'handle-ticket');
    expect(rootSpan.parentSpanId).toBe('');
    expect(rootSpan.attributes).toMatchObject({ [ATTR_OUTCOME]: 'ticket_resolved', [ATTR_OUTCOME_SUCCESS]: true });
    expect(byName(spans, 'deep').attributes[ATTR_OUTCOME]).toBeUndefined();
  });

  it('instruments an ESM app loaded with --import, imported modules included', async () => {
    const result = await run('--import', 'attributed-app.mjs', preloadEnv(receiver.url, { OTEL_SERVICE_NAME: 'esm-app' }));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('result=200');
    const esmRoot = byName(receiver.spans, 'esm-root');
    expect(esmRoot.resource['service.name']).toBe('esm-app');
    expect(esmRoot.attributes).toMatchObject({
      [ATTR_TENANT]: 'initech',
      [ATTR_WORKFLOW]: 'esm',
      [ATTR_OUTCOME]: 'esm_done',
      [ATTR_OUTCOME_SUCCESS]: false,
    });
    // `import { get } from 'node:http'` was patched: a client span under esm-root, and the server span
    // of the same process continuing it with the baggage that travelled in the request.
    const client = receiver.spans.find((s) => s.kind === 3);
    const server = receiver.spans.find((s) => s.kind === 2);
    expect(client?.parentSpanId).toBe(esmRoot.spanId);
    expect(server?.parentSpanId).toBe(client?.spanId);
    expect(server?.attributes[ATTR_TENANT]).toBe('initech');
    expect(server?.attributes[ATTR_OUTCOME]).toBeUndefined();
  });

  it('exports over OTLP/gRPC with OTEL_EXPORTER_OTLP_PROTOCOL=grpc (the OpenTelemetry Collector’s 4317)', async () => {
    const grpc = await startGrpcReceiver();
    try {
      const result = await run('--require', 'attributed-app.cjs', preloadEnv(grpc.url, {
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_SERVICE_NAME: 'grpc-app', OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant-key=k1',
      }));
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(grpc.spans.map((s) => s.name).sort()).toEqual(['before-route', 'deep', 'handle-ticket', 'model-call', 'model-retry', 'step'].sort());
      expect(grpc.spans.find((s) => s.name === 'handle-ticket')!.attributes).toMatchObject({
        [ATTR_TENANT]: 'acme', [ATTR_OUTCOME]: 'ticket_resolved', [ATTR_OUTCOME_SUCCESS]: true,
      });
      expect(grpc.lastMetadata['x-tenant-key']).toBe('k1');
      expect(receiver.paths).toEqual([]);
    } finally {
      await grpc.close();
    }
  });

  it('does nothing with OTEL_SDK_DISABLED=true, and the app works the same', async () => {
    const result = await run('--require', 'attributed-app.cjs', preloadEnv(receiver.url, { OTEL_SDK_DISABLED: 'true' }));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('result=42');
    expect(result.stderr).toBe('');
    expect(receiver.paths).toEqual([]);
  });

  it('names a bad TOKENLEDGER_* variable and leaves the app running uninstrumented', async () => {
    const result = await run(
      '--require',
      'attributed-app.cjs',
      preloadEnv(receiver.url, { TOKENLEDGER_HTTP_INSTRUMENTATION: 'maybe' }),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('result=42');
    expect(result.stderr).toContain('TOKENLEDGER_HTTP_INSTRUMENTATION="maybe" is invalid');
    expect(receiver.spans).toEqual([]);
  });
});
