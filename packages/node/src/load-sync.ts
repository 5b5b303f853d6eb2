// Synchronous loading of a package in this module's own format. The preload must load provider
// instrumentations (and the gRPC exporter) synchronously, before the app's modules load; a plain
// createRequire() would give the ESM build (`--import`) the packages' CommonJS copies, and with them
// CommonJS copies of every OpenTelemetry package they use, beside the ESM copies already loaded.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const nodeRequire = createRequire(import.meta.url);

/**
 * ESM (our .mjs build and the sources): the package's ESM entry, resolved with import conditions and
 * loaded by require(esm), the same instance a later `import` gets. CommonJS (.cjs build, where
 * scripts/build.ts defines `import.meta.resolve` as undefined): require() as usual.
 */
export function loadSync<T>(specifier: string): T {
  const esmResolve: ((specifier: string) => string) | undefined = import.meta.resolve;
  return nodeRequire(esmResolve ? fileURLToPath(esmResolve(specifier)) : specifier) as T;
}
