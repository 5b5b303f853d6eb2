// reportOutcome(): the business system's side of outcomes that arrive later and elsewhere. It sends the
// report to the collector's POST /api/v1/outcomes and never throws into the caller: failures go to diag
// and come back as { ok: false }.
import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { DEFAULT_COLLECTOR_URL, ENV_AUTH_TOKEN, ENV_COLLECTOR_URL } from './types.ts';
import type { OutcomeReport, ReportOutcomeOptions, ReportOutcomeResult } from './types.ts';

const PATH = '/api/v1/outcomes';

/**
 * Reports the outcome of an outcome key (see `withAttribution({ outcomeKey })`) to the collector. Repeating
 * the same report is harmless (the collector counts it once), so network errors, 429 and 5xx are retried;
 * a conflicting outcome for the key is refused (409) and not retried.
 */
export async function reportOutcome(report: OutcomeReport, options: ReportOutcomeOptions = {}): Promise<ReportOutcomeResult> {
  try {
    const base = options.url ?? process.env[ENV_COLLECTOR_URL] ?? DEFAULT_COLLECTOR_URL;
    const token = options.token ?? process.env[ENV_AUTH_TOKEN];
    const url = new URL(PATH, base);
    const time = report.time instanceof Date ? report.time.toISOString() : typeof report.time === 'number' ? new Date(report.time).toISOString() : undefined;
    const body = JSON.stringify({ key: report.key, outcome: report.outcome, success: report.success, ...(time !== undefined && { time }) });
    const headers: Record<string, string> = { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) };
    const attempts = Math.max(1, options.attempts ?? 3);
    let last: ReportOutcomeResult = { ok: false, status: 0 };
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 200 * 2 ** (i - 1)));
      last = await attempt(url, headers, body, options.timeoutMs ?? 5000);
      if (last.ok || (last.status !== 0 && last.status !== 429 && last.status < 500)) break;
    }
    if (!last.ok) diag.warn(`tokenledger: reportOutcome(${JSON.stringify(report.key)}) failed: ${last.status || 'no answer'} ${last.error ?? ''}`);
    return last;
  } catch (err) {
    diag.error('tokenledger: reportOutcome failed', err);
    return { ok: false, status: 0, error: String((err as Error)?.message ?? err) };
  }
}

async function attempt(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<ReportOutcomeResult> {
  try {
    // The report is not the app's work: no span for it.
    const res = await context.with(suppressTracing(context.active()), () =>
      fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) }));
    const text = await res.text();
    let doc: { result?: string; error?: string } = {};
    try {
      doc = JSON.parse(text) as typeof doc;
    } catch {
      doc = { error: text.slice(0, 200) };
    }
    return { ok: res.ok, status: res.status, ...(doc.result !== undefined && { result: doc.result }), ...(doc.error !== undefined && { error: doc.error }) };
  } catch (err) {
    return { ok: false, status: 0, error: String((err as Error)?.message ?? err) };
  }
}
