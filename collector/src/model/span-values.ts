// The values of a span checked once, as it is accepted, before anything stores or sums them: a quantity the
// roll-up adds up (cost, token and other counts, durations) must be a number (or a string holding one), ≥ 0 and
// within a plausible bound, else it is removed from the span (the roll-up then reads the span as if the sender had
// not set it); strings are bounded (label-values.ts) and carry no NUL, which internal keys use as a separator.
// Each finding is reported, so the caller can count it: no bad value ever reaches a counter.
import * as sc from '@tokenledger/semconv';
import { boundedLabel, MAX_LABEL_LENGTH } from './label-values.ts';
import type { SpanRecord } from './span-record.ts';

export type InvalidReason = typeof sc.INVALID_NEGATIVE | typeof sc.INVALID_NOT_A_NUMBER | typeof sc.INVALID_TOO_LARGE | typeof sc.INVALID_TOO_LONG;

/** Largest plausible value of one span's quantity: far above any real call, far below a sum that could overflow. */
const MAX_USD = 1e6;
const MAX_COUNT = 1e9;
const MAX_SECONDS = 1e6;

const QUANTITIES = new Map<string, number>([
  ...[
    sc.ATTR_COST_USD, sc.ATTR_COST_INPUT_USD, sc.ATTR_COST_OUTPUT_USD, sc.ATTR_COST_CACHE_READ_USD, sc.ATTR_COST_CACHE_WRITE_USD,
    sc.FOREIGN_GEN_AI_USAGE_COST, sc.FOREIGN_LLM_COST_TOTAL,
  ].map((k) => [k, MAX_USD] as const),
  ...[
    sc.ATTR_GEN_AI_USAGE_INPUT_TOKENS, sc.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, sc.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    sc.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, sc.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
    sc.FOREIGN_GEN_AI_USAGE_PROMPT_TOKENS, sc.FOREIGN_GEN_AI_USAGE_COMPLETION_TOKENS, sc.FOREIGN_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
    sc.FOREIGN_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS, sc.FOREIGN_LLM_USAGE_TOTAL_TOKENS, sc.FOREIGN_LLM_TOKEN_COUNT_PROMPT,
    sc.FOREIGN_LLM_TOKEN_COUNT_COMPLETION, sc.FOREIGN_LLM_TOKEN_COUNT_PROMPT_CACHE_READ, sc.FOREIGN_LLM_TOKEN_COUNT_PROMPT_CACHE_WRITE,
    sc.ATTR_PROMPT_TOKENS_SYSTEM, sc.ATTR_PROMPT_TOKENS_HISTORY, sc.ATTR_PROMPT_TOKENS_CONTEXT, sc.ATTR_PROMPT_TOKENS_USER, sc.ATTR_PROMPT_TOKENS_TOOLS,
    sc.ATTR_RETRIEVAL_DOCUMENTS, sc.ATTR_RETRIEVAL_DUPLICATES, sc.ATTR_RETRIEVAL_CONTEXT_TOKENS, sc.ATTR_RETRIEVAL_TOP_K,
    sc.ATTR_RETRY_ATTEMPT, sc.ATTR_TRANSPORT_ATTEMPTS,
  ].map((k) => [k, MAX_COUNT] as const),
  [sc.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK, MAX_SECONDS],
]);

/**
 * Checks (and repairs) `span` in place: invalid quantities are removed, strings bounded and NUL-free.
 * `report` is told of each finding.
 */
export function checkSpanValues(span: SpanRecord, report?: (attribute: string, reason: InvalidReason) => void): void {
  const a = span.attributes;
  for (const key in a) {
    const v = a[key]!;
    const max = QUANTITIES.get(key);
    if (max !== undefined) {
      const reason = quantityFault(v, max);
      if (reason) {
        delete a[key];
        report?.(key, reason);
      }
    } else if (typeof v === 'string' && (v.length > MAX_LABEL_LENGTH || v.includes('\u0000'))) {
      if (v.length > MAX_LABEL_LENGTH) report?.(key, sc.INVALID_TOO_LONG);
      a[key] = cleanString(v);
    }
  }
}

/** A string as a label value: NUL replaced (it separates the parts of internal keys), length bounded. */
export function cleanString(v: string): string {
  return boundedLabel(v.includes('\u0000') ? v.replaceAll('\u0000', '\ufffd') : v);
}

function quantityFault(v: string | number | boolean, max: number): InvalidReason | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (Number.isNaN(n)) return sc.INVALID_NOT_A_NUMBER;
  if (n < 0) return sc.INVALID_NEGATIVE;
  if (n > max) return sc.INVALID_TOO_LARGE;
  return undefined;
}
