// Instance identity as the labels every accelerator series carries (the Neuron exporter's label names).
import type { Attributes } from '@opentelemetry/api';
import {
  LABEL_AUTOSCALING_GROUP,
  LABEL_AVAILABILITY_ZONE,
  LABEL_INSTANCE_ID,
  LABEL_INSTANCE_NAME,
  LABEL_INSTANCE_TYPE,
  LABEL_REGION,
  LABEL_SAGEMAKER_ENDPOINT,
  LABEL_SAGEMAKER_VARIANT,
  LABEL_SUBNET_ID,
} from '@tokenledger/semconv';
import type { InstanceIdentity } from './types.ts';

/** The reported identity, with configured values filling what the report lacks. */
export function mergeIdentity(reported: InstanceIdentity, configured: InstanceIdentity | undefined): InstanceIdentity {
  const out: InstanceIdentity = { ...configured };
  for (const [k, v] of Object.entries(reported) as [keyof InstanceIdentity, string | undefined][]) {
    if (v !== undefined) out[k] = v;
  }
  return out;
}

export function identityAttributes(identity: InstanceIdentity): Attributes {
  const attributes: Attributes = {};
  const set = (key: string, value: string | undefined): void => {
    if (value !== undefined) attributes[key] = value;
  };
  set(LABEL_INSTANCE_ID, identity.instanceId);
  set(LABEL_INSTANCE_TYPE, identity.instanceType);
  set(LABEL_INSTANCE_NAME, identity.instanceName);
  set(LABEL_AVAILABILITY_ZONE, identity.availabilityZone);
  set(LABEL_REGION, identity.region);
  set(LABEL_SUBNET_ID, identity.subnetId);
  set(LABEL_AUTOSCALING_GROUP, identity.autoScalingGroup);
  set(LABEL_SAGEMAKER_ENDPOINT, identity.sagemakerEndpoint);
  set(LABEL_SAGEMAKER_VARIANT, identity.sagemakerVariant);
  return attributes;
}
