// Strings that become label values, store keys and exposition text: bounded in length, so one sender cannot
// make /metrics (or a row, or the API's answer) megabytes long.

/** Longest label value kept; a longer one is cut and marked with a hash of the whole, so distinct values stay distinct. */
export const MAX_LABEL_LENGTH = 256;
const HASH_SUFFIX = 9; // '~' and 8 hex digits

/** `v`, or its first characters and a hash of all of it when it is longer than MAX_LABEL_LENGTH. */
export function boundedLabel(v: string): string {
  if (v.length <= MAX_LABEL_LENGTH) return v;
  let cut = MAX_LABEL_LENGTH - HASH_SUFFIX;
  // Never split a surrogate pair: half of one is not UTF-8.
  const c = v.charCodeAt(cut - 1);
  if (c >= 0xd800 && c <= 0xdbff) cut--;
  return `${v.slice(0, cut)}~${fnv1a(v).toString(16).padStart(8, '0')}`;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
