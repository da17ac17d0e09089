import type { ParseArgsConfig } from 'node:util';
import type { AdminClient, AdminResponse } from './admin-client.ts';
import { inventoryCommands } from './inventory-commands.ts';
import { renderTable } from './table.ts';

/**
 * The operator CLI's subcommands, one entry each: `npm run admin -- <name> [args]`. A name may
 * have several words (`inventory add`); the longest name that matches the first words wins.
 */
export interface AdminCommand {
  readonly name: string;
  /** Arguments after the name, for the help text. */
  readonly usage: string;
  readonly summary: string;
  /** The command's own flags (node:util parseArgs); `--url`, `--region` and `--json` are global. */
  readonly options?: NonNullable<ParseArgsConfig['options']>;
  run(context: CommandContext, input: CommandInput): Promise<void>;
}

export interface CommandInput {
  readonly positionals: readonly string[];
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
}

export interface CommandContext {
  readonly client: AdminClient;
  /** Prints the JSON body as is (`--json`), or the command's table view. */
  show(body: unknown, view: (body: any) => string): void;
  /** Sends a request; anything but 2xx stops the command with the API's error. */
  call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<AdminResponse>;
}

/** A missing or malformed argument: the CLI prints the usage. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

function required(input: CommandInput, index: number, what: string): string {
  const value = input.positionals[index];
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return encodeURIComponent(value);
}

interface SessionRow {
  id: string;
  status: string;
  via: string;
  device: string;
  createdAt: string;
  expiresAt: string;
  revokedReason?: string;
}

const sessionsView = (body: { user: { id: string; facebookUserId: string }; sessions: SessionRow[] }) =>
  [
    `user ${body.user.id}  (Facebook ${body.user.facebookUserId})  ${body.sessions.length} session(s)`,
    renderTable(body.sessions, [
      { title: 'SESSION', value: (s) => s.id },
      { title: 'STATUS', value: (s) => (s.revokedReason ? `${s.status} (${s.revokedReason})` : s.status) },
      { title: 'VIA', value: (s) => s.via },
      { title: 'DEVICE', value: (s) => s.device },
      { title: 'CREATED', value: (s) => s.createdAt },
      { title: 'EXPIRES', value: (s) => s.expiresAt },
    ]),
  ].join('\n');

const offboardView = (body: { userId: string; steps: Record<string, Record<string, unknown>> }) =>
  [
    `offboarded ${body.userId}`,
    renderTable(Object.entries(body.steps), [
      { title: 'STEP', value: ([step]) => step },
      { title: 'RESULT', value: ([, counts]) => Object.entries(counts).map(([key, value]) => `${key}=${String(value)}`).join(' ') },
    ]),
  ].join('\n');

export const adminCommands: readonly AdminCommand[] = [
  {
    name: 'sessions',
    usage: '<userId> | --facebook <facebookUserId>',
    summary: "a person's sessions and revocation records, newest first",
    options: { facebook: { type: 'string' } },
    async run(context, input) {
      const facebook = input.values.facebook;
      const path =
        typeof facebook === 'string' && facebook !== ''
          ? `/admin/v1/facebook-users/${encodeURIComponent(facebook)}/sessions`
          : `/admin/v1/users/${required(input, 0, '<userId> (or --facebook <facebookUserId>)')}/sessions`;
      context.show((await context.call('GET', path)).body, sessionsView);
    },
  },
  {
    name: 'end-session',
    usage: '<sessionId>',
    summary: 'end one live session (reason ended_by_operator)',
    async run(context, input) {
      const sessionId = required(input, 0, '<sessionId>');
      await context.call('DELETE', `/admin/v1/sessions/${sessionId}`);
      context.show({ ended: decodeURIComponent(sessionId) }, (body: { ended: string }) => `ended ${body.ended}`);
    },
  },
  {
    name: 'offboard',
    usage: '<userId>',
    summary: 'end every session of a person (reason offboarded) and run the other offboarding steps',
    async run(context, input) {
      const userId = required(input, 0, '<userId>');
      context.show((await context.call('POST', `/admin/v1/users/${userId}/offboard`)).body, offboardView);
    },
  },
  ...inventoryCommands(UsageError),
];
