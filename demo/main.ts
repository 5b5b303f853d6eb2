// npm start: runs the collector on embedded defaults, feeds it with the support-assistant demo (preloaded
// with @tokenledger/node/register, calling the real AWS SDK against local Bedrock-format endpoints),
// prints the cost-per-outcome report and leaves the collector running (--exit stops it after the report).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { METRIC_TRACES_OPEN } from '@tokenledger/semconv';
import { runSupportAssistant } from './app-runner.ts';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));
const COLLECTOR_MAIN = here('../collector/src/cli/collector-main.ts');
const TOKENLEDGER_CLI = here('../collector/src/cli/tokenledger.ts');

const { values } = parseArgs({ options: { exit: { type: 'boolean', default: false } } });
const env: NodeJS.ProcessEnv = {
  ...process.env,
  // Traces of the demo end within a second; finalise them quickly so the report is ready at once.
  TOKENLEDGER_TRACE_IDLE_MS: process.env.TOKENLEDGER_TRACE_IDLE_MS ?? '1000',
};
const otlpAddr = env.TOKENLEDGER_OTLP_ADDR ?? '127.0.0.1:4318';
const httpAddr = env.TOKENLEDGER_HTTP_ADDR ?? '127.0.0.1:9464';
const httpUrl = `http://${httpAddr.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}`;
const otlpUrl = `http://${otlpAddr.replace(/^0\.0\.0\.0:/, '127.0.0.1:')}`;

const collector = spawn(process.execPath, [COLLECTOR_MAIN], { env, stdio: ['ignore', 'inherit', 'inherit'] });
const collectorExit = exited(collector);
collectorExit.then((code) => {
  if (!stopping) {
    console.error(`demo: the collector exited (${code}); see its message above`);
    process.exit(1);
  }
});
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopping = true;
    collector.kill('SIGTERM');
  });
}

await waitFor(async () => (await fetch(`${httpUrl}/readyz`)).ok, 30_000, 'the collector to be ready');

const appCode = await runSupportAssistant({ ...env, OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl });
if (appCode !== 0) {
  console.error(`demo: the support assistant exited with ${appCode}`);
  stop(1);
}

// Every trace is finalised once no trace is open any more.
await waitFor(async () => openTraces(await (await fetch(`${httpUrl}/metrics`)).text()) === 0, 60_000, 'the traces to be finalised');
const report = spawn(process.execPath, [TOKENLEDGER_CLI, 'report', '--url', httpUrl, '--no-forecast'], { env, stdio: 'inherit' });
await exited(report);
console.log();
await exited(spawn(process.execPath, [TOKENLEDGER_CLI, 'report', '--url', httpUrl, '--group-by', 'tenant,workflow'], { env, stdio: 'inherit' }));

if (values.exit) stop(0);
else {
  console.log(`\ndemo: the collector keeps running: metrics ${httpUrl}/metrics, API ${httpUrl}/api/v1/outcomes, OTLP ${otlpUrl}`);
  console.log('demo: `npx tokenledger report` prints the table again; Ctrl-C stops it.');
}

function stop(code: number): void {
  stopping = true;
  collector.kill('SIGTERM');
  void collectorExit.then(() => process.exit(code));
}

function openTraces(metrics: string): number | undefined {
  const line = metrics.split('\n').find((l) => l.startsWith(`${METRIC_TRACES_OPEN} `) || l.startsWith(`${METRIC_TRACES_OPEN}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

function exited(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      console.error(`demo: gave up waiting for ${what} after ${timeoutMs / 1000}s`);
      stop(1);
      return new Promise(() => {});
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
