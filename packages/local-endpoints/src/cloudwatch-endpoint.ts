// A local CloudWatch PutMetricData endpoint speaking what @aws-sdk/client-cloudwatch sends: AWS JSON 1.0
// in query-compatible mode (x-amz-target GraniteServiceVersion20100801.PutMetricData,
// x-amzn-query-mode: true, gzip bodies), errors as `__type` bodies plus the `x-amzn-query-error`
// header. It checks every PutMetricData limit on every request and injects faults.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

const TARGET = 'GraniteServiceVersion20100801.PutMetricData';
const CONTENT_TYPE = 'application/x-amz-json-1.0';
export const CLOUDWATCH_LIMITS = {
  datumsPerRequest: 1_000,
  requestBytes: 1_000_000,
  valuesPerDatum: 150,
  dimensionsPerDatum: 30,
  maxAgeMs: 14 * 24 * 3_600_000,
  maxAheadMs: 2 * 3_600_000,
  maxMagnitude: 2 ** 360,
} as const;

/** The model's StandardUnit enum (botocore cloudwatch/2010-08-01). */
const STANDARD_UNITS = new Set([
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits', 'Megabits',
  'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second',
  'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None',
]);

/** One datum as CloudWatch stored it: every value with its count (Value → one value, count 1). */
export interface RecordedDatum {
  namespace: string;
  metric: string;
  unit?: string;
  dimensions: Record<string, string>;
  timestampMs: number;
  values: number[];
  counts: number[];
  statistic?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
  /** Index of the request that delivered it. */
  request: number;
}

export type RequestOutcome = 'ok' | 'throttled' | 'server_error' | 'invalid' | 'outage' | 'timeout_after_record' | 'reset_after_record' | 'bad_request';

export interface RecordedRequest {
  /** When it arrived, by the `requestClock` option (default Date.now). */
  at: number;
  headers: IncomingMessage['headers'];
  gzip: boolean;
  /** Body size as sent, and after gunzip. */
  wireBytes: number;
  bytes: number;
  datums: number;
  outcome: RequestOutcome;
  violations: string[];
  /** The data it carried, decoded (recorded in `datums` only when accepted). */
  data: RecordedDatum[];
}

export interface CloudWatchFaults {
  /** Share of calls answered 400 Throttling (0–1), drawn from a seeded generator. Default 0. */
  throttleRate?: number;
  /** Seed of that generator. Default 1. */
  seed?: number;
  /** The next n calls get 500 InternalServiceError. */
  serverErrors?: number;
  /** Requests with a datum this matches get 400 InvalidParameterValue (nothing recorded), as CloudWatch refuses the whole request. */
  badDatum?: (d: RecordedDatum) => boolean;
  /** The next n otherwise accepted calls are recorded, then never answered (the client times out). */
  timeoutsAfterRecord?: number;
  /** Share of otherwise accepted calls (0–1) that are recorded, then have their connection dropped. */
  resetAfterRecordRate?: number;
  /** While true every call gets 503 ServiceUnavailable. */
  outage?: boolean;
}

export interface CloudWatchEndpoint {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Data accepted (recorded), in arrival order, duplicates from retried ambiguous calls included. */
  datums: RecordedDatum[];
  requests: RecordedRequest[];
  /** Limit and protocol violations of all requests (each also answered 400). */
  violations: string[];
  /** Changes the faults from now on. */
  faults: CloudWatchFaults;
  /** Σ value × count of the accepted data of `metric` (those `where` matches). */
  total(metric: string, where?: (d: RecordedDatum) => boolean): number;
  close(): Promise<void>;
}

export async function startCloudWatchEndpoint(o: { faults?: CloudWatchFaults; now?: () => number; requestClock?: () => number } = {}): Promise<CloudWatchEndpoint> {
  const now = o.now ?? Date.now;
  const requestClock = o.requestClock ?? Date.now;
  const datums: RecordedDatum[] = [];
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const sockets = new Set<Socket>();
  const ep: CloudWatchEndpoint = {
    origin: '',
    datums,
    requests,
    violations,
    faults: { ...o.faults },
    total(metric, where = () => true) {
      let t = 0;
      for (const d of datums) {
        if (d.metric !== metric || !where(d)) continue;
        if (d.statistic) t += d.statistic.Sum;
        else d.values.forEach((v, i) => {
          t += v * d.counts[i]!;
        });
      }
      return t;
    },
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  let random = mulberry32(ep.faults.seed ?? 1);
  let seed = ep.faults.seed;

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const wire = Buffer.concat(chunks);
    const gzip = req.headers['content-encoding'] === 'gzip';
    const rec: RecordedRequest = { at: requestClock(), headers: req.headers, gzip, wireBytes: wire.length, bytes: 0, datums: 0, outcome: 'ok', violations: [], data: [] };
    requests.push(rec);
    const index = requests.length - 1;
    const f = ep.faults;
    if (f.seed !== seed) random = mulberry32((seed = f.seed) ?? 1);

    const protocol = checkProtocol(req);
    if (protocol.length) return refuse(res, rec, 'bad_request', protocol, 'InvalidAction', 'Sender', 400);
    let body: { Namespace?: unknown; MetricData?: unknown };
    try {
      const text = gzip ? gunzipSync(wire) : wire;
      rec.bytes = text.length;
      body = JSON.parse(text.toString('utf8'));
    } catch (err) {
      return refuse(res, rec, 'bad_request', [`undecodable body: ${(err as Error).message}`], 'MalformedInput', 'Sender', 400);
    }
    const parsed = parse(body, rec.bytes, now(), index);
    rec.datums = parsed.datums.length;
    rec.data = parsed.datums;
    if (parsed.violations.length) return refuse(res, rec, 'invalid', parsed.violations, 'InvalidParameterValue', 'Sender', 400);
    if (f.outage) return fail(res, rec, 'outage', 503, 'ServiceUnavailable', 'Server', 'com.amazonaws.cloudwatch#ServiceUnavailable');
    if (f.throttleRate && random() < f.throttleRate) {
      return fail(res, rec, 'throttled', 400, 'Throttling', 'Sender', 'com.amazon.coral.availability#ThrottlingException', 'Rate exceeded');
    }
    if (f.serverErrors) {
      f.serverErrors--;
      return fail(res, rec, 'server_error', 500, 'InternalServiceError', 'Receiver', 'com.amazonaws.cloudwatch#InternalServiceFault');
    }
    const bad = f.badDatum ? parsed.datums.find(f.badDatum) : undefined;
    if (bad) {
      return fail(res, rec, 'invalid', 400, 'InvalidParameterValue', 'Sender', 'com.amazonaws.cloudwatch#InvalidParameterValueException',
        `The value for parameter MetricData.member.${parsed.datums.indexOf(bad) + 1} is invalid.`);
    }
    datums.push(...parsed.datums);
    if (f.timeoutsAfterRecord) {
      f.timeoutsAfterRecord--;
      rec.outcome = 'timeout_after_record';
      return; // recorded, never answered: the client's socket timeout fires
    }
    if (f.resetAfterRecordRate && random() < f.resetAfterRecordRate) {
      rec.outcome = 'reset_after_record';
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId() });
    res.end('{}');
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function refuse(res: ServerResponse, rec: RecordedRequest, outcome: RequestOutcome, why: string[], code: string, type: string, status: number): void {
    rec.violations.push(...why);
    violations.push(...why);
    fail(res, rec, outcome, status, code, type, `com.amazonaws.cloudwatch#${code}`, why.join('; '));
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ep.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return ep;
}

function fail(res: ServerResponse, rec: RecordedRequest, outcome: RequestOutcome, status: number, code: string, type: string, shape: string, message = code): void {
  rec.outcome = outcome;
  const text = JSON.stringify({ __type: shape, message });
  res.writeHead(status, {
    'content-type': CONTENT_TYPE, 'x-amzn-requestid': requestId(), 'x-amzn-query-error': `${code};${type}`,
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function checkProtocol(req: IncomingMessage): string[] {
  const v: string[] = [];
  if (req.method !== 'POST') v.push(`method ${req.method}, expected POST`);
  if (req.headers['x-amz-target'] !== TARGET) v.push(`x-amz-target ${req.headers['x-amz-target']}, expected ${TARGET}`);
  if (req.headers['content-type'] !== CONTENT_TYPE) v.push(`content-type ${req.headers['content-type']}, expected ${CONTENT_TYPE}`);
  if (req.headers['x-amzn-query-mode'] !== 'true') v.push('x-amzn-query-mode: true missing');
  if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 Credential=')) v.push('no SigV4 authorization');
  const enc = req.headers['content-encoding'];
  if (enc !== undefined && enc !== 'gzip') v.push(`content-encoding ${enc}`);
  return v;
}

/** Decodes MetricData and checks every PutMetricData limit. */
function parse(body: { Namespace?: unknown; MetricData?: unknown }, bytes: number, nowMs: number, request: number): { datums: RecordedDatum[]; violations: string[] } {
  const v: string[] = [];
  const L = CLOUDWATCH_LIMITS;
  if (bytes > L.requestBytes) v.push(`body of ${bytes} bytes > ${L.requestBytes}`);
  const ns = body.Namespace;
  if (typeof ns !== 'string' || ns.length < 1 || ns.length > 255 || ns.startsWith('AWS/')) v.push(`Namespace ${JSON.stringify(ns)}`);
  const data = Array.isArray(body.MetricData) ? (body.MetricData as Record<string, any>[]) : [];
  if (!Array.isArray(body.MetricData) || data.length === 0) v.push('MetricData missing or empty');
  if (data.length > L.datumsPerRequest) v.push(`${data.length} metrics > ${L.datumsPerRequest}`);
  const datums: RecordedDatum[] = [];
  data.forEach((d, i) => {
    const at = `MetricData.member.${i + 1}`;
    const name = d.MetricName;
    if (typeof name !== 'string' || name.length < 1 || name.length > 255) v.push(`${at}.MetricName ${JSON.stringify(name)}`);
    if (d.Unit !== undefined && !STANDARD_UNITS.has(d.Unit)) v.push(`${at}.Unit ${JSON.stringify(d.Unit)} is not a StandardUnit`);
    const dims = (d.Dimensions ?? []) as { Name?: unknown; Value?: unknown }[];
    if (dims.length > L.dimensionsPerDatum) v.push(`${at}: ${dims.length} dimensions > ${L.dimensionsPerDatum}`);
    const dimensions: Record<string, string> = {};
    for (const dim of dims) {
      const n = dim.Name;
      const val = dim.Value;
      if (typeof n !== 'string' || n.length < 1 || n.length > 255 || n.startsWith(':') || !/^[\x20-\x7e]+$/.test(n)) v.push(`${at}: dimension name ${JSON.stringify(n)}`);
      if (typeof val !== 'string' || val.length < 1 || val.length > 1024) v.push(`${at}: dimension value ${JSON.stringify(val)}`);
      if (typeof n === 'string' && n in dimensions) v.push(`${at}: dimension ${n} twice`);
      dimensions[String(n)] = String(val);
    }
    const ts = typeof d.Timestamp === 'number' ? d.Timestamp * 1000 : nowMs;
    if (d.Timestamp !== undefined && typeof d.Timestamp !== 'number') v.push(`${at}.Timestamp ${JSON.stringify(d.Timestamp)} (epoch seconds expected)`);
    if (ts < nowMs - L.maxAgeMs) v.push(`${at}.Timestamp more than two weeks old`);
    if (ts > nowMs + L.maxAheadMs) v.push(`${at}.Timestamp more than two hours ahead`);
    if (d.StorageResolution !== undefined && d.StorageResolution !== 1 && d.StorageResolution !== 60) v.push(`${at}.StorageResolution ${d.StorageResolution}`);
    const forms = ['Value', 'Values', 'StatisticValues'].filter((k) => d[k] !== undefined);
    if (forms.length !== 1) v.push(`${at}: exactly one of Value, Values, StatisticValues expected, got ${forms.join(', ') || 'none'}`);
    const number = (x: unknown, what: string) => {
      if (typeof x !== 'number' || !Number.isFinite(x) || Math.abs(x) > L.maxMagnitude) v.push(`${at}.${what} ${JSON.stringify(x)} is not a finite value within ±2^360`);
    };
    let values: number[] = [];
    let counts: number[] = [];
    if (d.Value !== undefined) {
      number(d.Value, 'Value');
      values = [d.Value];
      counts = [1];
    } else if (d.Values !== undefined) {
      values = d.Values;
      counts = d.Counts ?? values.map(() => 1);
      if (values.length > L.valuesPerDatum) v.push(`${at}: ${values.length} values > ${L.valuesPerDatum}`);
      if (d.Counts !== undefined && counts.length !== values.length) v.push(`${at}: ${counts.length} counts for ${values.length} values`);
      values.forEach((x, j) => {
        number(x, `Values.${j + 1}`);
      });
      counts.forEach((x, j) => {
        number(x, `Counts.${j + 1}`);
      });
    }
    const s = d.StatisticValues;
    if (s !== undefined) for (const k of ['SampleCount', 'Sum', 'Minimum', 'Maximum']) number(s[k], `StatisticValues.${k}`);
    datums.push({ namespace: String(ns), metric: String(name), unit: d.Unit, dimensions, timestampMs: ts, values, counts, statistic: s, request });
  });
  return { datums, violations: v };
}

function requestId(): string {
  return crypto.randomUUID();
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
