import type { Attributes } from '@opentelemetry/api';
import { ATTR_SERVER_ADDRESS, ATTR_SERVER_PORT } from '@tokenledger/semconv';

// A process talks to few base URLs: parse each once.
const memo = new Map<string, Attributes>();

/** `server.address` / `server.port` of a client's base URL. */
export function serverAttributes(baseURL: unknown): Attributes {
  if (typeof baseURL !== 'string') return {};
  let attributes = memo.get(baseURL);
  if (!attributes) {
    if (memo.size >= 100) memo.clear();
    attributes = parse(baseURL);
    memo.set(baseURL, attributes);
  }
  return attributes;
}

function parse(baseURL: string): Attributes {
  try {
    const url = new URL(baseURL);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { [ATTR_SERVER_ADDRESS]: url.hostname, [ATTR_SERVER_PORT]: port };
  } catch {
    return {};
  }
}
