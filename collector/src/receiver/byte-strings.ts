// Strings from a buffer's bytes: decoded by Buffer's own slice decoders, or recognised without decoding
// (a hash of the bytes picks a remembered string, then compared with them character by character; only
// for ASCII, where a string's character codes are its bytes).

// toString() adds argument handling to every call.
interface Slicing {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

export function utf8(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as Slicing).utf8Slice(start, end);
}

/** For bytes that are ASCII when valid (ids, numbers): byte for byte. */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as Slicing).latin1Slice(start, end);
}

/** FNV-1a of buf[start, end) as a non-negative int, or -1 when a byte is not ASCII. */
export function asciiHash(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  let high = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    high |= c;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return high < 0x80 ? h >>> 1 : -1;
}

/** Whether the ASCII string s is the bytes buf[start, end). */
export function sameAscii(s: string, buf: Uint8Array, start: number, end: number): boolean {
  if (s.length !== end - start) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== buf[start + i]) return false;
  return true;
}
