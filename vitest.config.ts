import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real servers and set process.env for the handlers they import: one
    // process per test file keeps them apart.
    pool: 'forks',
    isolate: true,
    testTimeout: 30_000,
    hookTimeout: 90_000,
    env: { AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
  },
});
