// Whether a PutMetricData request left this process whole: the one thing that settles a timeout or a
// reset without an answer. A request that was not fully written cannot have been recorded (CloudWatch
// acts on complete requests only), so resending it duplicates nothing.
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';

const current = new AsyncLocalStorage<SentProbe>();
let subscribed = false;

/** Node publishes every outgoing request here, synchronously, in the async context of the caller. */
function onRequestStart(message: unknown): void {
  const probe = current.getStore();
  if (probe) probe.requests.push((message as { request: ClientRequest }).request);
}

export class SentProbe {
  readonly requests: ClientRequest[] = [];

  /** Runs `send` (one SDK attempt), seeing the HTTP requests it makes. */
  static run<T>(send: () => Promise<T>): { probe: SentProbe; result: Promise<T> } {
    if (!subscribed) {
      subscribe('http.client.request.start', onRequestStart);
      subscribed = true;
    }
    const probe = new SentProbe();
    return { probe, result: current.run(probe, send) };
  }

  /** True when the request's last byte was handed to the operating system. */
  get fullySent(): boolean {
    const last = this.requests.at(-1);
    return last?.writableFinished === true;
  }
}
