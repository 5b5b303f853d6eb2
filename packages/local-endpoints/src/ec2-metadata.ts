// A local endpoint in the EC2 instance metadata service's wire format, IMDSv2-only (as AWS recommends and
// many accounts enforce): PUT /latest/api/token with a TTL header returns a token, and every GET needs it
// in `x-aws-ec2-metadata-token` (401 without). Serves the instance identity document and, when the instance has
// "instance metadata tags" enabled, its tags under /latest/meta-data/tags/instance/<key> (404 otherwise).
import { randomBytes } from 'node:crypto';
import { startJsonSseServer, type JsonSseServer } from './http-json-sse.ts';

/** The fields of the identity document TokenLedger reads, plus the document's other keys for realism. */
export interface InstanceIdentityDocument {
  instanceId: string;
  instanceType: string;
  region: string;
  availabilityZone: string;
}

const TAGS_PATH = '/latest/meta-data/tags/instance';

/** `tags`: the instance's tags, as IMDS shows them when instance metadata tags are enabled; undefined: disabled. */
export async function startEc2MetadataEndpoint(identity: InstanceIdentityDocument, tags?: Record<string, string>): Promise<JsonSseServer> {
  const tokens = new Set<string>();
  return startJsonSseServer((req, res) => {
    if (req.method === 'PUT' && req.path === '/latest/api/token') {
      const ttl = Number(req.headers['x-aws-ec2-metadata-token-ttl-seconds']);
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21_600) return text(res, 400, '');
      const token = randomBytes(24).toString('base64');
      tokens.add(token);
      return text(res, 200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
    }
    if (req.method !== 'GET') return text(res, 405, '');
    if (!tokens.has(String(req.headers['x-aws-ec2-metadata-token']))) return text(res, 401, '');
    if (req.path === '/latest/dynamic/instance-identity/document') {
      const document = {
        accountId: '123456789012', architecture: 'x86_64', imageId: 'ami-0123456789abcdef0', pendingTime: '2026-11-22T08:00:00Z',
        privateIp: '10.0.1.23', version: '2017-09-30', billingProducts: null, devpayProductCodes: null, marketplaceProductCodes: null,
        kernelId: null, ramdiskId: null, ...identity,
      };
      return text(res, 200, JSON.stringify(document, null, 2));
    }
    // The listing is the keys, one a line; each key's value is its own path.
    if (tags && req.path === TAGS_PATH) return text(res, 200, Object.keys(tags).join('\n'));
    if (tags && req.path.startsWith(`${TAGS_PATH}/`)) {
      const value = tags[decodeURIComponent(req.path.slice(TAGS_PATH.length + 1))];
      if (value !== undefined) return text(res, 200, value);
    }
    text(res, 404, '');
  });
}

/** IMDS answers text/plain, JSON documents included. */
function text(res: import('node:http').ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
