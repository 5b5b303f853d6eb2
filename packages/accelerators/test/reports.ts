// neuron-monitor report documents in the documented schema (based on the inf1.xlarge capture in the
// Neuron monitor user guide), for the stand-in to replay.

const latency = { p0: 0.00325, p1: 0.00325, p25: 0.00326, p50: 0.00328, p75: 0.0033, p99: 0.00334, p100: 0.00334 };

export const INSTANCE_ID = 'i-0823d657f57057590';
export const INSTANCE_TYPE = 'inf1.xlarge';

interface Options {
  /** Percent per core index. */
  utilization: Record<string, number>;
  completed?: number;
  errors?: Partial<Record<'generic' | 'numerical' | 'transient' | 'model' | 'runtime' | 'hardware', number>>;
  /** Sets `error` on execution_stats. */
  executionStatsError?: string;
  ecc?: number;
  deviceBytes?: number;
}

export function neuronReport(o: Options): Record<string, unknown> {
  const cores = Object.fromEntries(Object.entries(o.utilization).map(([id, u]) => [id, { neuroncore_utilization: u }]));
  const coreMemory = Object.fromEntries(
    Object.keys(o.utilization).map((id) => [
      id,
      { constants: 61766864, model_code: 1308832, model_shared_scratchpad: 0, runtime_memory: 43216, tensors: 0 },
    ]),
  );
  const ran = (o.completed ?? 0) > 0;
  return {
    neuron_runtime_data: [
      {
        pid: 15439,
        neuron_runtime_tag: '15439',
        error: '',
        report: {
          execution_stats: {
            period: 1.0,
            error_summary: { generic: 0, numerical: 0, transient: 0, model: 0, runtime: 0, hardware: 0, ...o.errors },
            execution_summary: {
              completed: o.completed ?? 0,
              completed_with_err: 0,
              completed_with_num_err: 0,
              timed_out: 0,
              incorrect_input: 0,
              failed_to_queue: 0,
            },
            latency_stats: { total_latency: ran ? latency : null, device_latency: ran ? latency : null },
            error: o.executionStatsError ?? '',
          },
          memory_used: {
            period: 1.0,
            neuron_runtime_used_bytes: {
              host: 1119887360,
              neuron_device: o.deviceBytes ?? 63118912,
              usage_breakdown: {
                host: { application_memory: 1117293568, constants: 0, dma_buffers: 16512, tensors: 2577280 },
                neuroncore_memory_usage: coreMemory,
              },
            },
            loaded_models: [],
            error: '',
          },
          neuron_runtime_vcpu_usage: { period: 1.0, vcpu_usage: { user: 4, system: 1 }, error: '' },
          neuroncore_counters: { period: 1.0, neuroncores_in_use: cores, error: '' },
        },
      },
    ],
    system_data: {
      memory_info: {
        period: 1.0,
        memory_total_bytes: 8033951744,
        memory_used_bytes: 6720876544,
        swap_total_bytes: 0,
        swap_used_bytes: 0,
        error: '',
      },
      neuron_hw_counters: {
        period: 1.0,
        neuron_devices: [
          { neuron_device_index: 0, mem_ecc_corrected: o.ecc ?? 0, mem_ecc_uncorrected: 0, sram_ecc_uncorrected: 0, sram_ecc_corrected: 0 },
        ],
        error: '',
      },
      vcpu_usage: {
        period: 1.0,
        average_usage: { user: 20, nice: 6, system: 3, idle: 70, io_wait: 1, irq: 0, soft_irq: 0 },
        usage_data: {
          '0': { user: 50, nice: 0, system: 0, idle: 50, io_wait: 0, irq: 0, soft_irq: 0 },
          '1': { user: 0, nice: 0, system: 0, idle: 100, io_wait: 0, irq: 0, soft_irq: 0 },
        },
        context_switch_count: 1978,
        error: '',
      },
    },
    instance_info: {
      instance_name: '',
      instance_id: INSTANCE_ID,
      instance_type: INSTANCE_TYPE,
      instance_availability_zone: 'us-east-2a',
      instance_availability_zone_id: 'use2-az1',
      instance_region: 'us-east-2',
      ami_id: 'ami-071c33e7823c066b5',
      subnet_id: 'subnet-dd4589b6',
      error: '',
    },
    neuron_hardware_info: { neuron_device_count: 1, neuroncore_per_device_count: 4, error: '' },
  };
}
