// A workload that touches every label the dashboards read: tenants × features × workflows, successful,
// failed and outcome-less traces, priced and unpriced models, cache reads/writes, streamed calls (time to
// first token), retries and fallbacks, retrieval/embedding/rerank, self-hosted time and prompt sources.
// Sent with the real OTLP/HTTP exporter of the OpenTelemetry SDK.
import { randomBytes } from 'node:crypto';
import { type Attributes, ROOT_CONTEXT, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import * as sc from '@tokenledger/semconv';
import type { SpanRecord } from '../collector/src/model/span-record.ts';

export interface Call {
  attributes: Attributes;
}

export interface TraceSpec {
  traceId: string;
  root: Attributes;
  error: boolean;
  calls: Call[];
}

const WORKFLOWS = [
  { workflow: 'triage', feature: 'support' },
  { workflow: 'answer', feature: 'support' },
  { workflow: 'draft', feature: 'search' },
];
const TENANTS = ['acme', 'globex'];
/** Where the workload's Bedrock calls go (quota pressure is per model and region). */
export const BEDROCK_REGION = 'us-east-1';
/** The instance the workload's self-hosted model runs on. */
export const SELF_HOSTED_INSTANCE = { id: 'i-0123456789abcdef0', type: 'inf2.xlarge' };

function chat(model: string, provider: string, route: string, input: number, output: number, extra: Attributes = {}): Call {
  return {
    attributes: {
      [sc.ATTR_GEN_AI_PROVIDER_NAME]: provider,
      [sc.ATTR_GEN_AI_OPERATION_NAME]: sc.OPERATION_CHAT,
      [sc.ATTR_GEN_AI_REQUEST_MODEL]: model,
      [sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: input,
      [sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: output,
      [sc.ATTR_ROUTE]: route,
      [sc.ATTR_PROMPT_TOKENS_SYSTEM]: Math.floor(input * 0.4),
      [sc.ATTR_PROMPT_TOKENS_HISTORY]: Math.floor(input * 0.2),
      [sc.ATTR_PROMPT_TOKENS_CONTEXT]: Math.floor(input * 0.3),
      [sc.ATTR_PROMPT_TOKENS_USER]: Math.floor(input * 0.1),
      ...extra,
    },
  };
}

function tool(operation: string, model: string, provider: string, costUsd: number, extra: Attributes = {}): Call {
  return {
    attributes: {
      [sc.ATTR_GEN_AI_PROVIDER_NAME]: provider,
      [sc.ATTR_GEN_AI_OPERATION_NAME]: operation,
      [sc.ATTR_GEN_AI_REQUEST_MODEL]: model,
      [sc.ATTR_COST_USD]: costUsd,
      [sc.ATTR_ROUTE]: 'rag',
      ...extra,
    },
  };
}

/** `rounds` × (2 tenants × 3 workflows) traces, plus one outcome-less trace per round. */
export function workload(rounds: number): TraceSpec[] {
  const traces: TraceSpec[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const tenant of TENANTS) {
      WORKFLOWS.forEach(({ workflow, feature }, w) => {
        const success = (r + w) % 3 !== 0;
        const calls: Call[] = [];
        if (workflow === 'triage') {
          calls.push(chat('gpt-4o-mini', sc.PROVIDER_OPENAI, 'classification', 1200, 5));
          calls.push(chat('gpt-4o-mini', sc.PROVIDER_OPENAI, 'classification', 1200, 5, { [sc.ATTR_RETRY_ATTEMPT]: 1, [sc.ATTR_RETRY_REASON]: 'invalid_output' }));
        } else if (workflow === 'answer') {
          calls.push(tool(sc.OPERATION_EMBEDDINGS, 'amazon.titan-embed-text-v2:0', sc.PROVIDER_AWS_BEDROCK, 0.00002));
          calls.push(tool(sc.OPERATION_RETRIEVAL, 'pgvector', 'postgresql', 0.0001, { [sc.ATTR_RETRIEVAL_CONTEXT_TOKENS]: 900, [sc.ATTR_RETRIEVAL_DOCUMENTS]: 5 }));
          calls.push(tool(sc.OPERATION_RERANK, 'cohere.rerank-v3-5:0', sc.PROVIDER_AWS_BEDROCK, 0.002));
          calls.push(chat('anthropic.claude-3-5-haiku-20241022-v1:0', sc.PROVIDER_AWS_BEDROCK, 'rag', 4000, 300, {
            [sc.ATTR_CLOUD_REGION]: BEDROCK_REGION,
            [sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 2000,
            [sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: r === 0 ? 500 : 0,
            [sc.ATTR_GEN_AI_REQUEST_STREAM]: true,
            [sc.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]: 0.3 + 0.1 * w,
          }));
        } else {
          // Throttled once by Bedrock, retried by the SDK.
          calls.push(chat('anthropic.claude-3-5-haiku-20241022-v1:0', sc.PROVIDER_AWS_BEDROCK, 'reasoning', 3000, 800, {
            [sc.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]: 0.8, [sc.ATTR_CLOUD_REGION]: BEDROCK_REGION, [sc.ATTR_TRANSPORT_ATTEMPTS]: 2,
          }));
          calls.push(chat('gpt-4o-mini', sc.PROVIDER_OPENAI, 'reasoning', 3000, 800, { [sc.ATTR_FALLBACK]: true }));
          calls.push(chat('house-llama-ft', 'self_hosted', 'reasoning', 500, 100, {
            [sc.ATTR_PRICE_TIER]: 'self_hosted', [sc.ATTR_COST_USD]: 0.0004,
            [sc.ATTR_INSTANCE_TYPE]: SELF_HOSTED_INSTANCE.type, [sc.ATTR_INSTANCE_ID]: SELF_HOSTED_INSTANCE.id, [sc.ATTR_ACCELERATOR_UTILIZATION]: 0.4,
          }));
          calls.push(chat('mystery-model-x', sc.PROVIDER_OPENAI, 'reasoning', 700, 70));
        }
        traces.push({
          traceId: randomBytes(16).toString('hex'),
          error: !success,
          root: {
            [sc.ATTR_TENANT]: tenant,
            [sc.ATTR_FEATURE]: feature,
            [sc.ATTR_WORKFLOW]: workflow,
            [sc.ATTR_OUTCOME]: 'resolved',
            [sc.ATTR_OUTCOME_SUCCESS]: success,
          },
          calls,
        });
      });
    }
    traces.push({
      traceId: randomBytes(16).toString('hex'),
      error: false,
      root: { [sc.ATTR_TENANT]: 'acme', [sc.ATTR_FEATURE]: 'support', [sc.ATTR_WORKFLOW]: 'triage' },
      calls: [chat('gpt-4o-mini', sc.PROVIDER_OPENAI, 'classification', 800, 5)],
    });
  }
  return traces;
}

/**
 * Records `traces` as real SDK spans (each with its spec's trace id) and exports them. `exporterFor`
 * picks the exporter of a trace: one collector, or one of several by trace id as the loadbalancing
 * exporter does.
 */
export async function send(traces: TraceSpec[], exporterFor: (traceId: string) => SpanExporter): Promise<void> {
  let nextTraceId = '';
  const ids = { generateTraceId: () => nextTraceId, generateSpanId: () => randomBytes(8).toString('hex') };
  const providers = new Map<SpanExporter, TracerProvider>();
  for (const t of traces) {
    const exporter = exporterFor(t.traceId);
    let provider = providers.get(exporter);
    if (!provider) {
      provider = new TracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'tokenledger-workload' }),
        idGenerator: ids,
        spanProcessors: [new BatchSpanProcessor({ exporter, maxExportBatchSize: 256, scheduledDelayMillis: 50 })],
      });
      providers.set(exporter, provider);
    }
    const tracer = provider.getTracer('workload');
    nextTraceId = t.traceId;
    const root = tracer.startSpan('workflow', { attributes: t.root, root: true });
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    for (const c of t.calls) tracer.startSpan(`chat ${String(c.attributes[sc.ATTR_GEN_AI_REQUEST_MODEL])}`, { attributes: c.attributes }, ctx).end();
    if (t.error) root.setStatus({ code: SpanStatusCode.ERROR });
    root.end();
  }
  await Promise.all([...providers.values()].map((p) => p.forceFlush()));
  await Promise.all([...providers.values()].map((p) => p.shutdown()));
}

export function otlpExporter(otlpBaseUrl: string): SpanExporter {
  return new OTLPTraceExporter({ url: `${otlpBaseUrl}/v1/traces` });
}

/** The same traces as the collector's receiver would decode them, for tests that feed its sink directly. */
export function toSpanRecords(traces: TraceSpec[], nowMs = Date.now()): SpanRecord[] {
  const out: SpanRecord[] = [];
  for (const t of traces) {
    const rootId = randomBytes(8).toString('hex');
    for (const c of t.calls) {
      out.push({ traceId: t.traceId, spanId: randomBytes(8).toString('hex'), parentSpanId: rootId, name: 'call', startMs: nowMs - 50, endMs: nowMs - 10, statusCode: 0, attributes: c.attributes as SpanRecord['attributes'] });
    }
    out.push({ traceId: t.traceId, spanId: rootId, parentSpanId: '', name: 'workflow', startMs: nowMs - 60, endMs: nowMs, statusCode: t.error ? 2 : 0, attributes: t.root as SpanRecord['attributes'] });
  }
  return out;
}
