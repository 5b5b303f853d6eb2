// Decode throughput of OTLP trace requests (512 spans × 20 attributes), one thread:
// TokenLedger's selective decoders vs a full protobufjs decode (generated from the span schema's .proto)
// and plain JSON.parse of the same request. Run: node bench/otlp-decode.ts
import '../scripts/sources-only.ts';
import protobuf from 'protobufjs';
import { decodeTracesJson, decodeTracesProtobuf } from '../collector/src/receiver/index.ts';
import { encodeJson, encodeProtobuf, modelSpans } from './otlp-bodies.ts';

// opentelemetry-proto v1 (trace.proto, common.proto, resource.proto, trace_service.proto), the messages an
// export request holds, parsed at run time: protobufjs generates its decoder from this text.
const PROTO = `
syntax = "proto3";
package opentelemetry.proto;
message AnyValue {
  oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message Status { reserved 1; string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; fixed32 flags = 16; string name = 5;
  int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10;
  message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
  repeated Event events = 11; uint32 dropped_events_count = 12;
  message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4;
    uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
  repeated Link links = 13; uint32 dropped_links_count = 14; Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message ResourceSpans { reserved 1000; Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`;
const root = protobuf.parse(PROTO).root;
const Request = root.lookupType('opentelemetry.proto.ExportTraceServiceRequest');

const SPANS = 512;
const spans = modelSpans(SPANS);
const pb = encodeProtobuf(spans);
const js = encodeJson(spans);

// Every decoder must see the same 512 spans, or the comparison means nothing.
type Decoded = { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
const fullCount = (Request.decode(pb) as unknown as Decoded).resourceSpans[0].scopeSpans[0].spans.length;
const counts = [decodeTracesProtobuf(pb).spans.length, decodeTracesJson(js).spans.length, fullCount];
if (counts.some((n) => n !== SPANS)) throw new Error(`decoders disagree on the span count: ${counts.join(', ')}`);

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
  ['protobuf', 'protobufjs full decode (generated from the .proto text)', measure(() => Request.decode(pb))],
  ['protobuf', 'protobufjs full decode + toObject', measure(() => Request.toObject(Request.decode(pb), { longs: String, bytes: String }))],
  ['json', 'TokenLedger JSON decode → SpanRecord', measure(() => decodeTracesJson(js))],
  ['json', 'JSON.parse alone', measure(() => JSON.parse(js.toString('utf8')))],
];
const base = rows[1][2];
console.log(`OTLP decode, ${SPANS} spans × 20 attributes per request (protobuf ${pb.length} B, JSON ${js.length} B), one thread, Node ${process.version}\n`);
console.log('| body | decoder | spans/s | × protobufjs full decode |');
console.log('|---|---|---:|---:|');
for (const [body, name, rate] of rows) console.log(`| ${body} | ${name} | ${Math.round(rate).toLocaleString('en')} | ${(rate / base).toFixed(2)} |`);
