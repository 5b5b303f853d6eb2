// Local endpoints in the wire formats of EC2 Auto Scaling and Application Auto Scaling, for the scaling
// policies a user builds on TokenLedger's CloudWatch metrics. Shapes from the services' Smithy models
// (aws-sdk-js-v3 codegen/sdk-codegen/aws-models/auto-scaling.json: `aws.protocols#awsQuery`, version
// 2011-01-01; application-auto-scaling.json: `aws.protocols#awsJson1_1`, service AnyScaleFrontendService).
// Each request is decoded as the service decodes it, checked member by member against the model's shapes
// (an unknown member, a missing required one, a wrong type or enum value is a ValidationError), recorded, and
// answered as the service answers.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Type = 'string' | 'integer' | 'double' | 'boolean' | { enum: readonly string[] } | Shape | { list: Type };
interface Shape {
  members: Record<string, Type>;
  required?: readonly string[];
}

const STATISTICS = { enum: ['Average', 'Minimum', 'Maximum', 'SampleCount', 'Sum'] } as const;
const dimension = (name: string, value: string): Shape => ({ members: { [name]: 'string', [value]: 'string' }, required: [name, value] });

// --- EC2 Auto Scaling (auto-scaling.json) ---
const ASG_DIMENSION = dimension('Name', 'Value');
const ASG_METRIC: Shape = { members: { Namespace: 'string', MetricName: 'string', Dimensions: { list: ASG_DIMENSION } }, required: ['Namespace', 'MetricName'] };
const ASG_METRIC_STAT: Shape = { members: { Metric: ASG_METRIC, Stat: 'string', Unit: 'string', Period: 'integer' }, required: ['Metric', 'Stat'] };
const ASG_QUERY: Shape = { members: { Id: 'string', Expression: 'string', MetricStat: ASG_METRIC_STAT, Label: 'string', Period: 'integer', ReturnData: 'boolean' }, required: ['Id'] };
const ASG_CUSTOMIZED: Shape = {
  members: { MetricName: 'string', Namespace: 'string', Dimensions: { list: ASG_DIMENSION }, Statistic: STATISTICS, Unit: 'string', Period: 'integer', Metrics: { list: ASG_QUERY } },
};
const ASG_TARGET_TRACKING: Shape = {
  members: {
    TargetValue: 'double', DisableScaleIn: 'boolean', CustomizedMetricSpecification: ASG_CUSTOMIZED,
    PredefinedMetricSpecification: { members: { PredefinedMetricType: 'string', ResourceLabel: 'string' }, required: ['PredefinedMetricType'] },
  },
  required: ['TargetValue'],
};
const ASG_PUT_SCALING_POLICY: Shape = {
  members: {
    AutoScalingGroupName: 'string', PolicyName: 'string',
    PolicyType: { enum: ['SimpleScaling', 'StepScaling', 'TargetTrackingScaling', 'PredictiveScaling'] },
    AdjustmentType: 'string', MinAdjustmentStep: 'integer', MinAdjustmentMagnitude: 'integer', ScalingAdjustment: 'integer', Cooldown: 'integer',
    MetricAggregationType: 'string', EstimatedInstanceWarmup: 'integer', TargetTrackingConfiguration: ASG_TARGET_TRACKING, Enabled: 'boolean',
  },
  required: ['AutoScalingGroupName', 'PolicyName'],
};

// --- Application Auto Scaling (application-auto-scaling.json) ---
const AAS_DIMENSION = dimension('Name', 'Value');
const AAS_METRIC: Shape = { members: { Dimensions: { list: AAS_DIMENSION }, MetricName: 'string', Namespace: 'string' } };
const AAS_METRIC_STAT: Shape = { members: { Metric: AAS_METRIC, Stat: 'string', Unit: 'string' }, required: ['Metric', 'Stat'] };
const AAS_QUERY: Shape = { members: { Id: 'string', Expression: 'string', Label: 'string', MetricStat: AAS_METRIC_STAT, ReturnData: 'boolean' }, required: ['Id'] };
const AAS_CUSTOMIZED: Shape = {
  members: { MetricName: 'string', Namespace: 'string', Dimensions: { list: AAS_DIMENSION }, Statistic: STATISTICS, Unit: 'string', Metrics: { list: AAS_QUERY } },
};
const SERVICE_NAMESPACES = { enum: ['ecs', 'elasticmapreduce', 'ec2', 'appstream', 'dynamodb', 'rds', 'sagemaker', 'custom-resource', 'comprehend', 'lambda', 'cassandra', 'kafka', 'elasticache', 'neptune', 'workspaces'] } as const;
const AAS_PUT_SCALING_POLICY: Shape = {
  members: {
    PolicyName: 'string', ServiceNamespace: SERVICE_NAMESPACES, ResourceId: 'string', ScalableDimension: 'string',
    PolicyType: { enum: ['StepScaling', 'TargetTrackingScaling', 'PredictiveScaling'] },
    TargetTrackingScalingPolicyConfiguration: {
      members: {
        TargetValue: 'double', CustomizedMetricSpecification: AAS_CUSTOMIZED, ScaleOutCooldown: 'integer', ScaleInCooldown: 'integer', DisableScaleIn: 'boolean',
        PredefinedMetricSpecification: { members: { PredefinedMetricType: 'string', ResourceLabel: 'string' }, required: ['PredefinedMetricType'] },
      },
      required: ['TargetValue'],
    },
  },
  required: ['PolicyName', 'ServiceNamespace', 'ResourceId', 'ScalableDimension'],
};
const AAS_REGISTER_SCALABLE_TARGET: Shape = {
  members: {
    ServiceNamespace: SERVICE_NAMESPACES, ResourceId: 'string', ScalableDimension: 'string', MinCapacity: 'integer', MaxCapacity: 'integer', RoleARN: 'string',
    SuspendedState: { members: { DynamicScalingInSuspended: 'boolean', DynamicScalingOutSuspended: 'boolean', ScheduledScalingSuspended: 'boolean' } },
  },
  required: ['ServiceNamespace', 'ResourceId', 'ScalableDimension'],
};

/** One request as the endpoint decoded it. */
export interface ScalingRequest {
  operation: string;
  input: Record<string, unknown>;
  /** Why it was refused (empty when accepted). */
  violations: string[];
  headers: IncomingMessage['headers'];
}

export interface ScalingEndpoint {
  origin: string;
  requests: ScalingRequest[];
  close(): Promise<void>;
}

/** EC2 Auto Scaling, AWS Query protocol: PutScalingPolicy. */
export function startAutoScalingEndpoint(): Promise<ScalingEndpoint> {
  return serve(async (req, body, requests, res) => {
    const form = new URLSearchParams(body);
    const action = form.get('Action') ?? '';
    const violations: string[] = [];
    if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) violations.push(`content-type ${req.headers['content-type']}`);
    if (form.get('Version') !== '2011-01-01') violations.push(`Version ${form.get('Version')}`);
    form.delete('Action');
    form.delete('Version');
    const input = queryObject(form, violations);
    if (action !== 'PutScalingPolicy') violations.push(`unknown Action ${action}`);
    else check(input, ASG_PUT_SCALING_POLICY, '', violations, 'query');
    if (action === 'PutScalingPolicy') policyRules(input, input.TargetTrackingConfiguration as Record<string, unknown> | undefined, violations);
    requests.push({ operation: action, input, violations, headers: req.headers });
    const id = randomUUID();
    if (violations.length > 0) {
      return xml(res, 400, `<ErrorResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>${xmlText(violations.join('; '))}</Message></Error><RequestId>${id}</RequestId></ErrorResponse>`);
    }
    const arn = `arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:${id}:autoScalingGroupName/${input.AutoScalingGroupName}:policyName/${input.PolicyName}`;
    const alarms = ['AlarmHigh', 'AlarmLow'].map((a) => `<member><AlarmName>TargetTracking-${xmlText(String(input.AutoScalingGroupName))}-${a}-${id}</AlarmName><AlarmARN>arn:aws:cloudwatch:us-east-1:123456789012:alarm:TargetTracking-${a}-${id}</AlarmARN></member>`).join('');
    xml(res, 200, `<PutScalingPolicyResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><PutScalingPolicyResult><PolicyARN>${xmlText(arn)}</PolicyARN><Alarms>${alarms}</Alarms></PutScalingPolicyResult><ResponseMetadata><RequestId>${id}</RequestId></ResponseMetadata></PutScalingPolicyResponse>`);
  });
}

/** Application Auto Scaling, AWS JSON 1.1: RegisterScalableTarget and PutScalingPolicy. */
export function startApplicationAutoScalingEndpoint(): Promise<ScalingEndpoint> {
  return serve(async (req, body, requests, res) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AnyScaleFrontendService.') ? target.slice('AnyScaleFrontendService.'.length) : '';
    const violations: string[] = [];
    if (req.headers['content-type'] !== 'application/x-amz-json-1.1') violations.push(`content-type ${req.headers['content-type']}`);
    let input: Record<string, unknown> = {};
    try {
      input = JSON.parse(body || '{}') as Record<string, unknown>;
    } catch {
      violations.push('body is not JSON');
    }
    const shape = operation === 'PutScalingPolicy' ? AAS_PUT_SCALING_POLICY : operation === 'RegisterScalableTarget' ? AAS_REGISTER_SCALABLE_TARGET : undefined;
    if (!shape) violations.push(`unknown X-Amz-Target ${target}`);
    else check(input, shape, '', violations, 'json');
    if (operation === 'PutScalingPolicy') policyRules(input, input.TargetTrackingScalingPolicyConfiguration as Record<string, unknown> | undefined, violations);
    if (operation && input.ServiceNamespace === 'sagemaker') {
      if (!/^endpoint\/[^/]+\/variant\/[^/]+$/.test(String(input.ResourceId))) violations.push(`ResourceId ${input.ResourceId}: endpoint/<name>/variant/<variant> for sagemaker`);
      if (input.ScalableDimension !== 'sagemaker:variant:DesiredInstanceCount' && input.ScalableDimension !== 'sagemaker:inference-component:DesiredCopyCount') {
        violations.push(`ScalableDimension ${input.ScalableDimension} for sagemaker`);
      }
    }
    requests.push({ operation, input, violations, headers: req.headers });
    const json = (status: number, doc: unknown) => {
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': randomUUID() });
      res.end(JSON.stringify(doc));
    };
    if (violations.length > 0) return json(400, { __type: 'ValidationException', Message: violations.join('; ') });
    if (operation === 'RegisterScalableTarget') return json(200, { ScalableTargetARN: `arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/${randomUUID()}` });
    json(200, {
      PolicyARN: `arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:${randomUUID()}:resource/${input.ServiceNamespace}/${input.ResourceId}:policyName/${input.PolicyName}`,
      Alarms: [{ AlarmName: `TargetTracking-${input.ResourceId}-AlarmHigh`, AlarmARN: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:TargetTracking-AlarmHigh' }],
    });
  });
}

/** A target-tracking policy names one metric: a customized one either as a metric or as metric math with one result. */
function policyRules(input: Record<string, unknown>, tracking: Record<string, unknown> | undefined, v: string[]): void {
  if (input.PolicyType !== 'TargetTrackingScaling') return;
  if (!tracking) return void v.push('TargetTrackingScaling needs its configuration');
  const custom = tracking.CustomizedMetricSpecification as Record<string, unknown> | undefined;
  if ((custom === undefined) === (tracking.PredefinedMetricSpecification === undefined)) v.push('exactly one of PredefinedMetricSpecification, CustomizedMetricSpecification');
  if (!custom) return;
  const queries = custom.Metrics as Record<string, unknown>[] | undefined;
  if (queries) {
    if (custom.MetricName !== undefined || custom.Namespace !== undefined || custom.Statistic !== undefined) v.push('Metrics excludes MetricName, Namespace, Statistic');
    // ReturnData defaults to true; Query carries it as text.
    if (queries.filter((q) => q.ReturnData !== false && q.ReturnData !== 'false').length !== 1) v.push('Metrics must return exactly one time series (ReturnData)');
    for (const q of queries) if ((q.Expression === undefined) === (q.MetricStat === undefined)) v.push(`Metrics ${q.Id}: exactly one of Expression, MetricStat`);
  } else if (custom.MetricName === undefined || custom.Namespace === undefined || custom.Statistic === undefined) {
    v.push('CustomizedMetricSpecification needs MetricName, Namespace and Statistic (or Metrics)');
  }
}

/** Checks `value` against `shape`: members known, required present, scalars of their type (Query sends every scalar as text). */
function check(value: unknown, type: Type, at: string, v: string[], protocol: 'query' | 'json'): void {
  const where = at || 'input';
  if (type === 'string') {
    if (typeof value !== 'string' || value === '') v.push(`${where}: a non-empty string`);
  } else if (type === 'integer' || type === 'double') {
    const n = protocol === 'query' && typeof value === 'string' && value !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n) || (type === 'integer' && !Number.isInteger(n))) v.push(`${where}: ${type === 'integer' ? 'an integer' : 'a number'}`);
  } else if (type === 'boolean') {
    if (!(protocol === 'query' ? value === 'true' || value === 'false' : typeof value === 'boolean')) v.push(`${where}: a boolean`);
  } else if ('enum' in type) {
    if (!type.enum.includes(value as string)) v.push(`${where}: one of ${type.enum.join(', ')}`);
  } else if ('list' in type) {
    if (!Array.isArray(value)) return void v.push(`${where}: a list`);
    for (let i = 0; i < value.length; i++) check(value[i], type.list, `${where}[${i}]`, v, protocol);
  } else {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return void v.push(`${where}: a structure`);
    const o = value as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!(k in type.members)) v.push(`${at ? `${at}.` : ''}${k}: unknown member`);
    for (const r of type.required ?? []) if (o[r] === undefined) v.push(`${at ? `${at}.` : ''}${r}: required`);
    for (const [k, t] of Object.entries(type.members)) if (o[k] !== undefined) check(o[k], t, at ? `${at}.${k}` : k, v, protocol);
  }
}

/** AWS Query parameters → an object: `A.B=x`, lists as `A.member.N` (1-based, no gaps). */
function queryObject(form: URLSearchParams, v: string[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of form) {
    const parts = key.split('.');
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      if (parts[i] === 'member' && Array.isArray(node)) continue;
      const index = /^\d+$/.test(parts[i]!) && Array.isArray(node) ? Number(parts[i]) - 1 : undefined;
      const slot = index ?? parts[i]!;
      const nextIsList = parts[i + 1] === 'member';
      const container = node as Record<string | number, unknown>;
      if (last) {
        container[slot] = value;
      } else {
        container[slot] ??= nextIsList ? [] : {};
        node = container[slot] as Record<string, unknown> | unknown[];
      }
    }
  }
  const gaps = (n: unknown, at: string): void => {
    if (Array.isArray(n)) {
      for (let i = 0; i < n.length; i++) if (n[i] === undefined) v.push(`${at}.member.${i + 1} missing`);
      for (let i = 0; i < n.length; i++) gaps(n[i], `${at}.member.${i + 1}`);
    } else if (n && typeof n === 'object') for (const [k, x] of Object.entries(n)) gaps(x, at ? `${at}.${k}` : k);
  };
  gaps(root, '');
  return root;
}

async function serve(handle: (req: IncomingMessage, body: string, requests: ScalingRequest[], res: ServerResponse) => Promise<void>): Promise<ScalingEndpoint> {
  const requests: ScalingRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
        res.writeHead(404).end();
        return;
      }
      if (!/^AWS4-HMAC-SHA256 Credential=/.test(String(req.headers.authorization ?? ''))) {
        res.writeHead(403, { 'content-type': 'text/plain' }).end('missing SigV4 authorization');
        return;
      }
      void handle(req, Buffer.concat(chunks).toString('utf8'), requests, res).catch((err: Error) => {
        res.writeHead(500).end(err.message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function xml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
  res.end(`<?xml version="1.0"?>\n${body}`);
}

function xmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
