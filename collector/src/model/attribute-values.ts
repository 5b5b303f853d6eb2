// Readers of span attribute values as the roll-up and capacity take them: empty strings and non-finite
// numbers count as absent, numbers may arrive as strings (some exporters stringify them).
import type { AttributeValue } from './span-record.ts';

export function str(v: AttributeValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function num(v: AttributeValue | undefined): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v !== '') {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

export function bool(v: AttributeValue | undefined): boolean {
  return v === true || v === 'true';
}
