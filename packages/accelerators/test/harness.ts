// Test plumbing: stand-in monitor scenarios, an in-memory metric reader, captured diag messages.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { vi } from 'vitest';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

export interface Run {
  lines: (Record<string, unknown> | string)[];
  exit?: number;
  partial?: string;
  ignoreTerm?: boolean;
}

export interface Scenario {
  dir: string;
  /** The argv each start of the stand-in received, in order. */
  starts(): string[][];
  /** The process id of each start. */
  pids(): number[];
  cleanup(): void;
}

/** Writes the scenario and points the stand-ins at it (they inherit this process's env). */
export function scenario(runs: Run[]): Scenario {
  const dir = mkdtempSync(join(tmpdir(), 'tl-accel-'));
  const stateDir = join(dir, 'state');
  mkdirSync(stateDir);
  writeFileSync(join(dir, 'scenario.json'), JSON.stringify({ runs }));
  process.env.STANDIN_SCENARIO = join(dir, 'scenario.json');
  process.env.STANDIN_STATE_DIR = stateDir;
  const started = (): { args: string[]; pid: number }[] =>
    readdirSync(stateDir)
      .sort((a, b) => Number(a.slice(4, -5)) - Number(b.slice(4, -5)))
      .map((f) => JSON.parse(readFileSync(join(stateDir, f), 'utf8')) as { args: string[]; pid: number });
  return {
    dir,
    starts: () => started().map((r) => r.args),
    pids: () => started().map((r) => r.pid),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface Point {
  attributes: Record<string, unknown>;
  value: number;
}

export interface TestMetrics {
  meterProvider: MeterProvider;
  /** The points of one metric, collected now. */
  points(name: string): Promise<Point[]>;
  /** The one point of `name` whose attributes include `match`. */
  value(name: string, match: Record<string, unknown>): Promise<number | undefined>;
}

export function testMetrics(): TestMetrics {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const points = async (name: string): Promise<Point[]> => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((s) =>
      s.metrics
        .filter((m) => m.descriptor.name === name)
        .flatMap((m) => m.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value as number }))),
    );
  };
  return {
    meterProvider,
    points,
    async value(name, match) {
      const found = (await points(name)).filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
      if (found.length > 1) throw new Error(`${found.length} points of ${name} match ${JSON.stringify(match)}`);
      return found[0]?.value;
    },
  };
}

/** Collects diag messages at every level from now on. */
export function captureDiag(): string[] {
  const messages: string[] = [];
  const log = (message: string, ...args: unknown[]): void => {
    messages.push([message, ...args.map(String)].join(' '));
  };
  const logger: DiagLogger = { error: log, warn: log, info: log, debug: log, verbose: log };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  return messages;
}

/** Waits for `check` to pass; generous, since spawning processes is slow on a loaded machine. */
export function eventually<T>(check: () => T, timeout = 15_000): Promise<T> {
  return vi.waitFor(check, { timeout, interval: 20 });
}
