// The forecast section of `tokenledger report`: month-end forecast per tenant and workflow.
import { FORECAST_PATH } from './routes.ts';
import type { ForecastRow } from './types.ts';

interface ForecastDoc {
  asOf: string;
  monthEnd: string;
  windowDays: number;
  rows: ForecastRow[];
}

/** Fetches /api/v1/forecast from `base`; empty when the collector has none to give. */
export async function forecastSection(base: string, headers: Record<string, string>): Promise<string> {
  let doc: ForecastDoc;
  try {
    const res = await fetch(new URL(FORECAST_PATH, base), { headers });
    if (!res.ok) return '';
    doc = (await res.json()) as ForecastDoc;
  } catch {
    return '';
  }
  return formatForecast(doc);
}

export function formatForecast(doc: ForecastDoc): string {
  const title = `Month-end forecast (as of ${doc.asOf}; month to date + ${doc.windowDays}-day trailing rate × time left)`;
  if (doc.rows.length === 0) return `${title}\n\nNo spend this month.`;
  const money = (v: number | undefined) => (v === undefined ? '—' : `$${v.toFixed(2)}`);
  const header = ['scope', 'name', 'month to date', 'per day', 'forecast', 'budget', 'forecast/budget'];
  const cells = doc.rows.map((r) => [
    r.scope, r.name, money(r.monthToDateUsd), money(r.dailyRateUsd), money(r.forecastUsd), money(r.budgetUsd),
    r.budgetUsd ? `${((100 * r.forecastUsd) / r.budgetUsd).toFixed(0)}%` : '—',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((s, i) => (i < 2 ? s.padEnd(widths[i]!) : s.padStart(widths[i]!))).join('  ').trimEnd();
  return [title, '', line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}
