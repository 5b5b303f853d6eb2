import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LABEL_INSTANCE_ID, NEURON_EXECUTION_STATUS_TOTAL, NEURON_NEURONCORE_UTILIZATION_RATIO } from '@tokenledger/semconv';
import { runAcceleratorAgent } from '../src/index.ts';
import { eventually, FIXTURES, scenario, type Scenario } from './harness.ts';
import { INSTANCE_ID, neuronReport } from './reports.ts';

const AGENT = join(import.meta.dirname, '../src/agent.ts');

interface Received {
  path: string;
  contentType: string;
  body: Buffer;
}

let server: Server | undefined;
let agent: ChildProcess | undefined;
let current: Scenario | undefined;
afterEach(async () => {
  if (agent && agent.exitCode === null) agent.kill('SIGKILL');
  server?.close();
  current?.cleanup();
});

/** A local OTLP/HTTP metrics receiver that records every request. */
async function receiver(): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? '';
      received.push({ path: req.url ?? '', contentType, body: Buffer.concat(chunks) });
      res.writeHead(200, { 'content-type': contentType });
      res.end(contentType.includes('json') ? '{}' : '');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`, received };
}

function startAgent(endpoint: string, env: Record<string, string> = {}): { exit: Promise<number | null>; stderr: string[] } {
  current = scenario([{ lines: [neuronReport({ utilization: { '0': 89.02 }, completed: 14 })] }]);
  const configFile = join(current.dir, 'monitor.conf');
  writeFileSync(configFile, '{}');
  agent = spawn(
    process.execPath,
    ['-e', `import(${JSON.stringify(AGENT)}).then(async (m) => { process.exitCode = await m.runAcceleratorAgent([]); })`],
    {
      env: {
        ...process.env,
        TOKENLEDGER_ACCELERATORS: 'neuron',
        TOKENLEDGER_NEURON_MONITOR_PATH: join(FIXTURES, 'neuron-monitor'),
        TOKENLEDGER_NEURON_MONITOR_CONFIG: configFile,
        OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: endpoint,
        OTEL_METRIC_EXPORT_INTERVAL: '100',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  const stderr: string[] = [];
  agent.stderr!.on('data', (c: Buffer) => stderr.push(c.toString()));
  const exit = once(agent, 'exit').then(([code]) => code as number | null);
  return { exit, stderr };
}

interface JsonPoint {
  asDouble?: number;
  asInt?: string | number;
  attributes: { key: string; value: { stringValue?: string } }[];
}

function jsonPoints(received: Received[], name: string): JsonPoint[] {
  return received.flatMap((r) => {
    const doc = JSON.parse(r.body.toString()) as {
      resourceMetrics: { scopeMetrics: { metrics: { name: string; gauge?: { dataPoints: JsonPoint[] }; sum?: { dataPoints: JsonPoint[] } }[] }[] }[];
    };
    return doc.resourceMetrics.flatMap((rm) =>
      rm.scopeMetrics.flatMap((sm) => sm.metrics.filter((m) => m.name === name).flatMap((m) => (m.gauge ?? m.sum)!.dataPoints)),
    );
  });
}

describe('tokenledger accelerator-agent', () => {
  it('exports the monitor’s metrics over OTLP/HTTP JSON and exits 0 on SIGTERM', async () => {
    const { url, received } = await receiver();
    const { exit } = startAgent(url, { OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json' });
    await eventually(() => expect(jsonPoints(received, NEURON_NEURONCORE_UTILIZATION_RATIO).length).toBeGreaterThan(0));
    const [point] = jsonPoints(received, NEURON_NEURONCORE_UTILIZATION_RATIO);
    expect(point!.asDouble).toBeCloseTo(0.8902, 9);
    expect(point!.attributes).toContainEqual({ key: LABEL_INSTANCE_ID, value: { stringValue: INSTANCE_ID } });
    expect(received.every((r) => r.path === '/v1/metrics' && r.contentType.includes('application/json'))).toBe(true);
    expect(Number(jsonPoints(received, NEURON_EXECUTION_STATUS_TOTAL).at(-1)!.asDouble ?? 0)).toBe(14);

    agent!.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(current!.starts()).toHaveLength(1);
  });

  it('exports protobuf by default', async () => {
    const { url, received } = await receiver();
    const { exit } = startAgent(url);
    await eventually(
      () => expect(received.some((r) => r.body.includes(NEURON_NEURONCORE_UTILIZATION_RATIO) && r.body.includes(INSTANCE_ID))).toBe(true),
    );
    expect(received.every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
    agent!.kill('SIGTERM');
    expect(await exit).toBe(0);
  });

  it('refuses to start without TOKENLEDGER_ACCELERATORS or with a bad protocol', async () => {
    expect(await runAcceleratorAgent([], {})).toBe(2);
    expect(await runAcceleratorAgent([], { TOKENLEDGER_ACCELERATORS: 'neuron', OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'grpc' })).toBe(2);
    expect(await runAcceleratorAgent(['--help'])).toBe(0);
  });
});
