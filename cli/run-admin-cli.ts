import { parseArgs } from 'node:util';
import type { AwsCredentialIdentity } from '@smithy/types';
import { AdminClient, regionOfApiUrl } from './admin-client.ts';
import { type AdminCommand, adminCommands, type CommandContext, UsageError } from './admin-commands.ts';

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** @default the SDK's default credential chain */
  readonly credentials?: AwsCredentialIdentity;
}

const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** An answer other than 2xx, as the API (or API Gateway) gave it. */
class ApiError extends Error {
  override readonly name = 'ApiError';
}

/**
 * `npm run admin -- <command> [args] [--url URL] [--region REGION] [--json]`. Returns the exit
 * code: 0 done, 1 the API refused or failed, 2 a usage mistake.
 */
export async function runAdminCli(argv: readonly string[], io: CliIo, commands: readonly AdminCommand[] = adminCommands): Promise<number> {
  const loose = parseArgs({ args: [...argv], options: GLOBAL_OPTIONS, allowPositionals: true, strict: false });
  const command = findCommand(commands, loose.positionals);
  if (!command || loose.values.help) {
    (command || loose.values.help ? io.stdout : io.stderr)(usage(commands, command));
    return command || loose.values.help ? 0 : 2;
  }
  let input;
  try {
    const parsed = parseArgs({ args: [...argv], options: { ...GLOBAL_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
    input = { positionals: parsed.positionals.slice(command.name.split(' ').length), values: parsed.values };
  } catch (error) {
    io.stderr(`${(error as Error).message}\n${usage(commands, command)}`);
    return 2;
  }
  const url = stringValue(input.values.url) ?? io.env.SESSION_GUARD_ADMIN_URL;
  if (!url || !URL.canParse(url)) {
    io.stderr('Set the admin API URL: --url <AdminApiUrl stack output> or SESSION_GUARD_ADMIN_URL.\n');
    return 2;
  }
  const region = stringValue(input.values.region) ?? regionOfApiUrl(url) ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const client = new AdminClient({ baseUrl: url, region, ...(io.credentials ? { credentials: io.credentials } : {}) });
  const context: CommandContext = {
    client,
    show: (body, view) => io.stdout(`${input.values.json ? JSON.stringify(body, null, 2) : view(body)}\n`),
    async call(method, path, body) {
      const response = await client.request(method, path, body);
      if (response.status >= 200 && response.status < 300) return response;
      throw new ApiError(describeRefusal(response.status, response.body));
    },
  };
  try {
    await command.run(context, input);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`${error.message}\n${usage(commands, command)}`);
      return 2;
    }
    io.stderr(`${error instanceof ApiError ? error.message : `request failed: ${(error as Error).message}`}\n`);
    return 1;
  }
}

function findCommand(commands: readonly AdminCommand[], positionals: readonly string[]): AdminCommand | undefined {
  const matching = commands.filter((command) => command.name.split(' ').every((word, i) => positionals[i] === word));
  return matching.sort((a, b) => b.name.length - a.name.length)[0];
}

function stringValue(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function describeRefusal(status: number, body: unknown): string {
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  if (error?.code) return `${status} ${error.code}: ${error.message ?? ''}`;
  if (status === 403) return '403 Forbidden: the admin API did not accept the signature (check the credentials, the region and the IAM policy).';
  return `${status} ${typeof body === 'string' ? body : JSON.stringify(body ?? '')}`;
}

function usage(commands: readonly AdminCommand[], command?: AdminCommand): string {
  const list = command ? [command] : commands;
  return [
    'Usage: npm run admin -- <command> [args] [--url <admin API URL>] [--region <region>] [--json]',
    '',
    ...list.map((c) => `  ${`${c.name} ${c.usage}`.padEnd(52)} ${c.summary}`),
    '',
    'Requests are signed with your AWS credentials (the SDK chain: environment, profile, SSO, role).',
    'The URL comes from --url or SESSION_GUARD_ADMIN_URL (the stack output AdminApiUrl).',
    '',
  ].join('\n');
}
