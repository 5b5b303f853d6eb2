// Model-id normalisation: Bedrock ARNs and cross-region inference-profile prefixes resolve to the foundation model id.

/** Geographic prefixes of Bedrock system-defined (cross-region) inference profiles. */
const PROFILE_PREFIX = /^(?:us-gov|us|eu|apac|au|jp|ca|global)\.(?=[a-z0-9-]+\.)/;
/** `arn:<partition>:bedrock:<region>:<account?>:<resource-type>/<resource-id>`. */
const BEDROCK_ARN = /^arn:aws[a-z-]*:bedrock:[a-z0-9-]*:\d*:(foundation-model|inference-profile)\/(.+)$/;

/**
 * Lower-cases a model id and strips Bedrock ARNs (foundation-model, system inference-profile) and
 * inference-profile prefixes (`us.`, `eu.`, `apac.`, `au.`, `jp.`, `ca.`, `us-gov.`, `global.`).
 * Application-inference-profile and provisioned-model ARNs name no model: they come back whole
 * (lower-cased) and only a price entry whose `match` regex matches them prices them.
 */
export function normaliseModelId(id: string): string {
  let out = id.trim().toLowerCase();
  const arn = BEDROCK_ARN.exec(out);
  if (arn) out = arn[2]!;
  return out.replace(PROFILE_PREFIX, '');
}

/** The id without its `:<version>[:<context>]` suffix (`…-v1:0` ≡ `…-v1`). */
export function baseModelId(normalised: string): string {
  const colon = normalised.indexOf(':');
  return colon === -1 ? normalised : normalised.slice(0, colon);
}

/**
 * What may follow a catalog id for a longer id to be the same model: dates, `latest`, `vN`
 * versions and `:` suffixes. Anything else (`-mini`, `-6`) is a different model, so
 * `gpt-4o-mini-…` never prices as `gpt-4o` and `claude-opus-4-6` never as `claude-opus-4`.
 */
const VERSION_SUFFIX = /^(?:[-@](?:\d{4}-\d{2}-\d{2}|\d{8}|latest|v\d+(?:\.\d+)*)|:[a-z0-9.:-]*)+$/;

export function isVersionSuffix(rest: string): boolean {
  return VERSION_SUFFIX.test(rest);
}
