// The OTLP/JSON rules for the values a span decoder reads, shared by both JSON decoders: ids are hex
// (any case), int64 may be a string or a number, enums are integers (or their names).
import type { AttributeValue } from '../model/span-record.ts';

/** Thrown for a body that is not an OTLP/JSON request at all (answered 400). */
export class DecodeError extends Error {
  override name = 'DecodeError';
}

/** A span or trace id as lower-case hex; '' when absent. */
export function hexId(v: unknown, field: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string' || v.length % 2 !== 0) throw new DecodeError(`${field} must be a hex string`);
  let upper = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0x41 && c <= 0x46) upper = true; // A-F
    else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) throw new DecodeError(`${field} must be a hex string`);
  }
  // Most senders write lower case already: no new string for them.
  return upper ? v.toLowerCase() : v;
}

/** Unix nanoseconds (a digit string or a number) as fractional milliseconds; 0 when absent. */
export function nanosToMs(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'string') return digitsToMs(v);
  if (typeof v === 'number') return digitsToMs(String(Math.trunc(v)));
  throw timeError();
}

// Nanoseconds exceed 2^53: split so milliseconds keep sub-millisecond precision. The digits are summed
// as they are checked (no regular expression, no slices), which is exact up to 15 digits of milliseconds.
function digitsToMs(s: string): number {
  if (s.length === 0) throw timeError();
  const split = s.length - 6;
  let ms = 0;
  let frac = 0;
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) throw timeError();
    if (i < split) ms = ms * 10 + d;
    else frac = frac * 10 + d;
  }
  if (split > 15) ms = Number(s.slice(0, split));
  return ms + frac / 1e6;
}

function timeError(): DecodeError {
  return new DecodeError('time fields must be unsigned integers (string or number)');
}

// Enums are integers in OTLP/JSON; proto3 JSON parsers accept the names too.
const STATUS_NAMES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** A Status.code value (an integer, or its name or digits as a string) as 0 (unset), 1 (ok) or 2 (error); anything else is unset. */
export function statusCode(v: unknown): 0 | 1 | 2 {
  const st = typeof v === 'string' ? (STATUS_NAMES[v] ?? Number(v)) : typeof v === 'number' ? v : 0;
  return st === 1 || st === 2 ? st : 0;
}

/** The value of an AnyValue from its scalar members, first present wins (numbers as numbers or strings); undefined for other kinds. */
export function attributeValue(stringValue: unknown, boolValue: unknown, intValue: unknown, doubleValue: unknown): AttributeValue | undefined {
  const numeric = (v: unknown) => typeof v === 'number' || typeof v === 'string';
  const value =
    typeof stringValue === 'string' ? stringValue
    : typeof boolValue === 'boolean' ? boolValue
    : numeric(intValue) ? Number(intValue)
    : numeric(doubleValue) ? Number(doubleValue)
    : undefined;
  return typeof value === 'number' && !Number.isFinite(value) ? undefined : value;
}
