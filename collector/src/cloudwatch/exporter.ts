// CloudWatch export: finalised roll-ups → durable outbox → paced, batched PutMetricData through the
// real AWS SDK client. Retries (with backoff) throttling, 5xx, timeouts and network errors; bisects a
// request CloudWatch calls invalid until the bad datum is found, drops it alone and sends the rest. A request
// sent whole but never answered is presumed recorded (counted as ambiguous), unless configured to resend.
import type { DatabaseSync } from 'node:sqlite';
import { CloudWatchClient, type CloudWatchClientConfig, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { diag } from '@opentelemetry/api';
import * as sc from '@tokenledger/semconv';
import type { CloudWatchConfig } from '../config/cloudwatch.ts';
import type { Clock } from '../config/types.ts';
import type { MetricFamily, Registry } from '../metrics/registry.ts';
import type { CollectorComponent, Signal } from '../components/types.ts';
import type { FinalisedTrace } from '../rollup/observations.ts';
import { buildBatches, type PendingDatum, validValue } from './batch.ts';
import { classify, type SendResult } from './classify.ts';
import { aggregate, CloudWatchEncoder, encodeSignal } from './encode.ts';
import { Outbox } from './outbox.ts';
import { SentProbe } from './sent-probe.ts';
import type { CloudWatchObservation } from './types.ts';

/** Outbox rows read per round: bounds the memory one flush uses. */
const ROWS_PER_ROUND = 50_000;
/** How long a shutdown may spend sending the outbox (within the collector's 25 s SIGTERM budget). */
const SHUTDOWN_FLUSH_MS = 10_000;

export interface CloudWatchExporterOptions {
  config: CloudWatchConfig;
  /** The collector's store: the outbox is a table of its own there. */
  db: DatabaseSync;
  /** Stamps intervals and checks timestamps; pacing and backoff use real time. */
  clock: Clock;
  /** Where the exporter's own counters go (the collector's /metrics). */
  registry: Registry;
  /** Merged into the client's configuration (e.g. credentials); default: the standard chain. */
  clientConfig?: CloudWatchClientConfig;
  /** Time for pacing and backoff; default real time (tests and the benchmark pass a simulated one). */
  timer?: Timer;
}

export interface Timer {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export class CloudWatchExporter implements CollectorComponent {
  readonly outbox: Outbox;
  private readonly o: CloudWatchExporterOptions;
  private readonly client: CloudWatchClient;
  private readonly encoder: CloudWatchEncoder;
  private readonly requests: MetricFamily;
  private readonly ambiguous: MetricFamily;
  private readonly ambiguousDatums: MetricFamily;
  private readonly sent: MetricFamily;
  private readonly dropped: MetricFamily;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private closing?: Promise<void>;
  private stopped = false;
  private failures = 0;
  private nextSendAt = 0;
  private wake?: () => void;

  constructor(o: CloudWatchExporterOptions) {
    this.o = o;
    const c = o.config;
    this.outbox = new Outbox(o.db);
    this.encoder = new CloudWatchEncoder(c.dimensions, c.metrics, c.metricDimensions);
    // Retries are the outbox's: one SDK attempt per send, so every outcome is seen and counted here. A
    // connection per request (no keep-alive; at ≤ 1 request/s the handshake costs nothing) means a reset
    // never comes from a stale pooled socket, so "sent whole, no answer" reliably means ambiguous.
    this.client = new CloudWatchClient({
      region: c.region, endpoint: c.endpoint, maxAttempts: 1,
      requestHandler: {
        requestTimeout: c.timeoutMs, connectionTimeout: c.timeoutMs, throwOnRequestTimeout: true,
        httpAgent: { keepAlive: false }, httpsAgent: { keepAlive: false },
      },
      ...o.clientConfig,
    });
    const r = o.registry;
    this.requests = r.counter(sc.METRIC_CLOUDWATCH_REQUESTS_TOTAL, 'PutMetricData requests by result.', [sc.LABEL_RESULT]);
    this.ambiguous = r.counter(sc.METRIC_CLOUDWATCH_AMBIGUOUS_REQUESTS_TOTAL, 'PutMetricData requests sent whole that timed out or were reset unanswered: they may have landed.', []);
    this.ambiguousDatums = r.counter(sc.METRIC_CLOUDWATCH_AMBIGUOUS_DATUMS_TOTAL, c.resendAmbiguous
      ? 'Metric data of ambiguous requests, sent again: an upper bound of duplicates in CloudWatch.'
      : 'Metric data of ambiguous requests, presumed recorded and not resent: an upper bound of data CloudWatch may lack.', []);
    this.sent = r.counter(sc.METRIC_CLOUDWATCH_DATUMS_SENT_TOTAL, 'Metric data acknowledged by CloudWatch.', []);
    this.dropped = r.counter(sc.METRIC_CLOUDWATCH_DATUMS_DROPPED_TOTAL, 'Metric data dropped, by reason.', [sc.LABEL_REASON]);
    r.gauge(sc.METRIC_CLOUDWATCH_OUTBOX_ROWS, 'Rows waiting in the CloudWatch outbox.', () => this.outbox.size());
  }

  /**
   * Stores the batch's observations in the finaliser's transaction, so they are in the outbox exactly when
   * the roll-ups are in the store. Never throws.
   */
  onCommit(batch: readonly FinalisedTrace[]): void {
    try {
      const byInterval = new Map<number, CloudWatchObservation[]>();
      for (const { rollup, observations } of batch) {
        const ts = Math.floor(rollup.atMs / this.o.config.intervalMs) * this.o.config.intervalMs;
        let list = byInterval.get(ts);
        if (!list) byInterval.set(ts, (list = []));
        for (const ob of this.encoder.encode(observations)) {
          if (validValue(ob.value)) list.push(ob);
          else this.dropped.inc(['non_finite']);
        }
      }
      for (const [ts, obs] of byInterval) this.outbox.add(ts, aggregate(obs));
    } catch (err) {
      diag.error('tokenledger cloudwatch: storing roll-ups in the outbox failed', err);
    }
  }

  /**
   * Stores live signals (autoscaling, quota pressure) in the outbox by the interval they were measured in; the
   * outbox sends them as it sends the roll-ups. Never throws.
   */
  onSignals(signals: readonly Signal[]): void {
    try {
      const byInterval = new Map<number, CloudWatchObservation[]>();
      for (const s of signals) {
        if (!validValue(s.value)) {
          this.dropped.inc(['non_finite']);
          continue;
        }
        const ts = Math.floor(s.atMs / this.o.config.intervalMs) * this.o.config.intervalMs;
        let list = byInterval.get(ts);
        if (!list) byInterval.set(ts, (list = []));
        list.push(encodeSignal(s));
      }
      for (const [ts, obs] of byInterval) this.outbox.add(ts, aggregate(obs));
    } catch (err) {
      diag.error('tokenledger cloudwatch: storing signals in the outbox failed', err);
    }
  }

  /** Sends what an earlier run left in the outbox, then flushes closed intervals every interval. */
  start(): void {
    this.timer = setInterval(() => void this.flush(), this.o.config.intervalMs);
    this.timer.unref();
    void this.flush();
  }

  /**
   * Shutdown: sends what is committed (the current interval too) for at most `limitMs`, then stops; the
   * outbox keeps the rest for the next start.
   */
  async stop(limitMs = SHUTDOWN_FLUSH_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
    await Promise.race([this.flush().then(() => this.flush({ all: true })), deadline]);
    clearTimeout(timer);
    await this.close();
  }

  /**
   * Sends what is due (intervals that have ended; with `all`, the current one too) until the outbox
   * has none left or the exporter stops. Concurrent calls share one run.
   */
  flush(opts: { all?: boolean } = {}): Promise<void> {
    this.running ??= this.run(opts.all ?? false).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Stops sending: what is unsent stays in the outbox for the next start. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stopped = true;
      clearInterval(this.timer);
      this.wake?.();
      await this.running;
      this.client.destroy();
    })();
    return this.closing;
  }

  private async run(all: boolean): Promise<void> {
    try {
      while (!this.stopped) {
        const now = this.o.clock.now();
        const cutoff = all ? Infinity : Math.floor(now / this.o.config.intervalMs) * this.o.config.intervalMs;
        const rows = this.outbox.claimed(cutoff, ROWS_PER_ROUND);
        if (rows.length === 0) return;
        const { requests, dropped } = buildBatches(rows, this.o.config.namespace, now, 60);
        for (const d of dropped) this.drop(d.datum, d.reason);
        let failed = false;
        for (const req of requests) {
          if (this.stopped || !(await this.sendBisecting(req))) {
            failed = true;
            break;
          }
        }
        if (failed && !this.stopped) await this.backoff();
      }
    } catch (err) {
      diag.error('tokenledger cloudwatch: flush failed', err);
    }
  }

  /** True when every datum was acknowledged or dropped as invalid; false on a retryable failure. */
  private async sendBisecting(req: PendingDatum[]): Promise<boolean> {
    const result = await this.send(req);
    if (result === 'ok' || result === 'presumed_recorded') {
      this.outbox.delete(req.flatMap((d) => d.rowIds));
      if (result === 'ok') this.sent.inc([], req.length);
      this.failures = 0;
      return true;
    }
    if (result !== 'invalid') return false;
    if (req.length === 1) {
      this.drop(req[0]!, 'invalid');
      return true;
    }
    const half = Math.ceil(req.length / 2);
    return (await this.sendBisecting(req.slice(0, half))) && (await this.sendBisecting(req.slice(half)));
  }

  private async send(req: PendingDatum[]): Promise<SendResult | 'presumed_recorded'> {
    await this.pace();
    const command = new PutMetricDataCommand({ Namespace: this.o.config.namespace, MetricData: req.map((d) => d.datum) });
    const { probe, result: sending } = SentProbe.run(() => this.client.send(command));
    try {
      await sending;
      this.requests.inc(['ok']);
      return 'ok';
    } catch (err) {
      const { result, ambiguous, code } = classify(err, probe.fullySent);
      this.requests.inc([result]);
      if (ambiguous) {
        this.ambiguous.inc([]);
        this.ambiguousDatums.inc([], req.length);
        diag.warn(`tokenledger cloudwatch: PutMetricData sent whole, unanswered (${code}): ${this.o.config.resendAmbiguous ? 'resending' : 'presumed recorded'}`);
        if (!this.o.config.resendAmbiguous) return 'presumed_recorded';
      }
      if (result === 'other') diag.error(`tokenledger cloudwatch: PutMetricData failed (${code}); retrying`, err);
      else diag.debug(`tokenledger cloudwatch: PutMetricData ${result} (${code})`);
      return result;
    }
  }

  private drop(d: PendingDatum, reason: string): void {
    this.outbox.delete(d.rowIds);
    this.dropped.inc([reason]);
    const dims = (d.datum.Dimensions ?? []).map((x) => `${x.Name}=${x.Value}`).join(',');
    diag.warn(`tokenledger cloudwatch: dropped ${d.datum.MetricName}{${dims}} at ${d.datum.Timestamp?.toISOString()} (${reason})`);
  }

  /** Keeps request starts at least 1/maxTps s apart. */
  private async pace(): Promise<void> {
    const gap = 1000 / this.o.config.maxTps;
    const now = this.o.timer?.now() ?? performance.now();
    const at = Math.max(now, this.nextSendAt);
    this.nextSendAt = at + gap;
    if (at > now) await this.sleep(at - now);
  }

  private backoff(): Promise<void> {
    const c = this.o.config;
    const ceiling = Math.min(c.maxBackoffMs, c.backoffMs * 2 ** Math.min(this.failures++, 30));
    return this.sleep(ceiling * (0.5 + Math.random() * 0.5));
  }

  /** A sleep close() cuts short. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.o.timer) return this.o.timer.sleep(ms);
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wake = done;
    });
  }
}
