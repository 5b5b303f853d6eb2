import type { MeterProvider } from '@opentelemetry/api';

/** Which runtime monitor to read. */
export type AcceleratorKind = 'neuron' | 'nvidia';

/** Configuration of `startAcceleratorMetrics` (see `acceleratorConfigFromEnv` for the environment). */
export interface AcceleratorConfig {
  /** `neuron` runs neuron-monitor, `nvidia` runs nvidia-smi. Env: `TOKENLEDGER_ACCELERATORS`. */
  kind: AcceleratorKind;
  /**
   * The monitor executable. Default for `neuron`: `neuron-monitor` on PATH, else
   * `/opt/aws/neuron/bin/neuron-monitor`; for `nvidia`: `nvidia-smi` on PATH.
   * Env: `TOKENLEDGER_NEURON_MONITOR_PATH`, `TOKENLEDGER_NVIDIA_SMI_PATH`.
   */
  executable?: string;
  /** neuron-monitor config file, passed as `-c <file>`; default none (every group every 5 s). Env: `TOKENLEDGER_NEURON_MONITOR_CONFIG`. */
  neuronMonitorConfig?: string;
  /** nvidia-smi sampling interval in seconds (`-l`); default 5. Env: `TOKENLEDGER_NVIDIA_SMI_INTERVAL`. */
  intervalSeconds?: number;
  /**
   * Instance identity for sources that do not report it (nvidia-smi); neuron-monitor's `instance_info`
   * takes precedence. Env: `TOKENLEDGER_INSTANCE_ID`, `TOKENLEDGER_INSTANCE_TYPE`, `TOKENLEDGER_REGION`,
   * `TOKENLEDGER_AVAILABILITY_ZONE`. Default: none.
   */
  instance?: InstanceIdentity;
  /**
   * Fill what `instance` (and the monitor's report) lack from the EC2 instance metadata service's identity
   * document (IMDSv2; `AWS_EC2_METADATA_SERVICE_ENDPOINT` moves it, as for the AWS SDK); off EC2 it gives up
   * after 1 s without holding the process. Env: `TOKENLEDGER_EC2_METADATA` (`true`/`false`). Default: true.
   */
  ec2Metadata?: boolean;
  /** First restart delay after the monitor exits or cannot start, doubled on each failure; default 1000 ms. */
  restartDelayMs?: number;
  /** Cap of the restart delay; default 60000 ms. */
  maxRestartDelayMs?: number;
  /** Where the instruments are created; default the global MeterProvider (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider;
  /**
   * Keep the host's event loop alive while the monitor runs; default false, so an in-process monitor
   * never delays the host's exit (the agent sets it).
   */
  keepAlive?: boolean;
}

/** EC2 identity; becomes the `instance_*`, `availability_zone`, `region`, `subnet_id` labels. */
export interface InstanceIdentity {
  instanceId?: string;
  instanceType?: string;
  instanceName?: string;
  availabilityZone?: string;
  region?: string;
  subnetId?: string;
  /**
   * The Auto Scaling group (label `autoscaling_group`): Env `TOKENLEDGER_AUTOSCALING_GROUP`, else the instance's
   * `aws:autoscaling:groupName` tag from the metadata service (when instance metadata tags are enabled).
   */
  autoScalingGroup?: string;
  /** The SageMaker endpoint and production variant served (labels `sagemaker_endpoint`, `sagemaker_variant`). Env `TOKENLEDGER_SAGEMAKER_ENDPOINT_NAME`, `TOKENLEDGER_SAGEMAKER_VARIANT_NAME`. */
  sagemakerEndpoint?: string;
  sagemakerVariant?: string;
}

/** One NeuronCore or GPU in a snapshot. */
export interface DeviceSnapshot {
  /** NeuronCore index or GPU index, as reported. */
  id: string;
  /** Utilisation, 0–1; absent when the monitor could not read it. */
  utilization?: number;
  /** Accelerator memory in use, bytes. */
  memoryUsedBytes?: number;
}

/** The latest accelerator state on this host. */
export interface AcceleratorSnapshot {
  kind: AcceleratorKind;
  /** When the report was read (ms since the epoch). */
  time: number;
  instance: InstanceIdentity;
  /** Mean utilisation (0–1) over the devices that reported one. */
  utilization?: number;
  /** Accelerator memory in use, bytes, summed over devices. */
  memoryUsedBytes?: number;
  devices: DeviceSnapshot[];
}

/** What `startAcceleratorMetrics` returns. */
export interface AcceleratorMetrics {
  /** Stops the monitor process and the instruments' callbacks. */
  stop(): Promise<void>;
  /** The latest state, or undefined before the first report. */
  snapshot(): AcceleratorSnapshot | undefined;
}

/** Options of `AcceleratorSnapshotSpanProcessor`. */
export interface SnapshotSpanProcessorOptions {
  /** A snapshot older than this is not recorded (the monitor is down); default 30000 ms. */
  maxAgeMs?: number;
}
