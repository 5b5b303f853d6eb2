import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { eventually, FIXTURES, scenario, type Scenario } from './harness.ts';
import { neuronReport } from './reports.ts';

const INDEX = join(import.meta.dirname, '../src/index.ts');

let current: Scenario | undefined;
afterEach(() => current?.cleanup());

/** Running (an exited orphan may linger as a zombie until init reaps it: that counts as ended). */
function running(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

it('never keeps the host alive: the host exits on its own and takes the monitor with it', async () => {
  current = scenario([{ lines: [neuronReport({ utilization: { '0': 50 }, completed: 1 })] }]);
  const configFile = join(current.dir, 'monitor.conf');
  writeFileSync(configFile, '{}');
  // The host starts the metrics, waits for a first report, then has nothing left to do.
  const host = spawn(
    process.execPath,
    [
      '-e',
      `import(${JSON.stringify(INDEX)}).then(async (m) => {
        const a = m.startAcceleratorMetrics(m.acceleratorConfigFromEnv());
        while (!a.snapshot()) await new Promise((r) => setTimeout(r, 10));
        console.log('reported');
      })`,
    ],
    {
      env: {
        ...process.env,
        TOKENLEDGER_ACCELERATORS: 'neuron',
        TOKENLEDGER_NEURON_MONITOR_PATH: join(FIXTURES, 'neuron-monitor'),
        TOKENLEDGER_NEURON_MONITOR_CONFIG: configFile,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  host.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const [code] = await once(host, 'exit');
  expect(out).toBe('reported\n');
  expect(code).toBe(0);
  const [pid] = current.pids();
  await eventually(() => expect(running(pid!)).toBe(false));
});
