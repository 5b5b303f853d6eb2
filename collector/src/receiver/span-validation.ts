// What makes one span invalid (rejected alone, counted in partial_success) rather than the request.

/** Why the span cannot be kept, or undefined when it can. Ids are lower-case hex here. */
export function invalidSpanReason(traceId: string, spanId: string, parentSpanId: string): string | undefined {
  if (traceId.length !== 32 || /^0+$/.test(traceId)) return 'trace_id must be 16 non-zero bytes';
  if (spanId.length !== 16 || /^0+$/.test(spanId)) return 'span_id must be 8 non-zero bytes';
  if (parentSpanId.length !== 0 && parentSpanId.length !== 16) return 'parent_span_id must be empty or 8 bytes';
  return undefined;
}

/** The result of decoding one export request. */
export interface DecodedTraces<S> {
  spans: S[];
  rejected: number;
  /** The first rejection's reason, for partial_success.error_message. */
  firstError?: string;
}
