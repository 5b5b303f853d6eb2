// A throwaway PostgreSQL from Debian's binaries: a temp data dir, a Unix socket in it, no TCP port.
import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

export interface Postgres {
  /** Directory holding the socket: pass it as `host` to pg. */
  socketDir: string;
  port: number;
  stop(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
  return join(root, version!, 'bin');
}

/** Starts PostgreSQL; as root it runs as the `postgres` user (initdb refuses root). */
export async function startPostgres(): Promise<Postgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'tl-pg-'));
  // PostgreSQL refuses to run as root: as root, run its binaries as the `postgres` user.
  const as: SpawnOptions = {};
  if (userInfo().uid === 0) {
    as.uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    as.gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, as.uid, as.gid);
  }
  const data = join(dir, 'data');
  execFileSync(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], { ...as, stdio: 'ignore' });
  // The port only names the socket file inside our private directory, so it cannot collide.
  const port = 5432;
  const child: ChildProcess = spawn(
    join(bin, 'postgres'),
    ['-D', data, '-k', dir, '-p', String(port), '-c', 'listen_addresses=', '-c', 'fsync=off'],
    { ...as, stdio: 'ignore' },
  );
  // Never leave a server behind, even when the test process dies early.
  const killOnExit = () => child.kill('SIGQUIT');
  process.once('exit', killOnExit);
  const socket = join(dir, `.s.PGSQL.${port}`);
  for (let i = 0; i < 200 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(socket)) throw new Error('postgres did not start');
  // The socket appears before recovery ends ("the database system is starting up"): wait until it accepts.
  for (let i = 0; ; i++) {
    try {
      execFileSync(join(bin, 'pg_isready'), ['-h', dir, '-p', String(port), '-U', 'postgres'], { stdio: 'ignore' });
      break;
    } catch (err) {
      if (i >= 200) throw new Error('postgres did not become ready', { cause: err });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    socketDir: dir,
    port,
    async stop() {
      process.off('exit', killOnExit);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGQUIT'); // immediate shutdown: the data is thrown away
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
