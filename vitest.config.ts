import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'collector/test/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // No test may reach a real EC2 metadata service (CI may run on EC2): a closed local port instead;
    // the tests of the lookup start their own endpoint. Child processes inherit it.
    env: { AWS_EC2_METADATA_SERVICE_ENDPOINT: 'http://127.0.0.1:9' },
  },
});
