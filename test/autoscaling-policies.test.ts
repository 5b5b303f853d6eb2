// The worked example (docs/autoscaling/*.json: what a user passes to `aws autoscaling put-scaling-policy` and
// `aws application-autoscaling register-scalable-target` / `put-scaling-policy` with --cli-input-json) built
// into the real @aws-sdk/client-auto-scaling and @aws-sdk/client-application-auto-scaling commands and sent
// to local endpoints that decode the services' wire protocols (AWS Query; AWS JSON 1.1) and check every
// member against the models' shapes. The metrics the policies track are ones the collector publishes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApplicationAutoScalingClient, PutScalingPolicyCommand as AppPutScalingPolicyCommand, type PutScalingPolicyCommandInput as AppPolicyInput,
  RegisterScalableTargetCommand, type RegisterScalableTargetCommandInput,
} from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient, PutScalingPolicyCommand, type PutScalingPolicyCommandInput } from '@aws-sdk/client-auto-scaling';
import { type ScalingEndpoint, startApplicationAutoScalingEndpoint, startAutoScalingEndpoint } from '@tokenledger/local-endpoints';
import * as sc from '@tokenledger/semconv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '..', 'docs', 'autoscaling');
const example = <T>(file: string): T => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as T;
const credentials = { accessKeyId: 'AKIDSCALING', secretAccessKey: 'scaling-secret' };

let asg: ScalingEndpoint;
let aas: ScalingEndpoint;
let asgClient: AutoScalingClient;
let aasClient: ApplicationAutoScalingClient;

beforeAll(async () => {
  asg = await startAutoScalingEndpoint();
  aas = await startApplicationAutoScalingEndpoint();
  asgClient = new AutoScalingClient({ region: 'us-east-1', endpoint: asg.origin, credentials, maxAttempts: 1 });
  aasClient = new ApplicationAutoScalingClient({ region: 'us-east-1', endpoint: aas.origin, credentials, maxAttempts: 1 });
});

afterAll(async () => {
  asgClient?.destroy();
  aasClient?.destroy();
  await asg?.close();
  await aas?.close();
});

/** Query sends scalars as text: the example with numbers and booleans as the strings the wire carries. */
function asQuery(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(asQuery);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asQuery(x)]));
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
}

/** Every TokenLedger metric a policy tracks: (metric, dimension names, unit). */
function tracked(spec: Record<string, any>): { namespace: string; metric: string; dims: string[]; unit?: string }[] {
  if (spec.Metrics) {
    return (spec.Metrics as Record<string, any>[]).filter((q) => q.MetricStat).map((q) => ({
      namespace: q.MetricStat.Metric.Namespace, metric: q.MetricStat.Metric.MetricName, dims: q.MetricStat.Metric.Dimensions.map((d: { Name: string }) => d.Name), unit: q.MetricStat.Unit,
    }));
  }
  return [{ namespace: spec.Namespace, metric: spec.MetricName, dims: spec.Dimensions.map((d: { Name: string }) => d.Name), unit: spec.Unit }];
}

const PUBLISHED = new Map<string, 'Percent' | 'Count'>([
  [sc.CLOUDWATCH_METRIC_NEURONCORE_UTILIZATION, 'Percent'], [sc.CLOUDWATCH_METRIC_GPU_UTILIZATION, 'Percent'], [sc.CLOUDWATCH_METRIC_IN_FLIGHT_REQUESTS, 'Count'],
  [sc.CLOUDWATCH_METRIC_QUEUE_LENGTH, 'Count'], [sc.CLOUDWATCH_METRIC_TOKENS_PER_MINUTE, 'Count'],
]);
const GROUP_DIMENSIONS = [[sc.CLOUDWATCH_DIM_AUTO_SCALING_GROUP], [sc.CLOUDWATCH_DIM_ENDPOINT_NAME, sc.CLOUDWATCH_DIM_VARIANT_NAME], [sc.CLOUDWATCH_DIM_MODEL, sc.CLOUDWATCH_DIM_ENDPOINT]];

function expectPublished(spec: Record<string, any>): void {
  const ours = tracked(spec).filter((m) => m.namespace === 'TokenLedger');
  expect(ours.length).toBeGreaterThan(0);
  for (const m of ours) {
    expect(PUBLISHED.get(m.metric), m.metric).toBeDefined();
    expect(m.unit ?? PUBLISHED.get(m.metric)).toBe(PUBLISHED.get(m.metric));
    // A dimension set the collector sends for the group, exactly (CloudWatch matches dimension sets whole).
    expect(GROUP_DIMENSIONS.map((g) => JSON.stringify([...g].sort()))).toContain(JSON.stringify([...m.dims].sort()));
  }
}

describe('the worked example: target tracking on TokenLedger metrics', () => {
  it.for(['ec2-neuroncore-target-tracking.json', 'ec2-in-flight-per-instance.json'])('EC2 Auto Scaling PutScalingPolicy from %s', async (file) => {
    const input = example<PutScalingPolicyCommandInput>(file);
    const out = await asgClient.send(new PutScalingPolicyCommand(input));
    expect(out.PolicyARN).toMatch(new RegExp(`:autoScalingGroupName/${input.AutoScalingGroupName}:policyName/${input.PolicyName}$`));
    expect(out.Alarms).toHaveLength(2);
    const req = asg.requests.at(-1)!;
    expect(req.operation).toBe('PutScalingPolicy');
    expect(req.violations).toEqual([]);
    expect(req.input).toEqual(asQuery(input));
    expectPublished(input.TargetTrackingConfiguration!.CustomizedMetricSpecification as Record<string, any>);
  });

  it('SageMaker: RegisterScalableTarget, then PutScalingPolicy on the endpoint variant', async () => {
    const target = example<RegisterScalableTargetCommandInput>('sagemaker-scalable-target.json');
    expect((await aasClient.send(new RegisterScalableTargetCommand(target))).ScalableTargetARN).toMatch(/^arn:aws:application-autoscaling:/);
    const policy = example<AppPolicyInput>('sagemaker-neuroncore-target-tracking.json');
    const out = await aasClient.send(new AppPutScalingPolicyCommand(policy));
    expect(out.PolicyARN).toContain(`resource/sagemaker/${policy.ResourceId}:policyName/${policy.PolicyName}`);
    expect(aas.requests.map((r) => [r.operation, r.violations, r.headers['x-amz-target']])).toEqual([
      ['RegisterScalableTarget', [], 'AnyScaleFrontendService.RegisterScalableTarget'],
      ['PutScalingPolicy', [], 'AnyScaleFrontendService.PutScalingPolicy'],
    ]);
    expect(aas.requests[0]!.input).toEqual(target);
    expect(aas.requests[1]!.input).toEqual(policy);
    // The policy tracks the variant it scales.
    const spec = policy.TargetTrackingScalingPolicyConfiguration!.CustomizedMetricSpecification!;
    const [, endpoint, , variant] = policy.ResourceId!.split('/');
    expect(spec.Dimensions).toEqual([{ Name: sc.CLOUDWATCH_DIM_ENDPOINT_NAME, Value: endpoint }, { Name: sc.CLOUDWATCH_DIM_VARIANT_NAME, Value: variant }]);
    expectPublished(spec as Record<string, any>);
  });

  it('the endpoints refuse what the services would (the check can fail)', async () => {
    const input = example<PutScalingPolicyCommandInput>('ec2-neuroncore-target-tracking.json');
    const noStatistic = structuredClone(input);
    delete noStatistic.TargetTrackingConfiguration!.CustomizedMetricSpecification!.Statistic;
    await expect(asgClient.send(new PutScalingPolicyCommand(noStatistic))).rejects.toMatchObject({ name: 'ValidationError' });
    const twoResults = example<PutScalingPolicyCommandInput>('ec2-in-flight-per-instance.json');
    twoResults.TargetTrackingConfiguration!.CustomizedMetricSpecification!.Metrics![0]!.ReturnData = true;
    await expect(asgClient.send(new PutScalingPolicyCommand(twoResults))).rejects.toThrow(/exactly one time series/);
    const policy = example<AppPolicyInput>('sagemaker-neuroncore-target-tracking.json');
    await expect(aasClient.send(new AppPutScalingPolicyCommand({ ...policy, ResourceId: 'endpoint/llama-inf2' }))).rejects.toMatchObject({ name: 'ValidationException' });
    // A misspelt member, as a hand-written request could carry it.
    const res = await fetch(asg.origin, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', authorization: 'AWS4-HMAC-SHA256 Credential=AKIDSCALING/20261204/us-east-1/autoscaling/aws4_request' },
      body: 'Action=PutScalingPolicy&Version=2011-01-01&AutoScalingGroupName=g&PolicyName=p&PolicyType=TargetTrackingScaling&TargetTrackingConfiguration.TargetValue=70&TargetTrackingConfiguration.CustomizedMetricSpecification.MetricName=NeuronCoreUtilization&TargetTrackingConfiguration.CustomizedMetricSpecification.Namespace=TokenLedger&TargetTrackingConfiguration.CustomizedMetricSpecification.Statistic=Average&TargetTrackingConfiguration.CustomizedMetricSpecification.Dimension.member.1.Name=AutoScalingGroupName',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Dimension: unknown member');
  });
});
