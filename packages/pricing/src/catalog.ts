// The bundled catalog (catalog.json): USD per token, source and checked date per entry.
import { readFileSync } from 'node:fs';
import { parsePrices, type ParsedPrices } from './price-file.ts';

const CATALOG_URL = new URL('./catalog.json', import.meta.url);

/** Version of the bundled catalog: the day its prices were last checked as a whole. */
export const CATALOG_VERSION = '2026-12-04';

let catalog: ParsedPrices | undefined;

/** The bundled entries, parsed once on first use with the same validation as price files. */
export function catalogPrices(): ParsedPrices {
  if (!catalog) {
    const raw = JSON.parse(readFileSync(CATALOG_URL, 'utf8')) as Record<string, unknown>;
    if (raw.version !== CATALOG_VERSION) throw new Error(`catalog.json version ${String(raw.version)} != CATALOG_VERSION ${CATALOG_VERSION}`);
    // `version` and `unit` describe the file; the entries have the price-file shape.
    catalog = parsePrices({ models: raw.models, instances: raw.instances }, CATALOG_URL.pathname, { origin: 'catalog' });
  }
  return catalog;
}
