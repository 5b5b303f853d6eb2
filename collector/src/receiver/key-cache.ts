// Attribute keys repeat in every span of a request: remember each key's string and filter verdict so
// the decoder neither decodes nor re-filters it again. Bounded, so random keys cannot grow it.
import { asciiHash, sameAscii } from './byte-strings.ts';

const MAX_ENTRIES = 4096;

interface Entry {
  key: string;
  keep: boolean;
}

export class KeyCache {
  private readonly entries = new Map<number, Entry>();
  private readonly keep: (key: string) => boolean;

  constructor(keep: (key: string) => boolean) {
    this.keep = keep;
  }

  /** The key at buf[start, end) when the filter keeps it, else undefined. */
  lookup(buf: Uint8Array, start: number, end: number): string | undefined {
    const h = asciiHash(buf, start, end); // kept names are ASCII: other keys are not remembered
    const e = h < 0 ? undefined : this.entries.get(h);
    if (e && sameAscii(e.key, buf, start, end)) return e.keep ? e.key : undefined;
    const key = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
    const keep = this.keep(key);
    if (h >= 0 && !e && this.entries.size < MAX_ENTRIES) this.entries.set(h, { key, keep });
    return keep ? key : undefined;
  }
}
