/**
 * Accelerator runtime metric names, labels and span attributes (@tokenledger/accelerators).
 *
 * Neuron names are those of the Neuron Prometheus exporter (`neuron-monitor-prometheus.py`), so its
 * dashboards work unchanged. NVIDIA names are those of nvidia_gpu_exporter (`nvidia_smi_<field>`), which
 * reads the same `nvidia-smi --query-gpu` fields. The keys avoid the `METRIC_` prefix, which is reserved
 * for the collector's `tokenledger_` table.
 */

// --- AWS Neuron (neuron-monitor) ---
export const NEURON_NEURONCORE_UTILIZATION_RATIO = 'neuroncore_utilization_ratio';
/** Prefix of `neuroncore_memory_usage_{constants,model_code,model_shared_scratchpad,runtime_memory,tensors}`. */
export const NEURON_NEURONCORE_MEMORY_USAGE_PREFIX = 'neuroncore_memory_usage_';
export const NEURON_NEURONCORE_MEMORY_USAGE_KINDS = [
  'constants', 'model_code', 'model_shared_scratchpad', 'runtime_memory', 'tensors',
] as const;
export const NEURON_RUNTIME_MEMORY_USED_BYTES = 'neuron_runtime_memory_used_bytes';
export const NEURON_RUNTIME_VCPU_USAGE_RATIO = 'neuron_runtime_vcpu_usage_ratio';
export const NEURON_EXECUTION_ERRORS_TOTAL = 'execution_errors_total';
export const NEURON_EXECUTION_STATUS_TOTAL = 'execution_status_total';
export const NEURON_EXECUTION_LATENCY_SECONDS = 'execution_latency_seconds';
export const NEURON_HARDWARE_ECC_EVENTS_TOTAL = 'hardware_ecc_events_total';
export const NEURON_HARDWARE_INFO = 'neuron_hardware_info';
export const NEURON_SYSTEM_VCPU_COUNT = 'system_vcpu_count';
export const NEURON_SYSTEM_VCPU_USAGE_RATIO = 'system_vcpu_usage_ratio';
export const NEURON_SYSTEM_MEMORY_TOTAL_BYTES = 'system_memory_total_bytes';
export const NEURON_SYSTEM_MEMORY_USED_BYTES = 'system_memory_used_bytes';
export const NEURON_SYSTEM_SWAP_TOTAL_BYTES = 'system_swap_total_bytes';
export const NEURON_SYSTEM_SWAP_USED_BYTES = 'system_swap_used_bytes';

// Neuron labels (the exporter's spellings).
export const LABEL_NEURONCORE = 'neuroncore';
export const LABEL_NEURON_DEVICE_INDEX = 'neuron_device_index';
export const LABEL_NEURON_DEVICE_COUNT = 'neuron_device_count';
export const LABEL_NEURONCORE_PER_DEVICE_COUNT = 'neuroncore_per_device_count';
export const LABEL_MEMORY_LOCATION = 'memory_location';
export const LABEL_USAGE_TYPE = 'usage_type';
export const LABEL_ERROR_TYPE = 'error_type';
export const LABEL_STATUS_TYPE = 'status_type';
export const LABEL_PERCENTILE = 'percentile';
export const LABEL_EVENT_TYPE = 'event_type';
export const LABEL_RUNTIME_TAG = 'runtime_tag';
/** Instance identity labels every accelerator series carries (with `instance_id`, `instance_type`). */
export const LABEL_INSTANCE_NAME = 'instance_name';
export const LABEL_AVAILABILITY_ZONE = 'availability_zone';
export const LABEL_REGION = 'region';
export const LABEL_SUBNET_ID = 'subnet_id';

// --- NVIDIA (nvidia-smi --query-gpu) ---
export const NVIDIA_SMI_UTILIZATION_GPU_RATIO = 'nvidia_smi_utilization_gpu_ratio';
export const NVIDIA_SMI_UTILIZATION_MEMORY_RATIO = 'nvidia_smi_utilization_memory_ratio';
export const NVIDIA_SMI_MEMORY_USED_BYTES = 'nvidia_smi_memory_used_bytes';
export const NVIDIA_SMI_MEMORY_TOTAL_BYTES = 'nvidia_smi_memory_total_bytes';
export const NVIDIA_SMI_POWER_DRAW_WATTS = 'nvidia_smi_power_draw_watts';
export const NVIDIA_SMI_TEMPERATURE_GPU_CELSIUS = 'nvidia_smi_temperature_gpu_celsius';
export const LABEL_GPU = 'gpu';
export const LABEL_UUID = 'uuid';

// --- Span attributes: the accelerator state when a model span ends ---
/** `neuron` or `nvidia`. */
export const ATTR_ACCELERATOR_KIND = 'tokenledger.accelerator.kind';
/** Mean utilisation (0–1) over the host's NeuronCores or GPUs in the last report. */
export const ATTR_ACCELERATOR_UTILIZATION = 'tokenledger.accelerator.utilization';
/** Accelerator memory in use (bytes), summed over devices. */
export const ATTR_ACCELERATOR_MEMORY_USED_BYTES = 'tokenledger.accelerator.memory.used_bytes';
/** NeuronCores or GPUs in the report. */
export const ATTR_ACCELERATOR_DEVICES = 'tokenledger.accelerator.devices';
/** EC2 instance id serving a self-hosted model (from neuron-monitor's `instance_info` or configuration). */
export const ATTR_INSTANCE_ID = 'tokenledger.instance.id';

// --- Self-hosted capacity (collector) ---
/** Capacity cost attributed to the requests served, by the model they ran (labels instance_type, instance_id, model). */
export const METRIC_CAPACITY_ATTRIBUTED_COST_USD_TOTAL = 'tokenledger_capacity_attributed_cost_usd_total';
/** Mean accelerator utilisation (0–1) of an instance over the last settled interval (instance_type, instance_id). */
export const METRIC_CAPACITY_UTILIZATION_RATIO = 'tokenledger_capacity_utilization_ratio';
/** What the same tokens would have cost on Bedrock on-demand with the configured comparable model (instance_type, instance_id, model). */
export const METRIC_CAPACITY_BEDROCK_EQUIVALENT_USD_TOTAL = 'tokenledger_capacity_bedrock_equivalent_usd_total';

// --- Scaling identity (accelerator agent labels, from configuration or the instance's tags) ---
/** The Auto Scaling group of the instance (TOKENLEDGER_AUTOSCALING_GROUP, or the `aws:autoscaling:groupName` tag from IMDS). */
export const LABEL_AUTOSCALING_GROUP = 'autoscaling_group';
/** SageMaker endpoint and production variant the instance serves (configuration). */
export const LABEL_SAGEMAKER_ENDPOINT = 'sagemaker_endpoint';
export const LABEL_SAGEMAKER_VARIANT = 'sagemaker_variant';
/** The EC2 instance tag Auto Scaling puts on its instances, read from IMDS (instance metadata tags must be enabled). */
export const EC2_TAG_AUTOSCALING_GROUP = 'aws:autoscaling:groupName';
/** Resource attribute the OpenTelemetry Collector's resourcedetection (ec2 detector with `tags`) writes for that tag. */
export const RESOURCE_EC2_TAG_AUTOSCALING_GROUP = 'ec2.tag.aws:autoscaling:groupName';
/** Resource attribute of the host's instance id (resourcedetection ec2) and type. */
export const RESOURCE_HOST_TYPE = 'host.type';
