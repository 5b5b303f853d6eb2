// Decode throughput of OTLP trace requests (512 spans × 20 attributes), one thread:
// TokenLedger's selective decoders vs a full protobufjs decode (reflection, the complete span schema)
// and plain JSON.parse of the same request. Run: node bench/otlp-decode.ts
import protobuf from 'protobufjs';
import { decodeTracesJson, decodeTracesProtobuf } from '../collector/src/receiver/index.ts';
import { encodeJson, encodeProtobuf, modelSpans } from './otlp-bodies.ts';

// opentelemetry-proto trace/v1 + common/v1 + resource/v1, as a protobufjs JSON descriptor.
const root = protobuf.Root.fromJSON({
  nested: {
    AnyValue: { fields: { stringValue: { type: 'string', id: 1 }, boolValue: { type: 'bool', id: 2 }, intValue: { type: 'int64', id: 3 },
      doubleValue: { type: 'double', id: 4 }, arrayValue: { type: 'ArrayValue', id: 5 }, kvlistValue: { type: 'KeyValueList', id: 6 }, bytesValue: { type: 'bytes', id: 7 } } },
    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
    InstrumentationScope: { fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 }, attributes: { rule: 'repeated', type: 'KeyValue', id: 3 } } },
    Resource: { fields: { attributes: { rule: 'repeated', type: 'KeyValue', id: 1 }, droppedAttributesCount: { type: 'uint32', id: 2 } } },
    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
    Event: { fields: { timeUnixNano: { type: 'fixed64', id: 1 }, name: { type: 'string', id: 2 }, attributes: { rule: 'repeated', type: 'KeyValue', id: 3 } } },
    Link: { fields: { traceId: { type: 'bytes', id: 1 }, spanId: { type: 'bytes', id: 2 }, attributes: { rule: 'repeated', type: 'KeyValue', id: 4 } } },
    Span: { fields: { traceId: { type: 'bytes', id: 1 }, spanId: { type: 'bytes', id: 2 }, traceState: { type: 'string', id: 3 }, parentSpanId: { type: 'bytes', id: 4 },
      name: { type: 'string', id: 5 }, kind: { type: 'int32', id: 6 }, startTimeUnixNano: { type: 'fixed64', id: 7 }, endTimeUnixNano: { type: 'fixed64', id: 8 },
      attributes: { rule: 'repeated', type: 'KeyValue', id: 9 }, events: { rule: 'repeated', type: 'Event', id: 11 }, links: { rule: 'repeated', type: 'Link', id: 13 },
      status: { type: 'Status', id: 15 }, flags: { type: 'fixed32', id: 16 } } },
    ScopeSpans: { fields: { scope: { type: 'InstrumentationScope', id: 1 }, spans: { rule: 'repeated', type: 'Span', id: 2 }, schemaUrl: { type: 'string', id: 3 } } },
    ResourceSpans: { fields: { resource: { type: 'Resource', id: 1 }, scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 }, schemaUrl: { type: 'string', id: 3 } } },
    ExportTraceServiceRequest: { fields: { resourceSpans: { rule: 'repeated', type: 'ResourceSpans', id: 1 } } },
  },
});
const Request = root.lookupType('ExportTraceServiceRequest');

const SPANS = 512;
const spans = modelSpans(SPANS);
const pb = encodeProtobuf(spans);
const js = encodeJson(spans);

function measure(fn: () => unknown, minMs = 1500): number {
  for (let i = 0; i < 20; i++) fn();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    fn();
    n++;
  }
  return (n * SPANS) / ((performance.now() - t0) / 1000);
}

const rows: [string, string, number][] = [
  ['protobuf', 'TokenLedger selective decode → SpanRecord', measure(() => decodeTracesProtobuf(pb))],
  ['protobuf', 'protobufjs full decode (reflection)', measure(() => Request.decode(pb))],
  ['protobuf', 'protobufjs full decode + toObject', measure(() => Request.toObject(Request.decode(pb), { longs: String, bytes: String }))],
  ['json', 'TokenLedger JSON decode → SpanRecord', measure(() => decodeTracesJson(js))],
  ['json', 'JSON.parse alone', measure(() => JSON.parse(js.toString('utf8')))],
];
const base = rows[1][2];
console.log(`OTLP decode, ${SPANS} spans × 20 attributes per request (protobuf ${pb.length} B, JSON ${js.length} B), one thread, Node ${process.version}\n`);
console.log('| body | decoder | spans/s | × protobufjs full decode |');
console.log('|---|---|---:|---:|');
for (const [body, name, rate] of rows) console.log(`| ${body} | ${name} | ${Math.round(rate).toLocaleString('en')} | ${(rate / base).toFixed(2)} |`);
