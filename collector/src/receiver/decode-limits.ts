// Bounds on what decoding one request may build. Traces are decoded selectively (only the spans' fields and kept
// attributes are built); an OTLP metrics request is handed on whole, as objects, so the number of values it may
// become is bounded: past it the request is refused (413) before anything is built.

/** Values (JSON values, or protobuf fields and packed elements) one /v1/metrics request may hold. */
export const MAX_METRIC_VALUES = 250_000;

/** The request would decode into more than a bounded number of values: refused like a body over the size limit. */
export class TooComplex extends Error {
  override name = 'TooComplex';
}
