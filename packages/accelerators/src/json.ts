// Defensive readers for monitor JSON: a field of the wrong type reads as absent, never throws.

export type JsonObject = Record<string, unknown>;

export function object(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

export function number(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function string(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function array(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The numeric fields of an object, e.g. `{generic: 0, numerical: 2}`. */
export function numbers(value: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(object(value) ?? {})) {
    const n = number(v);
    if (n !== undefined) out[k] = n;
  }
  return out;
}
