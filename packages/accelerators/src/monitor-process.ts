// Runs a monitor executable, hands its stdout to `onLine` line by line, and re-spawns it with capped
// exponential backoff when it is missing or exits. Nothing here throws into the host.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { diag } from '@opentelemetry/api';

export interface MonitorProcessOptions {
  /** Name for diag messages, e.g. `neuron-monitor`. */
  name: string;
  executable: string;
  args: string[];
  /** The env var that sets the executable, named in the message when it cannot be started. */
  pathVariable: string;
  restartDelayMs: number;
  maxRestartDelayMs: number;
  keepAlive: boolean;
  /** Called for each complete stdout line; returns true when the line was a good report. */
  onLine(line: string): boolean;
  /** Called when a new process starts, so per-run state can be reset. */
  onStart?(): void;
}

const STDERR_LINES_LOGGED = 20;
const KILL_GRACE_MS = 2000;

export class MonitorProcess {
  private readonly opts: MonitorProcessOptions;
  private child: ChildProcess | undefined;
  private timer: NodeJS.Timeout | undefined;
  private delayMs: number;
  private stopped = false;
  /** Kills the child when the host exits without calling stop(). */
  private readonly killOnExit = (): void => {
    this.child?.kill();
  };

  constructor(opts: MonitorProcessOptions) {
    this.opts = opts;
    this.delayMs = opts.restartDelayMs;
    process.once('exit', this.killOnExit);
    this.spawn();
  }

  stop(): Promise<void> {
    this.stopped = true;
    process.removeListener('exit', this.killOnExit);
    if (this.timer) clearTimeout(this.timer);
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      // A monitor that ignores SIGTERM is killed outright.
      const force = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      force.unref();
      child.once('close', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill();
    });
  }

  private spawn(): void {
    const { name, executable, args } = this.opts;
    let child: ChildProcess;
    try {
      child = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      diag.error(`tokenledger accelerators: cannot start ${name} (${executable})`, err);
      this.scheduleRestart();
      return;
    }
    this.child = child;
    this.opts.onStart?.();
    if (!this.opts.keepAlive) {
      child.unref();
      // The pipes are sockets that would hold the loop open too.
      (child.stdout as unknown as { unref?(): void }).unref?.();
      (child.stderr as unknown as { unref?(): void }).unref?.();
    }
    let failed = false;
    child.once('error', (err: NodeJS.ErrnoException) => {
      // ENOENT/EACCES arrive here; 'close' follows only if the process had started.
      failed = true;
      const hint = err.code === 'ENOENT' ? ` not found; set ${this.opts.pathVariable}` : ` failed to start (${err.code ?? err.message})`;
      diag.error(`tokenledger accelerators: ${name} at ${executable}${hint}; retrying in ${this.delayMs} ms`);
      if (this.child === child) this.child = undefined;
      this.scheduleRestart();
    });

    const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (line.trim() === '') return;
      let good = false;
      try {
        good = this.opts.onLine(line);
      } catch (err) {
        diag.error(`tokenledger accelerators: ${name} report could not be read`, err);
      }
      if (good) this.delayMs = this.opts.restartDelayMs; // a healthy run resets the backoff
    });
    let stderrLines = 0;
    createInterface({ input: child.stderr!, crlfDelay: Infinity }).on('line', (line) => {
      if (stderrLines++ < STDERR_LINES_LOGGED) diag.debug(`tokenledger accelerators: ${name} stderr: ${line}`);
    });

    child.once('close', (code, signal) => {
      if (failed || this.stopped) return;
      if (this.child === child) this.child = undefined;
      diag.warn(
        `tokenledger accelerators: ${name} exited (${signal ?? `code ${code}`}); restarting in ${this.delayMs} ms`,
      );
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    if (this.stopped || this.timer) return;
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.opts.maxRestartDelayMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.spawn();
    }, delay);
    if (!this.opts.keepAlive) this.timer.unref();
  }
}
