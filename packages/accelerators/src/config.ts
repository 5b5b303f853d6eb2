// Configuration from the environment; a bad value fails at start with a message naming the variable.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { AcceleratorConfig, AcceleratorKind, InstanceIdentity } from './types.ts';

export const ENV_ACCELERATORS = 'TOKENLEDGER_ACCELERATORS';
export const ENV_NEURON_MONITOR_PATH = 'TOKENLEDGER_NEURON_MONITOR_PATH';
export const ENV_NEURON_MONITOR_CONFIG = 'TOKENLEDGER_NEURON_MONITOR_CONFIG';
export const ENV_NVIDIA_SMI_PATH = 'TOKENLEDGER_NVIDIA_SMI_PATH';
export const ENV_NVIDIA_SMI_INTERVAL = 'TOKENLEDGER_NVIDIA_SMI_INTERVAL';
export const ENV_INSTANCE_ID = 'TOKENLEDGER_INSTANCE_ID';
export const ENV_INSTANCE_TYPE = 'TOKENLEDGER_INSTANCE_TYPE';
export const ENV_REGION = 'TOKENLEDGER_REGION';
export const ENV_AVAILABILITY_ZONE = 'TOKENLEDGER_AVAILABILITY_ZONE';
export const ENV_EC2_METADATA = 'TOKENLEDGER_EC2_METADATA';
export const ENV_AUTOSCALING_GROUP = 'TOKENLEDGER_AUTOSCALING_GROUP';
export const ENV_SAGEMAKER_ENDPOINT_NAME = 'TOKENLEDGER_SAGEMAKER_ENDPOINT_NAME';
export const ENV_SAGEMAKER_VARIANT_NAME = 'TOKENLEDGER_SAGEMAKER_VARIANT_NAME';

const NEURON_MONITOR = 'neuron-monitor';
const NEURON_MONITOR_INSTALLED = '/opt/aws/neuron/bin/neuron-monitor';
const NVIDIA_SMI = 'nvidia-smi';
const KINDS: readonly AcceleratorKind[] = ['neuron', 'nvidia'];

export const DEFAULT_NVIDIA_INTERVAL_SECONDS = 5;
export const DEFAULT_RESTART_DELAY_MS = 1000;
export const DEFAULT_MAX_RESTART_DELAY_MS = 60_000;

/** The configuration `TOKENLEDGER_ACCELERATORS` asks for, or undefined when it is unset. */
export function acceleratorConfigFromEnv(env: NodeJS.ProcessEnv = process.env): AcceleratorConfig | undefined {
  const kind = env[ENV_ACCELERATORS]?.trim();
  if (!kind) return undefined;
  if (!KINDS.includes(kind as AcceleratorKind)) {
    throw new Error(`${ENV_ACCELERATORS}="${kind}" is not one of: ${KINDS.join(', ')}`);
  }
  const instance: InstanceIdentity = {
    instanceId: env[ENV_INSTANCE_ID] || undefined,
    instanceType: env[ENV_INSTANCE_TYPE] || undefined,
    region: env[ENV_REGION] || undefined,
    availabilityZone: env[ENV_AVAILABILITY_ZONE] || undefined,
    autoScalingGroup: env[ENV_AUTOSCALING_GROUP] || undefined,
    sagemakerEndpoint: env[ENV_SAGEMAKER_ENDPOINT_NAME] || undefined,
    sagemakerVariant: env[ENV_SAGEMAKER_VARIANT_NAME] || undefined,
  };
  const ec2Metadata = env[ENV_EC2_METADATA]?.trim().toLowerCase();
  if (ec2Metadata && ec2Metadata !== 'true' && ec2Metadata !== 'false') {
    throw new Error(`${ENV_EC2_METADATA}="${env[ENV_EC2_METADATA]}" must be true or false`);
  }
  const config: AcceleratorConfig = { kind: kind as AcceleratorKind, instance, ec2Metadata: ec2Metadata !== 'false' };
  if (kind === 'neuron') {
    config.executable = env[ENV_NEURON_MONITOR_PATH] || undefined;
    config.neuronMonitorConfig = env[ENV_NEURON_MONITOR_CONFIG] || undefined;
  } else {
    config.executable = env[ENV_NVIDIA_SMI_PATH] || undefined;
    const interval = env[ENV_NVIDIA_SMI_INTERVAL];
    if (interval) {
      const seconds = Number(interval);
      if (!Number.isInteger(seconds) || seconds < 1) {
        throw new Error(`${ENV_NVIDIA_SMI_INTERVAL}="${interval}" must be a whole number of seconds >= 1`);
      }
      config.intervalSeconds = seconds;
    }
  }
  return config;
}

/** The executable to spawn and the env var that sets it. */
export function monitorExecutable(config: AcceleratorConfig, env: NodeJS.ProcessEnv = process.env): string {
  if (config.executable) return config.executable;
  if (config.kind === 'nvidia') return NVIDIA_SMI;
  return onPath(NEURON_MONITOR, env.PATH) ? NEURON_MONITOR : NEURON_MONITOR_INSTALLED;
}

function onPath(name: string, path: string | undefined): boolean {
  return (path ?? '').split(delimiter).some((dir) => {
    if (!dir) return false;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
