// Request hash: a short digest of a request's content, so that repeats within a trace (unmarked retries)
// can be found. The digested text is not JSON but a length-prefixed encoding of the same values: about four
// times cheaper to build than JSON.stringify (no escaping scan), and just as unambiguous.
import { hash } from 'node:crypto';

/** Values nested deeper are encoded by JSON.stringify (which also rejects cycles, as before). */
const MAX_DEPTH = 32;

/** 16 hex digits of the SHA-1 of `provider` and `params`: equal for equal requests, different otherwise. */
export function requestHash(provider: string, params: unknown): string {
  let text = encode(provider, 0) + encode(params, 0);
  // UTF-8 would turn lone surrogates into U+FFFD; escaped by JSON they stay apart (and an encoding never starts with `"`).
  if (!text.isWellFormed()) text = JSON.stringify(text);
  // SHA-1: not for security, only to spot repeats, and the cheapest digest Node offers.
  return hash('sha1', text).slice(0, 16);
}

/**
 * Each value's encoding ends where it can be told to end (lengths before strings and keys, `;` after
 * numbers, brackets around lists and objects), so different values never encode alike. What JSON leaves
 * out is left out: `undefined`, functions and symbols (null inside arrays).
 */
function encode(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return `s${value.length}:${value}`;
    case 'number':
      return `n${value};`;
    case 'boolean':
      return value ? 't' : 'f';
    case 'object': {
      if (value === null) return 'z';
      if (depth >= MAX_DEPTH) break;
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) out += omitted(value[i]) ? 'z' : encode(value[i], depth + 1);
        return `${out}]`;
      }
      if (!isPlain(value)) break;
      let out = '{';
      for (const key in value) {
        const item = (value as Record<string, unknown>)[key];
        if (Object.hasOwn(value, key) && !omitted(item)) out += `${key.length}:${key}${encode(item, depth + 1)}`;
      }
      return `${out}}`;
    }
  }
  // Class instances, `toJSON`, bigints, deep values: as JSON.stringify sends them.
  const json = JSON.stringify(value);
  return json === undefined ? 'u' : `j${json.length}:${json}`;
}

function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

function isPlain(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
