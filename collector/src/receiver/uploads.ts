// What request bodies may hold while they arrive: a byte budget for all of them and a smaller one per peer (so
// a few connections from one place cannot take it all), and a minimum upload rate (so a stalled upload cannot
// keep what it holds: it is cut once a window passes with too few bytes).

/** Refused for the in-flight budget: of all requests (`total`) or of the peer's (`peer`). */
export class InFlightExhausted extends Error {
  override name = 'InFlightExhausted';
  readonly scope: 'total' | 'peer';
  constructor(scope: 'total' | 'peer') {
    super(scope === 'total' ? 'too many request bytes in flight' : 'too many request bytes in flight from this peer');
    this.scope = scope;
  }
}

export class UploadTooSlow extends Error {
  override name = 'UploadTooSlow';
}

/** Half of the budget, but at least one body: one peer can always send a body of the limit. */
export function defaultPeerInFlight(maxBodyBytes: number, maxInFlightBytes: number): number {
  return Math.min(maxInFlightBytes, Math.max(maxBodyBytes, Math.floor(maxInFlightBytes / 2)));
}

export class InFlightBudget {
  private total = 0;
  private readonly byPeer = new Map<string, number>();
  private readonly max: number;
  private readonly maxPerPeer: number;

  constructor(max: number, maxPerPeer: number) {
    this.max = max;
    this.maxPerPeer = Math.min(max, maxPerPeer);
  }

  /** Whether a new request may start at all. */
  full(peer: string): InFlightExhausted | undefined {
    if (this.total >= this.max) return new InFlightExhausted('total');
    if ((this.byPeer.get(peer) ?? 0) >= this.maxPerPeer) return new InFlightExhausted('peer');
    return undefined;
  }

  /** Takes `n` bytes for `peer`, or throws InFlightExhausted. */
  hold(peer: string, n: number): void {
    const mine = this.byPeer.get(peer) ?? 0;
    if (this.total + n > this.max) throw new InFlightExhausted('total');
    if (mine + n > this.maxPerPeer) throw new InFlightExhausted('peer');
    this.total += n;
    this.byPeer.set(peer, mine + n);
  }

  release(peer: string, n: number): void {
    if (n === 0) return;
    this.total -= n;
    const left = (this.byPeer.get(peer) ?? 0) - n;
    if (left > 0) this.byPeer.set(peer, left);
    else this.byPeer.delete(peer);
  }

  /** Bytes held by all requests (tests: nothing leaks). */
  get held(): number {
    return this.total;
  }
}

interface Upload {
  windowStart: number;
  windowBytes: number;
  abort: AbortController;
}

/**
 * Watches uploads in progress: every `windowMs` each must have brought `bytesPerSecond × window` bytes, else it
 * is aborted with UploadTooSlow. One timer for all of them, running only while there are any.
 */
export class UploadWatch {
  private readonly uploads = new Set<Upload>();
  private readonly bytesPerSecond: number;
  private readonly windowMs: number;
  private timer?: NodeJS.Timeout;

  constructor(bytesPerSecond: number, windowMs: number) {
    this.bytesPerSecond = bytesPerSecond;
    this.windowMs = windowMs;
  }

  /** Starts watching; call progress() as bytes arrive and done() at the end. Off when the rate is 0. */
  watch(): { signal: AbortSignal; progress(n: number): void; done(): void } {
    const abort = new AbortController();
    if (this.bytesPerSecond <= 0) return { signal: abort.signal, progress: () => {}, done: () => {} };
    const u: Upload = { windowStart: Date.now(), windowBytes: 0, abort };
    this.uploads.add(u);
    this.timer ??= setInterval(() => this.check(), Math.max(50, Math.floor(this.windowMs / 5))).unref();
    return {
      signal: abort.signal,
      progress: (n) => {
        u.windowBytes += n;
      },
      done: () => {
        this.uploads.delete(u);
        if (this.uploads.size === 0) this.stop();
      },
    };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const now = Date.now();
    for (const u of this.uploads) {
      const elapsed = now - u.windowStart;
      if (elapsed < this.windowMs) continue;
      if (u.windowBytes < (this.bytesPerSecond * elapsed) / 1000) {
        this.uploads.delete(u);
        u.abort.abort(new UploadTooSlow(`the body arrived at ${Math.round((u.windowBytes * 1000) / elapsed)} bytes/s, below the minimum of ${this.bytesPerSecond}`));
      } else {
        u.windowStart = now;
        u.windowBytes = 0;
      }
    }
    if (this.uploads.size === 0) this.stop();
  }
}
