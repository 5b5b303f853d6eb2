// Reads one `nvidia-smi --query-gpu=… --format=csv,noheader,nounits` line: one GPU per line, fields in
// the order queried. `[N/A]` and `[Not Supported]` (and any non-number) read as absent.

/** The fields queried, in order; the parser and the arguments both come from this list. */
export const GPU_QUERY_FIELDS = [
  'index', 'uuid', 'utilization.gpu', 'utilization.memory', 'memory.used', 'memory.total', 'power.draw', 'temperature.gpu',
] as const;

const MIB = 1024 * 1024;

export interface GpuReading {
  index: string;
  uuid?: string;
  /** 0–1 */
  utilization?: number;
  /** 0–1: fraction of time memory was read or written. */
  memoryUtilization?: number;
  memoryUsedBytes?: number;
  memoryTotalBytes?: number;
  powerWatts?: number;
  temperatureCelsius?: number;
}

export function nvidiaSmiArgs(intervalSeconds: number): string[] {
  return [`--query-gpu=${GPU_QUERY_FIELDS.join(',')}`, '--format=csv,noheader,nounits', '-l', String(intervalSeconds)];
}

/** Undefined when the line is not a GPU row (a message, a partial line, a wrong field count). */
export function parseGpuLine(line: string): GpuReading | undefined {
  const fields = line.split(',').map((f) => f.trim());
  if (fields.length !== GPU_QUERY_FIELDS.length) return undefined;
  const [index, uuid, util, memUtil, memUsed, memTotal, power, temperature] = fields as string[];
  if (!/^\d+$/.test(index!)) return undefined;
  const scaled = (text: string | undefined, factor: number): number | undefined => {
    if (text === undefined || text === '' || text.startsWith('[') || text === 'N/A') return undefined;
    const n = Number(text);
    return Number.isFinite(n) ? n * factor : undefined;
  };
  return {
    index: index!,
    uuid: uuid && !uuid.startsWith('[') ? uuid : undefined,
    utilization: scaled(util, 1 / 100),
    memoryUtilization: scaled(memUtil, 1 / 100),
    memoryUsedBytes: scaled(memUsed, MIB),
    memoryTotalBytes: scaled(memTotal, MIB),
    powerWatts: scaled(power, 1),
    temperatureCelsius: scaled(temperature, 1),
  };
}
