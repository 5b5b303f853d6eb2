// Attribute keys repeat in every span of a request: remember each key's bytes, string and filter verdict so
// the decoder neither decodes nor re-filters it again. Bounded, so random keys cannot grow it.

const MAX_ENTRIES = 4096;

interface Entry {
  bytes: Uint8Array;
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
    let h = 0x811c9dc5; // FNV-1a
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    const e = this.entries.get(h);
    if (e && sameBytes(e.bytes, buf, start, end)) return e.keep ? e.key : undefined;
    const key = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
    const keep = this.keep(key);
    if (!e && this.entries.size < MAX_ENTRIES) this.entries.set(h, { bytes: buf.slice(start, end), key, keep });
    return keep ? key : undefined;
  }
}

function sameBytes(a: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[start + i]) return false;
  return true;
}
