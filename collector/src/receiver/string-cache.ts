// Attribute values and span names repeat across the spans of a request (provider, model, tenant,
// operation): the same bytes give the same string, without decoding them again (a native call per
// string, and a new string to collect). Direct-mapped, so values that never repeat (ids, hashes) only
// take each other's slots: the cache stays bounded and costs them a hash.
import { asciiHash, sameAscii, utf8 } from './byte-strings.ts';

const SLOTS = 1024;
/** Longer values are rarely repeated labels: decoded without hashing. */
const MAX_LENGTH = 64;

export class StringCache {
  private readonly slots: string[] = new Array<string>(SLOTS).fill('');

  /** The string of buf[start, end), which holds no escapes. */
  get(buf: Buffer, start: number, end: number): string {
    const h = end - start > MAX_LENGTH ? -1 : asciiHash(buf, start, end);
    if (h < 0) return utf8(buf, start, end);
    const slot = h & (SLOTS - 1);
    const cached = this.slots[slot]!;
    if (sameAscii(cached, buf, start, end)) return cached;
    return (this.slots[slot] = utf8(buf, start, end));
  }
}
