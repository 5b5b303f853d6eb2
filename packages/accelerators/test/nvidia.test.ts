import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type JsonSseServer, startEc2MetadataEndpoint } from '@tokenledger/local-endpoints';
import {
  LABEL_AUTOSCALING_GROUP,
  LABEL_GPU,
  LABEL_INSTANCE_ID,
  LABEL_INSTANCE_TYPE,
  LABEL_REGION,
  LABEL_UUID,
  NVIDIA_SMI_MEMORY_TOTAL_BYTES,
  NVIDIA_SMI_MEMORY_USED_BYTES,
  NVIDIA_SMI_POWER_DRAW_WATTS,
  NVIDIA_SMI_UTILIZATION_GPU_RATIO,
  NVIDIA_SMI_UTILIZATION_MEMORY_RATIO,
} from '@tokenledger/semconv';
import { lookupEc2Identity } from '../src/ec2-identity.ts';
import { acceleratorConfigFromEnv, startAcceleratorMetrics, type AcceleratorMetrics } from '../src/index.ts';
import { eventually, captureDiag, FIXTURES, scenario, testMetrics, type Run, type Scenario } from './harness.ts';

const MIB = 1024 * 1024;
const UUID0 = 'GPU-0f6a1b2c-3d4e-5f60-7182-93a4b5c6d7e8';
const UUID1 = 'GPU-1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809';
// index, uuid, utilization.gpu, utilization.memory, memory.used, memory.total, power.draw, temperature.gpu
const busy = [`0, ${UUID0}, 97, 61, 20480, 23028, 281.35, 71`, `1, ${UUID1}, 45, [Not Supported], 10240, 23028, [N/A], 60`];
const idle = [`0, ${UUID0}, 0, 0, 512, 23028, 60.10, 40`, `1, ${UUID1}, 0, 0, 512, 23028, 59.90, 39`];

let running: AcceleratorMetrics | undefined;
let current: Scenario | undefined;
afterEach(async () => {
  await running?.stop();
  current?.cleanup();
  running = undefined;
});

const IDENTITY = { TOKENLEDGER_INSTANCE_ID: 'i-0abc', TOKENLEDGER_INSTANCE_TYPE: 'g5.xlarge' };

function start(runs: Run[], env: Record<string, string> = IDENTITY) {
  current = scenario(runs);
  const config = acceleratorConfigFromEnv({
    TOKENLEDGER_ACCELERATORS: 'nvidia',
    TOKENLEDGER_NVIDIA_SMI_PATH: join(FIXTURES, 'nvidia-smi'),
    TOKENLEDGER_NVIDIA_SMI_INTERVAL: '2',
    ...env,
  })!;
  const telemetry = testMetrics();
  running = startAcceleratorMetrics({ ...config, meterProvider: telemetry.meterProvider, restartDelayMs: 20 });
  return { telemetry, handle: running, scenario: current };
}

describe('nvidia-smi', () => {
  it('runs the CSV query and publishes each GPU, leaving [N/A] and [Not Supported] out', async () => {
    const { telemetry, handle, scenario } = start([{ lines: busy }]);
    await eventually(() => expect(handle.snapshot()?.devices).toHaveLength(2));
    expect(scenario.starts()).toEqual([
      [
        '--query-gpu=index,uuid,utilization.gpu,utilization.memory,memory.used,memory.total,power.draw,temperature.gpu',
        '--format=csv,noheader,nounits',
        '-l',
        '2',
      ],
    ]);
    const gpu0 = { [LABEL_GPU]: '0', [LABEL_UUID]: UUID0, [LABEL_INSTANCE_ID]: 'i-0abc', [LABEL_INSTANCE_TYPE]: 'g5.xlarge' };
    expect(await telemetry.value(NVIDIA_SMI_UTILIZATION_GPU_RATIO, gpu0)).toBeCloseTo(0.97, 9);
    expect(await telemetry.value(NVIDIA_SMI_MEMORY_USED_BYTES, gpu0)).toBe(20480 * MIB);
    expect(await telemetry.value(NVIDIA_SMI_MEMORY_TOTAL_BYTES, gpu0)).toBe(23028 * MIB);
    expect(await telemetry.value(NVIDIA_SMI_POWER_DRAW_WATTS, gpu0)).toBeCloseTo(281.35, 9);
    expect((await telemetry.points(NVIDIA_SMI_POWER_DRAW_WATTS)).map((p) => p.attributes[LABEL_GPU])).toEqual(['0']);
    expect((await telemetry.points(NVIDIA_SMI_UTILIZATION_MEMORY_RATIO)).map((p) => p.attributes[LABEL_GPU])).toEqual(['0']);
    expect(await telemetry.value(NVIDIA_SMI_UTILIZATION_GPU_RATIO, { [LABEL_GPU]: '1' })).toBeCloseTo(0.45, 9);

    const snapshot = handle.snapshot()!;
    expect(snapshot.kind).toBe('nvidia');
    expect(snapshot.utilization).toBeCloseTo((0.97 + 0.45) / 2, 9);
    expect(snapshot.memoryUsedBytes).toBe((20480 + 10240) * MIB);
    expect(snapshot.instance).toEqual({ instanceId: 'i-0abc', instanceType: 'g5.xlarge' });
  });

  it('skips a driver message and a partial row, and re-spawns nvidia-smi after it exits', async () => {
    const messages = captureDiag();
    const { telemetry, handle, scenario } = start([
      {
        lines: [...busy, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."],
        exit: 9,
        partial: `0, ${UUID0}, 9`,
      },
      { lines: idle },
    ]);
    await eventually(() => expect(handle.snapshot()?.memoryUsedBytes).toBe(2 * 512 * MIB));
    expect(scenario.starts()).toHaveLength(2);
    expect(messages.some((m) => m.includes('malformed nvidia-smi line: NVIDIA-SMI has failed'))).toBe(true);
    expect(messages.some((m) => m.includes(`malformed nvidia-smi line: 0, ${UUID0}, 9`))).toBe(true);
    expect(messages.some((m) => m.includes('nvidia-smi exited (code 9)'))).toBe(true);
    expect(await telemetry.value(NVIDIA_SMI_UTILIZATION_GPU_RATIO, { [LABEL_GPU]: '0' })).toBe(0);
    expect(await telemetry.value(NVIDIA_SMI_POWER_DRAW_WATTS, { [LABEL_GPU]: '1' })).toBeCloseTo(59.9, 9);
  });

  describe('instance identity from the EC2 instance metadata service (IMDSv2)', () => {
    const document = { instanceId: 'i-0imds', instanceType: 'g6.2xlarge', region: 'eu-west-1', availabilityZone: 'eu-west-1b' };
    let imds: JsonSseServer;
    const endpointBefore = process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT;
    beforeEach(async () => {
      imds = await startEc2MetadataEndpoint(document);
      process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.origin;
    });
    afterEach(async () => {
      process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = endpointBefore;
      await imds.close();
    });

    it('labels the GPUs with what the metadata service says, configured values first', async () => {
      const { telemetry, handle } = start([{ lines: busy }], { TOKENLEDGER_INSTANCE_TYPE: 'g6.2xlarge-configured' });
      await eventually(() => expect(handle.snapshot()?.instance.instanceId).toBe('i-0imds'));
      expect(handle.snapshot()!.instance).toEqual({ ...document, instanceType: 'g6.2xlarge-configured' });
      const gpu0 = { [LABEL_GPU]: '0', [LABEL_INSTANCE_ID]: 'i-0imds', [LABEL_INSTANCE_TYPE]: 'g6.2xlarge-configured', [LABEL_REGION]: 'eu-west-1' };
      expect(await telemetry.value(NVIDIA_SMI_UTILIZATION_GPU_RATIO, gpu0)).toBeCloseTo(0.97, 9);
      // A session token first, then the document with it (the endpoint refuses a GET without one).
      // Then the Auto Scaling group tag: this instance has no instance metadata tags (404), so no group label.
      expect(imds.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'PUT /latest/api/token', 'GET /latest/dynamic/instance-identity/document', 'GET /latest/meta-data/tags/instance/aws:autoscaling:groupName',
      ]);
      expect(handle.snapshot()!.instance.autoScalingGroup).toBeUndefined();
    });

    it('labels the series with the Auto Scaling group from the instance\'s tags, when IMDS shows tags', async () => {
      await imds.close();
      imds = await startEc2MetadataEndpoint(document, { 'aws:autoscaling:groupName': 'inf2-fleet', Name: 'worker' });
      process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = imds.origin;
      const { telemetry, handle } = start([{ lines: busy }], {});
      await eventually(() => expect(handle.snapshot()?.instance.autoScalingGroup).toBe('inf2-fleet'));
      const gpu0 = { [LABEL_GPU]: '0', [LABEL_INSTANCE_ID]: 'i-0imds', [LABEL_AUTOSCALING_GROUP]: 'inf2-fleet' };
      expect(await telemetry.value(NVIDIA_SMI_UTILIZATION_GPU_RATIO, gpu0)).toBeCloseTo(0.97, 9);
    });

    it('takes the group and the SageMaker endpoint variant from configuration', () => {
      const cfg = acceleratorConfigFromEnv({ TOKENLEDGER_ACCELERATORS: 'neuron', TOKENLEDGER_AUTOSCALING_GROUP: 'g', TOKENLEDGER_SAGEMAKER_ENDPOINT_NAME: 'e', TOKENLEDGER_SAGEMAKER_VARIANT_NAME: 'AllTraffic' });
      expect(cfg!.instance).toMatchObject({ autoScalingGroup: 'g', sagemakerEndpoint: 'e', sagemakerVariant: 'AllTraffic' });
    });

    it('asks nothing with TOKENLEDGER_EC2_METADATA=false, or when the identity is configured in full', async () => {
      const { handle } = start([{ lines: busy }], { TOKENLEDGER_EC2_METADATA: 'false' });
      await eventually(() => expect(handle.snapshot()?.devices).toHaveLength(2));
      expect(handle.snapshot()!.instance).toEqual({});
      await running!.stop();
      const full = { ...IDENTITY, TOKENLEDGER_REGION: 'us-east-1', TOKENLEDGER_AVAILABILITY_ZONE: 'us-east-1a' };
      const second = start([{ lines: busy }], full).handle;
      await eventually(() => expect(second.snapshot()?.devices).toHaveLength(2));
      expect(imds.requests).toEqual([]);
      expect(() => acceleratorConfigFromEnv({ TOKENLEDGER_ACCELERATORS: 'nvidia', TOKENLEDGER_EC2_METADATA: 'no' })).toThrow(/TOKENLEDGER_EC2_METADATA/);
    });

    it('gives up quietly (diag) where there is no metadata service', async () => {
      const messages = captureDiag();
      process.env.AWS_EC2_METADATA_SERVICE_ENDPOINT = 'http://127.0.0.1:9';
      expect(await lookupEc2Identity()).toBeUndefined();
      expect(messages.some((m) => m.includes('no EC2 instance metadata at http://127.0.0.1:9'))).toBe(true);
    });
  });

  it('fails at start on a bad interval', () => {
    expect(() =>
      acceleratorConfigFromEnv({ TOKENLEDGER_ACCELERATORS: 'nvidia', TOKENLEDGER_NVIDIA_SMI_INTERVAL: '0.5' }),
    ).toThrow(/TOKENLEDGER_NVIDIA_SMI_INTERVAL/);
  });
});
