// Helpers for the stack tests: a TokenLedger collector on ephemeral ports, a real Prometheus (Debian's)
// scraping it every second, and a reader for the Prometheus text format.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { Collector } from '../collector/src/collector.ts';
import { configFromEnv } from '../collector/src/config/env.ts';
import { startOtlpReceiver } from '../collector/src/receiver/index.ts';

export interface RunningCollector {
  collector: Collector;
  /** The metrics/API listener. */
  base: string;
  /** The OTLP/HTTP receiver (POST /v1/traces). */
  otlp: string;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * A collector with its OTLP receiver and HTTP API on ephemeral ports, finalising traces 200 ms after their last span;
 * `env` adds or overrides TOKENLEDGER_* variables (capacity and budget ones included).
 */
export async function startCollector(env: Record<string, string> = {}): Promise<RunningCollector> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tokenledger-stack-'));
  // Every add-on as the bin has them: capacity, budget gauges and routes (TOKENLEDGER_BUDGETS_FILE in `env`).
  const collector = new Collector({
    config: configFromEnv({
      TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_HTTP_ADDR: '127.0.0.1:0', TOKENLEDGER_OTLP_ADDR: '127.0.0.1:0', TOKENLEDGER_TRACE_IDLE_MS: '200',
      TOKENLEDGER_SQLITE_SYNCHRONOUS: 'NORMAL', TOKENLEDGER_BUDGETS_REFRESH_MS: '250', ...env,
    }),
  });
  const { http, otlp } = await collector.listen(startOtlpReceiver);
  return {
    collector,
    base: `http://127.0.0.1:${http.port}`,
    otlp: `http://127.0.0.1:${(otlp as AddressInfo).port}`,
    dataDir,
    close: async () => {
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function until<T>(what: string, check: () => Promise<T | undefined | false>, tries = 300, everyMs = 100): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`never: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

/** Finalised traces so far, from /api/v1/outcomes. */
export async function finalisedTraces(base: string): Promise<number> {
  const body = (await (await fetch(`${base}/api/v1/outcomes?group_by=workflow`)).json()) as { rows: { outcomes: number }[] };
  return body.rows.reduce((n, r) => n + r.outcomes, 0);
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Samples of the Prometheus text format (comments skipped), and the families it declares. */
export function parseExposition(text: string): { samples: Sample[]; families: Set<string> } {
  const samples: Sample[] = [];
  const families = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) /.exec(line);
    if (type) families.add(type[1]!);
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not exposition format: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, families };
}

export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

export interface RunningPrometheus {
  url: string;
  /** An instant query; the result vector (or scalar as one sample). */
  query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  labelValues(label: string, match: string): Promise<string[]>;
  /** The exemplars Prometheus stored for the series of `selector` (exemplar storage is on). */
  exemplars(selector: string): Promise<{ seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string; timestamp: number }[] }[]>;
  close(): Promise<void>;
}

/**
 * Debian's prometheus, scraping `targets` every second, on an ephemeral port and a temporary TSDB, with exemplar
 * storage on (a feature flag, as in the compose stack): it then asks for OpenMetrics and keeps exemplars.
 */
export async function startPrometheus(targets: string[]): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'tokenledger-prometheus-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, [
    'global:', '  scrape_interval: 1s', '  evaluation_interval: 1s',
    'scrape_configs:', '  - job_name: tokenledger', '    static_configs:', `      - targets: [${targets.map((t) => `"${t}"`).join(', ')}]`, '',
  ].join('\n'));
  const port = await freePort();
  const child: ChildProcess = spawn('prometheus', [
    `--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn',
    '--enable-feature=exemplar-storage',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const api = async (path: string, params: Record<string, string>) => {
    const res = await fetch(`${url}${path}?${new URLSearchParams(params)}`);
    const body = (await res.json()) as { status: string; data: any; error?: string };
    if (body.status !== 'success') throw new Error(`${path} ${JSON.stringify(params)}: ${body.error}`);
    return body.data;
  };
  await until(`prometheus ready (${stderr})`, async () => child.exitCode === null && (await fetch(`${url}/-/ready`)).ok, 200);
  return {
    url,
    query: async (expr) => {
      const data = await api('/api/v1/query', { query: expr });
      return data.resultType === 'scalar' ? [{ metric: {}, value: data.result }] : data.result;
    },
    labelValues: (label, match) => api(`/api/v1/label/${label}/values`, { 'match[]': match }),
    exemplars: (selector) => api('/api/v1/query_exemplars', { query: selector, start: String(Math.floor(Date.now() / 1000) - 3600), end: String(Math.ceil(Date.now() / 1000) + 3600) }),
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs the compose file's demo command here as compose would in its container (same command and
 * environment, the gateway's address replaced by `tl`'s receiver), and waits for its traces to finalise.
 */
export async function runComposeDemo(tl: RunningCollector): Promise<{ code: number | null; output: string }> {
  const repo = join(import.meta.dirname, '..');
  const compose = parse(readFileSync(join(repo, 'docker-compose.yml'), 'utf8'), { merge: true }) as { services: Record<string, { command: string[]; environment: Record<string, string> }> };
  const [cmd, ...args] = compose.services.demo!.command;
  const child = spawn(cmd === 'node' ? process.execPath : cmd!, args, {
    cwd: repo,
    env: { ...process.env, ...compose.services.demo!.environment, OTEL_EXPORTER_OTLP_ENDPOINT: tl.otlp },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  if (code === 0) {
    await until('the demo\'s traces finalised', async () =>
      (await finalisedTraces(tl.base)) > 0 && (await (await fetch(`${tl.base}/metrics`)).text()).includes('tokenledger_collector_traces_open 0'));
  }
  return { code, output };
}
