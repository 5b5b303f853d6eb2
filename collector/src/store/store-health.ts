// Whether the store takes writes. A failed write (a full disk, an I/O error) marks it failing: the collector then
// refuses new spans (503 + Retry-After), /readyz answers 503, and the finaliser retries; the first write that
// succeeds again clears it. Nothing acknowledged is touched: what failed was rolled back and is retried.
import { diag } from '@opentelemetry/api';
import type { StoreOperation } from '@tokenledger/semconv';

/** How often a failing store is tried again. */
export const STORE_RETRY_MS = 1000;
const REPORT_EVERY_MS = 60_000;

export class StoreHealth {
  private failingSince?: number;
  private lastReportMs = -Infinity;
  private readonly now: () => number;
  private readonly counted: (operation: StoreOperation) => void;

  constructor(o: { now: () => number; counted?: (operation: StoreOperation) => void }) {
    this.now = o.now;
    this.counted = o.counted ?? (() => {});
  }

  get writable(): boolean {
    return this.failingSince === undefined;
  }

  /** A write failed: reported to diag at once, then once a minute while it keeps failing. */
  failed(operation: StoreOperation, err: unknown): void {
    this.counted(operation);
    const now = this.now();
    if (this.failingSince === undefined) this.failingSince = now;
    if (now - this.lastReportMs < REPORT_EVERY_MS) return;
    this.lastReportMs = now;
    const since = now - this.failingSince;
    diag.error(`tokenledger collector: the store cannot write (${operation}${since > 0 ? `, failing for ${Math.round(since / 1000)} s` : ''}): new spans get 503 and /readyz 503 until a retry succeeds`, err);
  }

  /** A write succeeded. */
  succeeded(): void {
    if (this.failingSince === undefined) return;
    diag.warn(`tokenledger collector: the store writes again after ${Math.round((this.now() - this.failingSince) / 1000)} s; taking spans`);
    this.failingSince = undefined;
    this.lastReportMs = -Infinity;
  }
}
