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
    // Log lines are kept in memory and searched by the tests that prove no secret is logged
    // (test/support/captured-output.ts), not printed: DEBUG so those proofs see every level.
    setupFiles: ['test/support/quiet-setup.ts'],
    env: {
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
      // The SDK's notice that its 2027 releases need Node.js 22 (Lambda runs 22; this machine 20).
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
