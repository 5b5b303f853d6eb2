// OTLP ExportTraceServiceRequest bodies for benchmarks and tests: protobuf (encoded with protobufjs'
// Writer, field numbers of opentelemetry-proto) and OTLP/JSON, from one plain description.
import { randomBytes } from 'node:crypto';
import protobuf from 'protobufjs/minimal.js';

export type BodyValue = string | number | boolean;

export interface BodySpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  endMs: number;
  statusCode?: 0 | 1 | 2;
  attributes: Record<string, BodyValue>;
}

/** `scope`: the instrumentation scope (default `bench`), written after the spans with `scopeLast` (encoders write it first). */
export function encodeProtobuf(spans: readonly BodySpan[], resource: Record<string, BodyValue> = { 'service.name': 'bench' },
  scope: { name: string; version?: string; last?: boolean } = { name: 'bench' }): Buffer {
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).fork(); // resource_spans
  w.uint32((1 << 3) | 2).fork(); // resource
  for (const [k, v] of Object.entries(resource)) keyValue(w, k, v);
  w.ldelim();
  w.uint32((2 << 3) | 2).fork(); // scope_spans
  const writeScope = () => {
    w.uint32((1 << 3) | 2).fork().uint32((1 << 3) | 2).string(scope.name);
    if (scope.version) w.uint32((2 << 3) | 2).string(scope.version);
    w.ldelim();
  };
  if (!scope.last) writeScope();
  for (const s of spans) {
    w.uint32((2 << 3) | 2).fork();
    w.uint32((1 << 3) | 2).bytes(Buffer.from(s.traceId, 'hex'));
    w.uint32((2 << 3) | 2).bytes(Buffer.from(s.spanId, 'hex'));
    if (s.parentSpanId) w.uint32((4 << 3) | 2).bytes(Buffer.from(s.parentSpanId, 'hex'));
    w.uint32((5 << 3) | 2).string(s.name);
    w.uint32((6 << 3) | 0).int32(3);
    fixed64(w.uint32((7 << 3) | 1), s.startMs);
    fixed64(w.uint32((8 << 3) | 1), s.endMs);
    for (const [k, v] of Object.entries(s.attributes)) keyValue(w.uint32((9 << 3) | 2).fork(), k, v, false).ldelim();
    if (s.statusCode) w.uint32((15 << 3) | 2).fork().uint32((3 << 3) | 0).int32(s.statusCode).ldelim();
    w.ldelim();
  }
  if (scope.last) writeScope();
  w.ldelim().ldelim(); // scope_spans, resource_spans
  return Buffer.from(w.finish());
}

function keyValue(w: protobuf.Writer, k: string, v: BodyValue, wrap = true): protobuf.Writer {
  if (wrap) w.uint32((1 << 3) | 2).fork();
  w.uint32((1 << 3) | 2).string(k);
  w.uint32((2 << 3) | 2).fork();
  if (typeof v === 'string') w.uint32((1 << 3) | 2).string(v);
  else if (typeof v === 'boolean') w.uint32((2 << 3) | 0).bool(v);
  else if (Number.isInteger(v)) w.uint32((3 << 3) | 0).int64(v);
  else w.uint32((4 << 3) | 1).double(v);
  w.ldelim();
  if (wrap) w.ldelim();
  return w;
}

function fixed64(w: protobuf.Writer, ms: number): void {
  const ns = BigInt(Math.round(ms * 1e6));
  w.fixed32(Number(ns & 0xffffffffn)).fixed32(Number(ns >> 32n));
}

export function encodeJson(spans: readonly BodySpan[], resource: Record<string, BodyValue> = { 'service.name': 'bench' }): Buffer {
  const kv = (attrs: Record<string, BodyValue>) =>
    Object.entries(attrs).map(([key, v]) => ({
      key,
      value: typeof v === 'string' ? { stringValue: v } : typeof v === 'boolean' ? { boolValue: v } : Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v },
    }));
  return Buffer.from(JSON.stringify({
    resourceSpans: [{
      resource: { attributes: kv(resource) },
      scopeSpans: [{
        scope: { name: 'bench' },
        spans: spans.map((s) => ({
          traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: 3,
          startTimeUnixNano: String(BigInt(Math.round(s.startMs * 1e6))),
          endTimeUnixNano: String(BigInt(Math.round(s.endMs * 1e6))),
          attributes: kv(s.attributes),
          status: { code: s.statusCode ?? 0 },
        })),
      }],
    }],
  }));
}

export const hexId = (bytes: number): string => randomBytes(bytes).toString('hex');

/**
 * `count` model-call spans with 20 attributes each, as an instrumented app sends them: about half are
 * GenAI/TokenLedger attributes the roll-up reads, the rest HTTP/RPC attributes it skips.
 */
export function modelSpans(count: number, traces = Math.max(1, Math.ceil(count / 8))): BodySpan[] {
  const traceIds = Array.from({ length: traces }, () => hexId(16));
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    traceId: traceIds[i % traces],
    spanId: hexId(8),
    parentSpanId: i < traces ? undefined : hexId(8),
    name: 'chat us.anthropic.claude-haiku-4-5-20251001-v1:0',
    startMs: now + i,
    endMs: now + i + 850.5,
    attributes: {
      'gen_ai.provider.name': 'aws.bedrock',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      'gen_ai.usage.input_tokens': 1200 + (i % 50),
      'gen_ai.usage.output_tokens': 300 + (i % 30),
      'gen_ai.usage.cache_read.input_tokens': 800,
      'tokenledger.cost.usd': 0.0031,
      'tokenledger.tenant': `tenant-${i % 3}`,
      'tokenledger.workflow': 'answer',
      'tokenledger.route': 'rag',
      'rpc.system': 'aws-api',
      'rpc.method': 'Converse',
      'rpc.service': 'BedrockRuntime',
      'cloud.region': 'us-east-1',
      'aws.request.id': hexId(16),
      'http.response.status_code': 200,
      'server.address': 'bedrock-runtime.us-east-1.amazonaws.com',
      'server.port': 443,
      'thread.id': 1,
      'code.function': 'answer',
    },
  }));
}
