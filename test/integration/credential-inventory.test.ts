import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCli } from '#cli/run-admin-cli';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * The credential inventory through the local stack: the operator CLI signs its requests to the
 * admin API, the checker runs behind the Lambda stand-in, reads the secrets from the Secrets
 * Manager emulator and asks the Graph emulator in batches; DynamoDB Local keeps the entries.
 */
let stack: TestStack;
let secrets: SecretsManagerClient;
let counter = 0;
const minted: string[] = [];

beforeAll(async () => {
  stack = await startTestStack();
  secrets = new SecretsManagerClient({});
}, 60_000);
afterAll(async () => {
  secrets?.destroy();
  await stack?.close();
});

async function cli(...args: string[]): Promise<{ code: number; body: any; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await runAdminCli([...args, '--url', stack.adminUrl, '--json'], {
    env: {},
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    credentials: stack.operatorKey,
  });
  return { code, body: stdout ? JSON.parse(stdout) : undefined, stderr };
}

/** A tagged secret holding `value`, as an operator would create it; answers its ARN. */
async function secretHolding(value: string): Promise<string> {
  const created = await secrets.send(
    new CreateSecretCommand({ Name: `session-guard/inventory/s${++counter}`, SecretString: value, Tags: [{ Key: 'session-guard:inventory', Value: 'true' }] }),
  );
  return created.ARN!;
}

async function systemUserToken(scopes: string[], assets: Record<string, string[]> = {}): Promise<{ id: string; token: string; arn: string }> {
  const { systemUserId, token } = stack.graphEmulator().mintSystemUserToken(stack.appId, { scopes, assets });
  minted.push(token);
  return { id: systemUserId, token, arn: await secretHolding(JSON.stringify({ accessToken: token })) };
}

async function add(label: string, arn: string, extra: string[] = []): Promise<void> {
  const result = await cli('inventory', 'add', label, '--kind', 'system_user', '--purpose', `test ${label}`, '--secret-arn', arn, ...extra);
  expect(result.code, result.stderr).toBe(0);
}

const show = async (label: string) => (await cli('inventory', 'show', label)).body;
const checkNow = async () => {
  const result = await cli('inventory', 'check-now');
  expect(result.code, result.stderr).toBe(0);
  return result.body;
};

describe('credential inventory', () => {
  it('records what Facebook says of a system-user token and flags scopes and assets beyond what the entry expects', async () => {
    const { arn } = await systemUserToken(['ads_read', 'pages_show_list'], { pages_show_list: ['1110001', '2220002'] });
    await add('ads-sync', arn, ['--owner', 'ops@example.com', '--scopes', 'ads_read', '--assets', '1110001']);
    const report = await checkNow();
    expect(report.flagged.scopes_beyond_expected).toContain('ads-sync');

    const entry = await show('ads-sync');
    expect(entry.status).toBe('active');
    expect(entry.flags).toEqual(['scopes_beyond_expected', 'assets_beyond_expected']);
    expect(entry.lastCheck).toMatchObject({ isValid: true, type: 'SYSTEM_USER', expiresAt: 0, dataAccessExpiresAt: 0, scopes: ['ads_read', 'pages_show_list'], assets: ['1110001', '2220002'] });
    expect(entry.lastCheck.checkedAt).toBeGreaterThan(Date.now() - 60_000);
  });

  it('flags an invalid token, one expiring soon, a never-expiring one older than the rotation age, an entry without owner and an old app secret', async () => {
    const graph = stack.graphEmulator();
    const person = graph.createTestUser(stack.appId);
    const dead = graph.mintUserToken(stack.appId, person.id, { lifetime: 'long' });
    const soon = graph.mintUserToken(stack.appId, graph.createTestUser(stack.appId).id, { lifetime: 'long', expiresInSeconds: 3 * 86_400 });
    minted.push(dead, soon);
    const old = await systemUserToken(['ads_read']);
    const appSecretArn = await secretHolding(stack.appSecret);
    await add('dead-token', await secretHolding(dead), ['--owner', 'a@example.com']);
    await add('soon-token', await secretHolding(soon), ['--owner', 'a@example.com', '--scopes', 'public_profile']);
    await add('old-token', old.arn, ['--owner', 'a@example.com', '--scopes', 'ads_read']);
    await add('no-owner', (await systemUserToken(['ads_read'])).arn, ['--scopes', 'ads_read']);
    expect((await cli('inventory', 'add', 'app-secret', '--kind', 'app_secret', '--purpose', 'the app secret', '--secret-arn', appSecretArn, '--owner', 'a@example.com')).code).toBe(0);
    graph.endFacebookSession(person.id, 'password_changed');
    stack.secrets!.ageSecret(old.arn, 200);
    stack.secrets!.ageSecret(appSecretArn, 400);

    await checkNow();
    expect((await show('dead-token')).flags).toEqual(['invalid']);
    expect((await show('dead-token')).status).toBe('active');
    expect((await show('soon-token')).flags).toEqual(['expiring_soon']);
    expect((await show('old-token')).flags).toEqual(['never_expiring_too_old']);
    expect((await show('no-owner')).flags).toEqual(['no_owner']);
    expect((await show('app-secret')).flags).toEqual(['secret_too_old']);
  });

  it('flags an entry the check could not read for two runs, and only then', async () => {
    await add('gone-secret', 'arn:aws:secretsmanager:us-east-1:000000000000:secret:deleted-abcdef', ['--owner', 'a@example.com']);
    await checkNow();
    expect((await show('gone-secret')).flags).toEqual([]);
    await checkNow();
    expect((await show('gone-secret')).flags).toEqual(['not_checked']);
  });

  it("offboarding an owner marks their credentials revoke_pending and flags them; Graph revokes the user token, the check closes the system-user token once Facebook calls it invalid", async () => {
    const graph = stack.graphEmulator();
    const system = await systemUserToken(['ads_read'], {});
    const person = graph.createTestUser(stack.appId);
    const userToken = graph.mintUserToken(stack.appId, person.id, { lifetime: 'long', scopes: ['public_profile'] });
    minted.push(userToken);
    await add('bob-system', system.arn, ['--owner', 'bob@example.com', '--scopes', 'ads_read']);
    expect((await cli('inventory', 'add', 'bob-user', '--kind', 'user', '--purpose', 'a script', '--secret-arn', await secretHolding(userToken), '--owner', 'bob@example.com', '--scopes', 'public_profile')).code).toBe(0);

    const offboarded = await cli('inventory', 'offboard', 'bob@example.com');
    expect(offboarded.body).toMatchObject({ marked: ['bob-system', 'bob-user'], revocableFromCli: ['bob-user'], revokeInBusinessSettings: ['bob-system'] });
    await checkNow();
    expect(await show('bob-system')).toMatchObject({ status: 'revoke_pending', flags: ['owner_offboarded'] });
    expect(await show('bob-user')).toMatchObject({ status: 'revoke_pending', flags: ['owner_offboarded'] });

    const refused = await cli('inventory', 'revoke', 'bob-system');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('409 graph_cannot_revoke');
    expect((await show('bob-system')).status).toBe('revoke_pending');

    const revoked = await cli('inventory', 'revoke', 'bob-user');
    expect(revoked.body).toMatchObject({ label: 'bob-user', outcome: 'revoked' });
    expect(await show('bob-user')).toMatchObject({ status: 'revoked', revokedHow: 'graph_revoked', flags: [] });

    // Still pending after a check while Facebook says the token is valid.
    await checkNow();
    expect((await show('bob-system')).status).toBe('revoke_pending');
    expect(graph.revokeSystemUserTokens(system.id)).toBe(1);
    const report = await checkNow();
    expect(report.closed).toEqual(['bob-system']);
    expect(await show('bob-system')).toMatchObject({ status: 'revoked', revokedHow: 'facebook_invalid', flags: [] });
  });

  it("offboarding a user (npm run admin -- offboard) also marks the credentials owned by their id and Facebook id", async () => {
    const graph = stack.graphEmulator();
    const person = graph.createTestUser(stack.appId);
    const signIn = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken: graph.mintSessionInfoToken(stack.appId, person.id) } });
    expect(signIn.status).toBe(201);
    const userId: string = signIn.json.user.id;
    await add('by-user-id', (await systemUserToken(['ads_read'])).arn, ['--owner', userId, '--scopes', 'ads_read']);
    await add('by-facebook-id', (await systemUserToken(['ads_read'])).arn, ['--owner', person.id, '--scopes', 'ads_read']);

    const offboarded = await cli('offboard', userId);
    expect(offboarded.code, offboarded.stderr).toBe(0);
    expect(offboarded.body.steps).toMatchObject({ sessions: { ended: 1 }, credentials: { marked: 2, revokeInBusinessSettings: 'by-facebook-id,by-user-id' } });
    await checkNow();
    expect(await show('by-user-id')).toMatchObject({ status: 'revoke_pending', flags: ['owner_offboarded'] });
    expect(await show('by-facebook-id')).toMatchObject({ status: 'revoke_pending', flags: ['owner_offboarded'] });
  });

  it('makes at most one Graph request per 50 credentials', async () => {
    for (let i = 0; i < 45; i += 1) await add(`bulk-${i}`, (await systemUserToken(['ads_read'])).arn, ['--owner', 'ops@example.com', '--scopes', 'ads_read']);
    const open = (await cli('inventory', 'list')).body.credentials.filter((c: { status: string; kind: string }) => c.status !== 'revoked' && c.kind !== 'app_secret');
    const graph = stack.graphEmulator();
    graph.resetStats();
    await checkNow();
    const stats = graph.stats();
    expect(open.length).toBeGreaterThan(50);
    expect(stats.batchRequests).toBe(Math.ceil((open.length - 1) / 50)); // the deleted secret is never sent
    expect(stats.requests).toBe(stats.batchRequests);
  }, 60_000);

  it('never writes a token into the table or the log', async () => {
    const stored = JSON.stringify(await stack.scanTable());
    const output = stack.capturedOutput();
    for (const token of minted) {
      expect(stored).not.toContain(token);
      expect(output).not.toContain(token);
    }
  });
});
