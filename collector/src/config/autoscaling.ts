// TOKENLEDGER_AUTOSCALING_*: the autoscaling signals sent to CloudWatch (collector/src/autoscaling).
import * as sc from '@tokenledger/semconv';
import { ConfigError, type Env, text } from './parse.ts';

export interface AutoscalingConfig {
  /**
   * Group dimensions for samples whose instance names no group of its own (no `autoscaling_group` /
   * `sagemaker_endpoint` label, no `ec2.tag.aws:autoscaling:groupName` resource attribute): e.g. a collector
   * per fleet. Env TOKENLEDGER_AUTOSCALING_DIMENSIONS, `Name=Value,…` of AutoScalingGroupName, EndpointName,
   * VariantName; default none.
   */
  dimensions: [string, string][];
}

const ALLOWED = [sc.CLOUDWATCH_DIM_AUTO_SCALING_GROUP, sc.CLOUDWATCH_DIM_ENDPOINT_NAME, sc.CLOUDWATCH_DIM_VARIANT_NAME];
const NAME = 'TOKENLEDGER_AUTOSCALING_DIMENSIONS';

export function autoscalingConfigFromEnv(env: Env = process.env): AutoscalingConfig {
  const v = text(env, NAME);
  if (v === undefined) return { dimensions: [] };
  const dims: [string, string][] = [];
  for (const part of v
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = ALLOWED.find((a) => a.toLowerCase() === part.slice(0, Math.max(0, eq)).trim().toLowerCase());
    const value = part.slice(eq + 1).trim();
    if (eq < 0 || !name || !value || value.length > 1024 || dims.some(([d]) => d === name)) {
      throw new ConfigError(NAME, v, `Name=Value pairs separated by commas, each name once, one of ${ALLOWED.join(', ')}`);
    }
    dims.push([name, value]);
  }
  return { dimensions: dims };
}
