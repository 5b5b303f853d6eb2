// The cost-per-outcome table: aligned columns, dollar amounts, cost per successful outcome first.
import type { OutcomeRow } from '../store/outcomes-query.ts';

interface Column {
  title: string;
  right: boolean;
  cells: string[];
}

export function formatReport(groupBy: string[], rows: OutcomeRow[], window: string): string {
  if (rows.length === 0) return `No finalised traces in ${window}.`;
  const sum = (f: (r: OutcomeRow) => number) => rows.reduce((t, r) => t + f(r), 0);
  const total: OutcomeRow = {
    group: Object.fromEntries(groupBy.map((k, i) => [k, i === 0 ? 'TOTAL' : ''])),
    costUsd: sum((r) => r.costUsd),
    outcomes: sum((r) => r.outcomes),
    successes: sum((r) => r.successes),
    costPerSuccessUsd: null,
    retryCostUsd: sum((r) => r.retryCostUsd),
    tokens: {
      input: sum((r) => r.tokens.input), cacheRead: sum((r) => r.tokens.cacheRead),
      cacheWrite: sum((r) => r.tokens.cacheWrite), output: sum((r) => r.tokens.output),
    },
    unpricedCalls: sum((r) => r.unpricedCalls ?? 0),
    unknownUsageCalls: sum((r) => r.unknownUsageCalls ?? 0),
    costExcludingCacheUsd: sum((r) => r.costExcludingCacheUsd ?? 0),
  };
  total.costPerSuccessUsd = total.successes > 0 ? total.costUsd / total.successes : null;
  const all = [...rows, total];
  const columns: Column[] = [
    ...groupBy.map((k) => ({ title: k, right: false, cells: all.map((r) => r.group[k as keyof OutcomeRow['group']] ?? '') })),
    money('cost/success', all.map((r) => r.costPerSuccessUsd)),
    { title: 'successes', right: true, cells: all.map((r) => String(r.successes)) },
    { title: 'outcomes', right: true, cells: all.map((r) => String(r.outcomes)) },
    { title: 'success %', right: true, cells: all.map((r) => (r.outcomes > 0 ? `${((100 * r.successes) / r.outcomes).toFixed(1)}%` : '—')) },
    marked(money('total cost', all.map((r) => r.costUsd)), all.map((r) => (r.costExcludingCacheUsd ?? 0) > 0)),
    money('retry cost', all.map((r) => r.retryCostUsd)),
    { title: 'tokens in/out', right: true, cells: all.map((r) => `${compact(r.tokens.input + r.tokens.cacheRead + r.tokens.cacheWrite)}/${compact(r.tokens.output)}`) },
    // Never priced at $0: calls without a price, and of them those whose spans reported no usage at all.
    { title: 'unpriced (unknown usage)', right: true, cells: all.map((r) => `${r.unpricedCalls ?? 0}${r.unknownUsageCalls ? ` (${r.unknownUsageCalls})` : ''}`) },
  ];
  const widths = columns.map((c) => Math.max(c.title.length, ...c.cells.map((s) => s.length)));
  const line = (cells: string[]) =>
    cells.map((s, i) => (columns[i]!.right ? s.padStart(widths[i]!) : s.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [`Cost per successful outcome, ${window}`, '', line(columns.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w)))];
  all.forEach((_, r) => {
    if (r === all.length - 1) out.push(line(widths.map((w) => '-'.repeat(w))));
    out.push(line(columns.map((c) => c.cells[r]!)));
  });
  const notes: string[] = [];
  if ((total.costExcludingCacheUsd ?? 0) > 0) {
    notes.push(`† $${total.costExcludingCacheUsd.toFixed(6)} of the cost is priced without cache effects: the instrumentation that wrote those spans drops their cache counts.`);
  }
  if ((total.unknownUsageCalls ?? 0) > 0) notes.push(`${total.unknownUsageCalls} model calls reported no usage: their cost is unknown and not in the totals.`);
  if (notes.length) out.push('', ...notes);
  return out.join('\n');
}

/** A † after the amounts of rows that hold cost priced without cache effects. */
function marked(c: Column, flags: boolean[]): Column {
  return { ...c, cells: c.cells.map((v, i) => (flags[i] ? `${v} †` : v)) };
}

/** Dollar amounts with one number of decimals per column, enough for the smallest to show 3 digits. */
function money(title: string, values: (number | null)[]): Column {
  const nonZero = values.filter((v): v is number => v !== null && v > 0);
  const smallest = nonZero.length ? Math.min(...nonZero) : 1;
  const decimals = Math.min(6, Math.max(2, Math.ceil(-Math.log10(smallest)) + 2));
  return { title, right: true, cells: values.map((v) => (v === null ? '—' : `$${v.toFixed(decimals)}`)) };
}

function compact(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}
