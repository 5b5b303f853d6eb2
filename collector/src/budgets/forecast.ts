// Month-end forecast: month-to-date spend + the trailing window's rate × the time left in the month.
// The window is the last N days, shortened to the time this collector has data for (a collector
// started yesterday has one day of trend, not seven days with six of them empty), at least an hour.

export const DAY_MS = 86_400_000;
const MIN_WINDOW_MS = 3_600_000;

/** The current UTC calendar month: [start, end). */
export function monthBounds(nowMs: number): { startMs: number; endMs: number } {
  const d = new Date(nowMs);
  return { startMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1), endMs: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
}

/** The trailing window the rate is measured over: [startMs, nowMs]. */
export function trendWindow(nowMs: number, windowDays: number, firstDataMs: number | undefined): { startMs: number; lengthMs: number } {
  const startMs = Math.max(nowMs - windowDays * DAY_MS, firstDataMs ?? nowMs);
  return { startMs, lengthMs: Math.max(nowMs - startMs, MIN_WINDOW_MS) };
}

/** Month to date + (window spend ÷ window length) × time left in the month. */
export function forecastMonth(monthToDate: number, windowSpend: number, windowLengthMs: number, nowMs: number, monthEndMs: number): { dailyRate: number; forecast: number } {
  const perMs = windowSpend / windowLengthMs;
  return { dailyRate: perMs * DAY_MS, forecast: monthToDate + perMs * Math.max(0, monthEndMs - nowMs) };
}
