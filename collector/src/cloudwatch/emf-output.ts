// Where EMF events go: stdout (Lambda), an appended file, or the CloudWatch agent's TCP/UDP endpoint.
// Write failures go to diag; they never reach the collector.
import { createWriteStream, type WriteStream } from 'node:fs';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { diag } from '@opentelemetry/api';
import type { EmfOutput } from '../config/cloudwatch.ts';

export interface EmfSink {
  write(lines: readonly string[]): void;
  close(): Promise<void>;
}

/** Reconnect delay of the TCP sink after an error. */
const TCP_RETRY_MS = 1_000;
/** Lines kept while the TCP connection is down; older ones are dropped first. */
const TCP_BACKLOG = 10_000;

export function openEmfSink(o: EmfOutput): EmfSink {
  switch (o.kind) {
    case 'stdout':
      return { write: (lines) => void process.stdout.write(lines.map((l) => `${l}\n`).join('')), close: async () => {} };
    case 'file':
      return streamSink(createWriteStream(o.path, { flags: 'a' }));
    case 'udp':
      return udpSink(o.host, o.port);
    case 'tcp':
      return tcpSink(o.host, o.port);
  }
}

function streamSink(stream: WriteStream): EmfSink {
  stream.on('error', (err) => diag.error('tokenledger emf: writing the EMF file failed', err));
  return {
    write: (lines) => void stream.write(lines.map((l) => `${l}\n`).join('')),
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}

function udpSink(host: string, port: number): EmfSink {
  const socket: UdpSocket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('error', (err) => diag.error('tokenledger emf: UDP send failed', err));
  socket.unref();
  let pending = 0;
  let closed: (() => void) | undefined;
  return {
    write(lines) {
      for (const l of lines) {
        pending++;
        socket.send(`${l}\n`, port, host, () => {
          if (--pending === 0) closed?.();
        });
      }
    },
    close: () => new Promise<void>((resolve) => {
      closed = () => socket.close(() => resolve());
      if (pending === 0) closed();
    }),
  };
}

function tcpSink(host: string, port: number): EmfSink {
  let socket: Socket | undefined;
  let connected = false;
  let stopped = false;
  const backlog: string[] = [];
  const flush = () => {
    if (!connected || !socket || backlog.length === 0) return;
    socket.write(backlog.splice(0).map((l) => `${l}\n`).join(''));
  };
  const open = () => {
    if (stopped) return;
    const s = (socket = connect({ host, port }));
    s.unref();
    s.on('connect', () => {
      connected = true;
      flush();
    });
    s.on('error', (err) => diag.warn(`tokenledger emf: TCP ${host}:${port}: ${err.message}`));
    s.on('close', () => {
      connected = false;
      if (!stopped) setTimeout(open, TCP_RETRY_MS).unref();
    });
  };
  open();
  return {
    write(lines) {
      backlog.push(...lines);
      if (backlog.length > TCP_BACKLOG) backlog.splice(0, backlog.length - TCP_BACKLOG);
      flush();
    },
    close: () => new Promise<void>((resolve) => {
      stopped = true;
      if (!socket || !connected) {
        socket?.destroy();
        return resolve();
      }
      socket.end(resolve);
    }),
  };
}
