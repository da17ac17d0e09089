import type { AdminCommand, CommandInput } from './admin-commands.ts';
import { renderTable } from './table.ts';

/**
 * `npm run admin -- inventory …`: the long-lived credential inventory (docs/inventory.md). The
 * CLI never sees a token: entries name the Secrets Manager secret that holds it.
 */
interface CredentialView {
  label: string;
  kind: string;
  owner?: string;
  purpose: string;
  status: string;
  flags: string[];
  secretArn: string;
  expectedScopes: string[];
  expectedAssets: string[];
  lastCheck?: { checkedAt: number; isValid: boolean; type?: string; expiresAt?: number; scopes: string[]; assets: string[]; secretRotatedAt?: number };
}

const when = (ms: number | undefined) => (ms === undefined ? '-' : new Date(ms).toISOString().slice(0, 16).replace('T', ' '));
const expiry = (seconds: number | undefined) => (seconds === undefined ? '-' : seconds === 0 ? 'never' : when(seconds * 1000));

const listView = (body: { credentials: CredentialView[] }) =>
  renderTable(body.credentials, [
    { title: 'LABEL', value: (c) => c.label },
    { title: 'KIND', value: (c) => c.kind },
    { title: 'OWNER', value: (c) => c.owner ?? '(none)' },
    { title: 'STATUS', value: (c) => c.status },
    { title: 'FLAGS', value: (c) => c.flags.join(',') || '-' },
    { title: 'EXPIRES', value: (c) => expiry(c.lastCheck?.expiresAt) },
    { title: 'CHECKED', value: (c) => when(c.lastCheck?.checkedAt) },
  ]);

const showView = (c: CredentialView) =>
  renderTable(
    [
      ['label', c.label],
      ['kind', c.kind],
      ['owner', c.owner ?? '(none)'],
      ['purpose', c.purpose],
      ['status', c.status],
      ['flags', c.flags.join(', ') || '-'],
      ['secret', c.secretArn],
      ['expected scopes', c.expectedScopes.join(', ') || '-'],
      ['scopes', c.lastCheck?.scopes.join(', ') ?? '-'],
      ['expected assets', c.expectedAssets.join(', ') || '-'],
      ['assets', c.lastCheck?.assets.join(', ') ?? '-'],
      ['valid', c.lastCheck ? String(c.lastCheck.isValid) : '-'],
      ['type', c.lastCheck?.type ?? '-'],
      ['expires', expiry(c.lastCheck?.expiresAt)],
      ['checked', when(c.lastCheck?.checkedAt)],
    ] as const,
    [
      { title: 'FIELD', value: ([field]) => field },
      { title: 'VALUE', value: ([, value]) => value },
    ],
  );

const offboardView = (body: { owner: string; marked: string[]; unchanged: string[]; revocableFromCli: string[]; revokeInBusinessSettings: string[] }) =>
  [
    `owner ${body.owner}: ${body.marked.length} marked revoke_pending, ${body.unchanged.length} unchanged`,
    ...body.revocableFromCli.map((label) => `  revoke now:   npm run admin -- inventory revoke ${label}`),
    ...body.revokeInBusinessSettings.map((label) => `  in Business settings (docs/runbook.md): ${label}; the daily check closes it`),
  ].join('\n');

function argument(input: CommandInput, what: string): string {
  const value = input.positionals[0];
  if (value === undefined || value === '') throw new TypeError(`missing ${what}`);
  return encodeURIComponent(value);
}

const list = (value: string | boolean | undefined) => (typeof value === 'string' && value !== '' ? value.split(',').map((item) => item.trim()) : []);

export function inventoryCommands(usageError: new (message: string) => Error): AdminCommand[] {
  const positional = (input: CommandInput, what: string) => {
    try {
      return argument(input, what);
    } catch (error) {
      throw new usageError((error as Error).message);
    }
  };
  return [
    {
      name: 'inventory add',
      usage: '<label> --kind K --purpose P --secret-arn ARN [--owner O] [--scopes a,b] [--assets id,id] [--max-age-days N]',
      summary: 'register a long-lived credential by the secret that holds it',
      options: {
        kind: { type: 'string' },
        owner: { type: 'string' },
        purpose: { type: 'string' },
        'secret-arn': { type: 'string' },
        scopes: { type: 'string' },
        assets: { type: 'string' },
        'max-age-days': { type: 'string' },
      },
      async run(context, input) {
        const label = decodeURIComponent(positional(input, '<label>'));
        const { values } = input;
        const body = {
          label,
          kind: values.kind,
          purpose: values.purpose,
          secretArn: values['secret-arn'],
          ...(typeof values.owner === 'string' ? { owner: values.owner } : {}),
          expectedScopes: list(values.scopes),
          expectedAssets: list(values.assets),
          ...(typeof values['max-age-days'] === 'string' ? { maxAgeDays: Number(values['max-age-days']) } : {}),
        };
        context.show((await context.call('POST', '/admin/v1/inventory/credentials', body)).body, showView);
      },
    },
    {
      name: 'inventory list',
      usage: '',
      summary: 'every inventory entry with its status and flags',
      async run(context) {
        context.show((await context.call('GET', '/admin/v1/inventory/credentials')).body, listView);
      },
    },
    {
      name: 'inventory show',
      usage: '<label>',
      summary: 'one entry: what it should reach and what Facebook said it reaches',
      async run(context, input) {
        context.show((await context.call('GET', `/admin/v1/inventory/credentials/${positional(input, '<label>')}`)).body, showView);
      },
    },
    {
      name: 'inventory check-now',
      usage: '',
      summary: 'run the daily check now (in the checker) and print its report',
      async run(context) {
        const view = (r: { entries: number; checked: number; closed: string[]; flagged: Record<string, string[]> }) =>
          [`${r.checked}/${r.entries} checked; closed: ${r.closed.join(', ') || '-'}`, ...Object.entries(r.flagged).map(([flag, labels]) => `  ${flag}: ${labels.join(', ')}`)].join('\n');
        context.show((await context.call('POST', '/admin/v1/inventory/checks')).body, view);
      },
    },
    {
      name: 'inventory offboard',
      usage: '<owner>',
      summary: "mark every credential of an owner (e-mail or id) revoke_pending",
      async run(context, input) {
        context.show((await context.call('POST', `/admin/v1/inventory/owners/${positional(input, '<owner>')}/offboard`)).body, offboardView);
      },
    },
    {
      name: 'inventory revoke',
      usage: '<label>',
      summary: "revoke a user token through Graph (DELETE /{user-id}/permissions)",
      async run(context, input) {
        const view = (r: { label: string; outcome: string; message?: string }) => `${r.label}: ${r.outcome}${r.message ? ` (${r.message})` : ''}`;
        context.show((await context.call('POST', `/admin/v1/inventory/credentials/${positional(input, '<label>')}/revoke`)).body, view);
      },
    },
  ];
}
