// `npm start` end to end: the collector on embedded storage, the preloaded demo app calling the real AWS
// SDK against the local Bedrock-format endpoint, the report. Run with --exit so the collector stops after.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const dataDir = mkdtempSync(join(tmpdir(), 'tokenledger-demo-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const WORKFLOWS = ['triage', 'answer', 'draft_reply', 'refund'];

describe('npm start (demo)', () => {
  it('rolls the support assistant up into cost per successful outcome per workflow and tenant', async () => {
    const [otlp, http] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, [join(root, 'demo/main.ts'), '--exit'], {
      cwd: root,
      env: { ...process.env, TOKENLEDGER_DATA_DIR: dataDir, TOKENLEDGER_OTLP_ADDR: `127.0.0.1:${otlp}`, TOKENLEDGER_HTTP_ADDR: `127.0.0.1:${http}` },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, out).toBe(0);
    expect(out).toContain('handled 39 tickets for 3 tenants');
    const table = out.slice(out.indexOf('Cost per successful outcome'));
    const row = (name: string) => table.split('\n').find((l) => l.startsWith(name))?.trim().split(/\s{2,}/);
    for (const workflow of WORKFLOWS) expect(row(workflow), table).toBeDefined();
    // 39 tickets: one answer is not accepted (the knowledge base does not cover it).
    const total = row('TOTAL')!;
    expect(total[2]).toBe('38');
    expect(total[3]).toBe('39');
    // Every workflow is priced (the refund agent from its trace), and the drafts carry retry cost (an EU
    // fallback and an invalid-output retry).
    for (const workflow of WORKFLOWS) expect(Number(row(workflow)![5]!.replace('$', ''))).toBeGreaterThan(0);
    expect(Number(row('draft_reply')![6]!.replace('$', ''))).toBeGreaterThan(0);
    expect(Number(row('answer')![6]!.replace('$', ''))).toBe(0);
    // The tenant × workflow report has all three tenants.
    for (const tenant of ['acme', 'globex', 'initech']) expect(out).toMatch(new RegExp(`^${tenant}\\s+draft_reply`, 'm'));
  });
});
