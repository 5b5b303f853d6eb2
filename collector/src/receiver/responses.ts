// OTLP/HTTP response bodies, in the request's encoding: Export*ServiceResponse and google.rpc.Status.
import protobuf from 'protobufjs/minimal.js';

export type Encoding = 'protobuf' | 'json';

export const CONTENT_TYPE: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

/** Export(Trace|Metrics)ServiceResponse; `rejected` is rejected_spans or rejected_data_points. */
export function exportResponse(enc: Encoding, rejected: number, errorMessage: string | undefined, kind: 'spans' | 'dataPoints'): Buffer {
  if (enc === 'json') {
    if (rejected === 0 && !errorMessage) return Buffer.from('{}');
    const key = kind === 'spans' ? 'rejectedSpans' : 'rejectedDataPoints';
    return Buffer.from(JSON.stringify({ partialSuccess: { [key]: String(rejected), errorMessage: errorMessage ?? '' } }));
  }
  if (rejected === 0 && !errorMessage) return Buffer.alloc(0);
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 2).fork();
  w.uint32((1 << 3) | 0).int64(rejected);
  if (errorMessage) w.uint32((2 << 3) | 2).string(errorMessage);
  w.ldelim();
  return Buffer.from(w.finish());
}

/** google.rpc.Status with code INVALID_ARGUMENT (3) or another canonical code. */
export function statusBody(enc: Encoding, message: string, code = 3): Buffer {
  if (enc === 'json') return Buffer.from(JSON.stringify({ code, message }));
  const w = protobuf.Writer.create();
  w.uint32((1 << 3) | 0).int32(code);
  w.uint32((2 << 3) | 2).string(message);
  return Buffer.from(w.finish());
}
