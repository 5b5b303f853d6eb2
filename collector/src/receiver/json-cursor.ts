// A validating cursor over the bytes of a JSON document, for decoders that read a few fields and skip
// the rest without building it. What it skips is still checked to be JSON; at anything outside the
// grammar (or outside what its caller takes) it throws NotTaken, and the caller falls back to JSON.parse.
import { latin1, utf8 } from './byte-strings.ts';
import { DecodeError } from './otlp-json-values.ts';
import type { StringCache } from './string-cache.ts';

/** The document is not JSON, or not in a shape the caller takes. */
export class NotTaken extends Error {
  override name = 'NotTaken';
}

/** Arrays and objects nested deeper than this are refused: no OTLP request comes near it (an attribute is 10 deep). */
export const MAX_DEPTH = 128;

/** Nested deeper than MAX_DEPTH: refused whatever decodes it. */
export class TooDeep extends Error {
  override name = 'TooDeep';
}

export const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
export const OPEN_OBJECT = 0x7b;
export const CLOSE_OBJECT = 0x7d;
export const OPEN_ARRAY = 0x5b;
export const CLOSE_ARRAY = 0x5d;

// String bytes by class, so the scan of a string is one table load per byte: 0 plain, 1 closing quote,
// 2 escape, 3 control character (not allowed). Past the end the lookup is undefined: also not plain.
const PLAIN = 0;
const END_QUOTE = 1;
const ESCAPE = 2;
const IN_STRING = new Uint8Array(256);
IN_STRING.fill(3, 0, 0x20);
IN_STRING[QUOTE] = END_QUOTE;
IN_STRING[BACKSLASH] = ESCAPE;

export class JsonCursor {
  readonly b: Buffer;
  p = 0;
  /** Bounds of the member name read last by name(). */
  nameStart = 0;
  nameEnd = 0;
  /** Whether the string scanned last held escapes. */
  private escaped = false;
  /** Values skipped so far (every value inside a skipped one counts). */
  skipped = 0;
  private depth = 0;

  constructor(b: Buffer) {
    this.b = b;
  }

  /** The next significant byte, past whitespace (undefined at the end). */
  next(): number | undefined {
    const c = this.b[this.p];
    return c !== undefined && c <= 0x20 ? this.pastWhitespace() : c;
  }

  /** Consumes `{` or `[`; true when a member or element follows, false when it was empty (closed). */
  open(bracket: number): boolean {
    if (this.next() !== bracket) throw new NotTaken('unexpected value');
    this.p++;
    if (this.next() !== bracket + 2) return true; // `}` and `]` are two past their openers
    this.p++;
    return false;
  }

  /** After a member or element: true past a comma, false past the closing bracket. */
  more(close: number): boolean {
    const c = this.next();
    this.p++;
    if (c === COMMA) return true;
    if (c !== close) throw new NotTaken('expected , or a closing bracket');
    return false;
  }

  /** Reads a member name (escaped ones are not taken) and its colon; nameStart/nameEnd bound it. */
  name(): void {
    this.nameStart = this.stringStart();
    this.nameEnd = this.stringEnd();
    if (this.escaped) throw new NotTaken('escaped member name');
    if (this.next() !== COLON) throw new NotTaken('expected :');
    this.p++;
  }

  /** Consumes `bytes` when they come next exactly (no whitespace skipped); false, and nothing consumed, otherwise. */
  at(bytes: Uint8Array): boolean {
    const b = this.b;
    const p = this.p;
    for (let i = 0; i < bytes.length; i++) if (b[p + i] !== bytes[i]) return false;
    this.p = p + bytes.length;
    return true;
  }

  /** Reads a member name, escapes decoded, and its colon. */
  memberName(): string {
    const name = this.string();
    if (this.next() !== COLON) throw new NotTaken('expected :');
    this.p++;
    return name;
  }

  /** Whether the member name read last is `name` (as bytes). */
  nameIs(name: Uint8Array): boolean {
    const s = this.nameStart;
    if (this.nameEnd - s !== name.length) return false;
    const b = this.b;
    for (let i = 0; i < name.length; i++) if (b[s + i] !== name[i]) return false;
    return true;
  }

  /** Reads a string; one that repeats comes from `cache` when given. */
  string(cache?: StringCache): string {
    const start = this.stringStart();
    const end = this.stringEnd();
    // Escapes are rare: JSON.parse of the literal decodes them exactly.
    if (this.escaped) return JSON.parse(this.b.toString('utf8', start - 1, end + 1)) as string;
    return cache ? cache.get(this.b, start, end) : utf8(this.b, start, end);
  }

  /** Reads a string without escapes; returns the index of its first byte (its closing quote is at p - 1). */
  rawString(): number {
    const start = this.stringStart();
    this.stringEnd();
    if (this.escaped) throw new NotTaken('escaped string');
    return start;
  }

  /** Reads a string without escapes byte for byte: ids and integers, whose bytes are ASCII when valid. */
  ascii(): string {
    const start = this.rawString();
    return latin1(this.b, start, this.p - 1);
  }

  /** Reads a number, as JSON.parse would. */
  number(): number {
    this.next();
    const start = this.p;
    this.skipNumber();
    return Number(latin1(this.b, start, this.p));
  }

  /** Reads true or false. */
  boolean(): boolean {
    const c = this.next();
    if (c === 0x74) return this.literal(TRUE, true);
    if (c === 0x66) return this.literal(FALSE, false);
    throw new NotTaken('expected a boolean');
  }

  /** Skips any value, checking that it is JSON and at most MAX_DEPTH deep. */
  skip(): void {
    const c = this.next();
    this.skipped++;
    if (c === QUOTE) {
      this.p++;
      this.stringEnd();
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++this.depth > MAX_DEPTH) throw new TooDeep(`arrays and objects nested deeper than ${MAX_DEPTH}`);
      if (c === OPEN_OBJECT) {
        if (this.open(OPEN_OBJECT)) {
          do {
            // Names of skipped members are not compared: escapes are fine.
            this.stringStart();
            this.stringEnd();
            if (this.next() !== COLON) throw new NotTaken('expected :');
            this.p++;
            this.skip();
          } while (this.more(CLOSE_OBJECT));
        }
      } else if (this.open(OPEN_ARRAY)) {
        do this.skip();
        while (this.more(CLOSE_ARRAY));
      }
      this.depth--;
    } else if (c === 0x74) this.literal(TRUE, true);
    else if (c === 0x66) this.literal(FALSE, false);
    else if (c === 0x6e) this.literal(NULL, null);
    else this.skipNumber();
  }

  /** Checks that nothing but whitespace is left. */
  end(): void {
    if (this.next() !== undefined) throw new NotTaken('data after the document');
  }

  private pastWhitespace(): number | undefined {
    const b = this.b;
    let p = this.p;
    let c = b[p];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++p];
    this.p = p;
    return c;
  }

  private stringStart(): number {
    if (this.next() !== QUOTE) throw new NotTaken('expected a string');
    return ++this.p;
  }

  /** From inside a string: past its closing quote; returns the quote's index. */
  private stringEnd(): number {
    const b = this.b;
    let p = this.p;
    let escaped = false;
    for (;;) {
      let k;
      while ((k = IN_STRING[b[p]!]) === PLAIN) p++;
      if (k === END_QUOTE) break;
      if (k !== ESCAPE) throw new NotTaken('control character or end of input in a string');
      escaped = true;
      p = pastEscape(b, p + 1);
    }
    this.escaped = escaped;
    this.p = p + 1;
    return p;
  }

  private skipNumber(): void {
    const b = this.b;
    let p = this.p;
    if (b[p] === 0x2d) p++; // -
    if (b[p] === 0x30) p++; // a leading 0 stands alone
    else p = pastDigits(b, p);
    if (b[p] === 0x2e) p = pastDigits(b, p + 1); // .
    if (b[p] === 0x65 || b[p] === 0x45) { // e E
      p++;
      if (b[p] === 0x2b || b[p] === 0x2d) p++;
      p = pastDigits(b, p);
    }
    this.p = p;
  }

  private literal<T>(word: Uint8Array, value: T): T {
    const b = this.b;
    for (let i = 0; i < word.length; i++) if (b[this.p + i] !== word[i]) throw new NotTaken('unexpected literal');
    this.p += word.length;
    return value;
  }
}

/** Checks that `body` is one JSON document at most MAX_DEPTH deep (else DecodeError); returns how many values it holds. */
export function checkJson(body: Buffer): number {
  const c = new JsonCursor(body);
  try {
    c.skip();
    c.end();
  } catch (err) {
    if (err instanceof NotTaken) throw new DecodeError(`invalid JSON at byte ${c.p}: ${err.message}`);
    if (err instanceof TooDeep) throw new DecodeError(err.message);
    throw err;
  }
  return c.skipped;
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');
const NULL = Buffer.from('null');

function pastDigits(b: Buffer, p: number): number {
  const start = p;
  while (b[p]! >= 0x30 && b[p]! <= 0x39) p++;
  if (p === start) throw new NotTaken('expected a digit');
  return p;
}

/** Past the escape sequence whose letter is at p. */
function pastEscape(b: Buffer, p: number): number {
  const c = b[p];
  if (c === 0x75) { // \uXXXX
    for (let i = 1; i <= 4; i++) if (!isHexDigit(b[p + i])) throw new NotTaken('bad \\u escape');
    return p + 5;
  }
  // " \ / b f n r t
  if (c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) return p + 1;
  throw new NotTaken('bad escape');
}

function isHexDigit(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}
