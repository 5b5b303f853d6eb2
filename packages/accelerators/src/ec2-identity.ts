// The instance's identity from the EC2 instance metadata service, for sources that do not report it:
// nvidia-smi, or neuron-monitor without instance_info. IMDSv2 (a session token, then the identity
// document), as OpenTelemetry's own EC2 resource detector does it — but honouring the AWS SDK's
// AWS_EC2_METADATA_SERVICE_ENDPOINT and never holding the host's event loop: the SDK's metadata client
// keeps its socket open after an error, which would stop an instrumented process from exiting.
import { diag } from '@opentelemetry/api';
import { request } from 'node:http';
import { EC2_TAG_AUTOSCALING_GROUP } from '@tokenledger/semconv';
import type { InstanceIdentity } from './types.ts';

const DEFAULT_ENDPOINT = 'http://169.254.169.254';
const TOKEN_PATH = '/latest/api/token';
const IDENTITY_DOCUMENT = '/latest/dynamic/instance-identity/document';
/** The instance's tags, when "instance metadata tags" are enabled on it (404 otherwise, or without the tag). */
const AUTOSCALING_GROUP_TAG = `/latest/meta-data/tags/instance/${EC2_TAG_AUTOSCALING_GROUP}`;
const TOKEN_TTL_SECONDS = '60';
export const DEFAULT_EC2_METADATA_TIMEOUT_MS = 1000;

/** The identity document's fields, or undefined when there is no reachable metadata service. */
export async function lookupEc2Identity(env: NodeJS.ProcessEnv = process.env, timeoutMs = DEFAULT_EC2_METADATA_TIMEOUT_MS): Promise<InstanceIdentity | undefined> {
  const endpoint = (env.AWS_EC2_METADATA_SERVICE_ENDPOINT || DEFAULT_ENDPOINT).replace(/\/+$/, '');
  try {
    const token = await call('PUT', `${endpoint}${TOKEN_PATH}`, { 'x-aws-ec2-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS }, timeoutMs);
    const doc = JSON.parse(await call('GET', `${endpoint}${IDENTITY_DOCUMENT}`, { 'x-aws-ec2-metadata-token': token }, timeoutMs)) as Record<string, unknown>;
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const group = await call('GET', `${endpoint}${AUTOSCALING_GROUP_TAG}`, { 'x-aws-ec2-metadata-token': token }, timeoutMs).catch(() => undefined);
    return {
      instanceId: text(doc.instanceId),
      instanceType: text(doc.instanceType),
      region: text(doc.region),
      availabilityZone: text(doc.availabilityZone),
      autoScalingGroup: text(group?.trim()),
    };
  } catch (err) {
    diag.debug(`tokenledger accelerators: no EC2 instance metadata at ${endpoint} (${(err as Error).message}); instance labels come from TOKENLEDGER_INSTANCE_* only`);
    return undefined;
  }
}

/** One request on its own connection (no pool), unref'd, body read in full, bounded by `timeoutMs`. */
function call(method: string, url: string, headers: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 200) resolve(body);
        else reject(new Error(`${method} ${new URL(url).pathname} answered ${res.statusCode}`));
      });
      res.on('error', reject);
    });
    req.on('socket', (socket) => socket.unref());
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Sets the fields `identity` lacks from `found`, in place: the sinks read it at each collection. */
export function fillIdentity(identity: InstanceIdentity, found: InstanceIdentity | undefined): void {
  if (!found) return;
  for (const [k, v] of Object.entries(found) as [keyof InstanceIdentity, string | undefined][]) {
    if (identity[k] === undefined && v !== undefined) identity[k] = v;
  }
}

/** Whether anything the metadata service knows is still missing. */
export function identityIncomplete(identity: InstanceIdentity): boolean {
  return identity.instanceId === undefined || identity.instanceType === undefined || identity.region === undefined || identity.availabilityZone === undefined;
}
