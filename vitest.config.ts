import { defineConfig } from 'vitest/config';
import { SOURCE_CONDITION } from './scripts/workspaces.ts';

// In this repository the packages run from their TypeScript sources: the `@tokenledger/source` export
// condition (see docs/development.md, "Working in this repository") points each package at src/ instead of dist/. Vite resolves with it,
// and so do the Node processes the tests start (NODE_OPTIONS, also set by .npmrc for npm scripts).

export default defineConfig({
  // Without 'module': packages such as @smithy/core map it to bundler-only builds that Node cannot load.
  ssr: { resolve: { conditions: [SOURCE_CONDITION, 'node', 'development|production'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'collector/test/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // No test may reach a real EC2 metadata service (CI may run on EC2): a closed local port instead;
    // the tests of the lookup start their own endpoint. Child processes inherit it.
    env: {
      AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9',
      NODE_OPTIONS: withSourceCondition(process.env.NODE_OPTIONS),
    },
  },
});

function withSourceCondition(options = ''): string {
  return options.includes(`--conditions=${SOURCE_CONDITION}`) ? options : `${options} --conditions=${SOURCE_CONDITION}`.trim();
}
