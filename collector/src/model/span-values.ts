// The strings of a span checked once, as it is accepted, before anything stores them: bounded in length
// (label-values.ts) and free of NUL, which internal keys use as a separator. Its numbers are checked where they
// are read (producers/read.ts): a bad one is a failed check there, by producer, and never summed.
import { boundedLabel, MAX_LABEL_LENGTH } from './label-values.ts';
import type { SpanRecord } from './span-record.ts';

/** Repairs `span` in place; `cut` is told of each attribute whose string was too long. */
export function checkSpanValues(span: SpanRecord, cut?: (attribute: string) => void): void {
  const a = span.attributes;
  for (const key in a) {
    const v = a[key]!;
    if (typeof v !== 'string' || (v.length <= MAX_LABEL_LENGTH && !v.includes('\u0000'))) continue;
    if (v.length > MAX_LABEL_LENGTH) cut?.(key);
    a[key] = boundedLabel(v.includes('\u0000') ? v.replaceAll('\u0000', '\ufffd') : v);
  }
}
