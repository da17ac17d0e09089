import { runAdminCli } from './run-admin-cli.ts';

/** `npm run admin -- …`: the operator CLI (see docs/operators.md). */
process.exitCode = await runAdminCli(process.argv.slice(2), {
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
