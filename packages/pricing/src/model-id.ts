// Model-id parsing: Bedrock ARNs, cross-region inference-profile prefixes and router-style prefixes
// (`bedrock/…`, `openai/…`) resolve to the foundation model id, keeping what they say about the call.
import { PROVIDER_ANTHROPIC, PROVIDER_AWS_BEDROCK, PROVIDER_OPENAI } from '@tokenledger/semconv';

/** Geographic prefixes of Bedrock system-defined (cross-region) inference profiles. */
const PROFILE_PREFIX = /^(us-gov|us|eu|apac|au|jp|ca|in|global)\.(?=[a-z0-9-]+\.)/;
/** `arn:<partition>:bedrock:<region>:<account?>:<resource-type>/<resource-id>`. */
const BEDROCK_ARN = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]*):\d*:(foundation-model|inference-profile)\/(.+)$/;
const AWS_REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d$/;
/** Router prefixes (LiteLLM, OpenRouter and proxies) and the provider they name. */
const ROUTERS: Record<string, string> = {
  bedrock: PROVIDER_AWS_BEDROCK,
  openai: PROVIDER_OPENAI,
  anthropic: PROVIDER_ANTHROPIC,
};
/** LiteLLM's Bedrock route segments that name the API, not the model. */
const BEDROCK_ROUTE_SEGMENTS = new Set(['converse', 'invoke', 'converse_like']);

/** A model id taken apart: what to look up, and what the id itself says about the call. */
export interface ParsedModelId {
  /** Lower-cased model id without ARN, profile prefix or router prefix. */
  id: string;
  /** Inference-profile prefix (`us`, `eu`, `global`, `us-gov`, …), when the id carries one. */
  profile?: string;
  /** AWS region named by an ARN or a `bedrock/<region>/…` route. */
  region?: string;
  /** Provider named by a router prefix (`bedrock/…` → `aws.bedrock`). */
  provider?: string;
}

/**
 * Lower-cases a model id and strips router prefixes (`bedrock/`, `bedrock/converse/`, `bedrock/<region>/`,
 * `openai/`, `anthropic/`), Bedrock ARNs (foundation-model, system inference-profile) and inference-profile
 * prefixes. Application-inference-profile and provisioned-model ARNs name no model: they come back whole
 * (lower-cased) and only an entry whose `match` regex matches them prices them.
 */
export function parseModelId(raw: string): ParsedModelId {
  let id = raw.trim().toLowerCase();
  const out: ParsedModelId = { id };
  const slash = id.indexOf('/');
  if (slash > 0 && !id.startsWith('arn:')) {
    const provider = ROUTERS[id.slice(0, slash)];
    if (provider) {
      out.provider = provider;
      id = id.slice(slash + 1);
      if (provider === PROVIDER_AWS_BEDROCK) {
        for (let next = id.indexOf('/'); next > 0; next = id.indexOf('/')) {
          const segment = id.slice(0, next);
          if (AWS_REGION.test(segment)) out.region = segment;
          else if (!BEDROCK_ROUTE_SEGMENTS.has(segment)) break;
          id = id.slice(next + 1);
        }
      }
    }
  }
  const arn = BEDROCK_ARN.exec(id);
  if (arn) {
    if (arn[1]) out.region = arn[1];
    id = arn[3]!;
  }
  const profile = PROFILE_PREFIX.exec(id);
  if (profile) {
    out.profile = profile[1]!;
    id = id.slice(profile[0].length);
  }
  out.id = id;
  return out;
}

/** The lookup id of `id` (see parseModelId). */
export function normaliseModelId(id: string): string {
  return parseModelId(id).id;
}

/** The id without its `:<version>[:<context>]` suffix (`…-v1:0` ≡ `…-v1`). */
export function baseModelId(normalised: string): string {
  const colon = normalised.indexOf(':');
  return colon === -1 ? normalised : normalised.slice(0, colon);
}

/**
 * The inference-profile class of a call for price selection: its profile prefix; else `us-gov` for a call
 * made in an AWS GovCloud region; else `in_region`.
 */
export function profileClass(profile: string | undefined, region: string | undefined): string {
  if (profile) return profile;
  return region?.startsWith('us-gov-') ? 'us-gov' : 'in_region';
}

/**
 * A Bedrock model id without its vendor (`anthropic.claude-haiku-4-5-20251001-v1:0` → `claude-haiku-4-5-20251001-v1:0`),
 * as OpenLLMetry's Bedrock instrumentation writes it: such an id matches the entry of the id with the vendor.
 * Undefined for an id with no vendor part.
 */
export function withoutBedrockVendor(normalised: string): string | undefined {
  const m = /^[a-z0-9-]+\.(?=[a-z])/.exec(normalised);
  return m ? normalised.slice(m[0].length) : undefined;
}
