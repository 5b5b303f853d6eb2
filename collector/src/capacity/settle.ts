// The capacity rule for one instance and one interval.
import type { ServedRequest, Settlement } from './types.ts';

const MS_PER_HOUR = 3_600_000;

/**
 * capacity = hourly price × interval length. Utilisation u = the mean of the accelerator samples of the
 * interval; with none, 1 if any request was served, else 0 (a host with traffic and no monitor is taken
 * as busy). The busy part, capacity × u, is attributed to the requests served, each its share by tokens
 * (equal shares when none report tokens); with no request it cannot be attributed, so all is idle.
 * Idle = capacity − attributed.
 */
export function settle(hourlyUsd: number, durationMs: number, requests: readonly ServedRequest[], samples: readonly number[]): Settlement {
  const capacityUsd = (hourlyUsd * durationMs) / MS_PER_HOUR;
  const measured = samples.length > 0 ? samples.reduce((s, u) => s + u, 0) / samples.length : undefined;
  const utilization = Math.min(1, Math.max(0, measured ?? (requests.length > 0 ? 1 : 0)));
  const attributedUsd = requests.length > 0 ? capacityUsd * utilization : 0;
  const tokens = requests.reduce((s, r) => s + r.tokens, 0);
  const shares = requests.map((r) => (tokens > 0 ? (attributedUsd * r.tokens) / tokens : attributedUsd / requests.length));
  return { capacityUsd, attributedUsd, idleUsd: capacityUsd - attributedUsd, utilization, shares };
}
