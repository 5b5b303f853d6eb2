// The collector's program as a child process, for tests that kill, restart and signal it: its sources (the bin
// runs the same file built; test/installed-packages.test.ts proves the built one), with the repository's Node.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const main = join(import.meta.dirname, '../src/cli/collector-main.ts');
/** Runs the program with `env` (NODE_OPTIONS from the test run carries the source condition). */
export function spawnCollector(env: Record<string, string | undefined>, stdio: ('ignore' | 'pipe' | 'inherit')[]): ChildProcess {
  return spawn(process.execPath, [main], { env: { ...process.env, ...env }, stdio });
}
const children: ChildProcess[] = [];

export interface Running {
  child: ChildProcess;
  otlp: string;
  http: string;
  /** Everything the process printed on stdout so far. */
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>;
}

/** Starts the bin on ephemeral ports and resolves once it prints its listening line. */
export async function startCollector(env: Record<string, string>): Promise<Running> {
  const child = spawnCollector({ TOKENLEDGER_OTLP_ADDR: '127.0.0.1:0', TOKENLEDGER_HTTP_ADDR: '127.0.0.1:0', ...env }, ['ignore', 'pipe', 'inherit']);
  children.push(child);
  let stdout = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stdout })));
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /tokenledger-collector listening .*/.exec(stdout);
      if (m) resolve(m[0]);
    });
    void exited.then((e) => reject(new Error(`collector exited (${e.code ?? e.signal}) before listening`)));
  });
  return { child, exited, stdout: () => stdout, otlp: /otlp=(\S+)/.exec(line)![1]!, http: /http=(\S+)/.exec(line)![1]! };
}

/** Kills every child still running (afterAll). */
export function stopAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}

/** Sum of every series of `name` on /metrics. */
export async function scrapeTotal(http: string, name: string, headers: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${http}/metrics`, { headers })).text();
  let total = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) total += Number(m[1]);
  return total;
}

/** Polls `check` every 100 ms until it holds (at most 50 s); fails at once if `process` has exited. */
export async function until(what: string, check: () => Promise<boolean>, process?: ChildProcess): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (process && (process.exitCode !== null || process.signalCode !== null)) throw new Error(`the collector exited (${process.exitCode ?? process.signalCode}) before: ${what}`);
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never: ${what}`);
}
