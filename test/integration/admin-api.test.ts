import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminClient } from '#cli/admin-client';
import { runAdminCli } from '#cli/run-admin-cli';
import { startTestStack, type TestStack } from '#test/support/local-stack';

/**
 * The admin API through the local stack: its own server, SigV4 checked against the local operator
 * key (as API Gateway's AWS_IAM would against IAM), the real handlers on DynamoDB Local; and the
 * operator CLI against it.
 */
let stack: TestStack;
let admin: AdminClient;

beforeAll(async () => {
  stack = await startTestStack();
  admin = new AdminClient({ baseUrl: stack.adminUrl, region: 'us-east-1', credentials: stack.operatorKey });
});
afterAll(async () => {
  await stack?.close();
});

async function personWithSessions(count: number) {
  const user = stack.graphEmulator().createTestUser(stack.appId);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const sessionInfoToken = stack.graphEmulator().mintSessionInfoToken(stack.appId, user.id);
    const response = await stack.request('POST', '/v1/sessions', { body: { sessionInfoToken } });
    expect(response.status).toBe(201);
    tokens.push(response.json.sessionToken);
  }
  const userId = (await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${tokens[0]}` } })).json.user.id as string;
  return { userId, facebookUserId: user.id, tokens, ids: tokens.map((token) => token.split('.')[1] as string) };
}

const sessionItem = (id: string) => stack.getItem(`SESSION#${id}`, 'SESSION');

/** `SessionsRevokedByReason` values for `reason` in EMF lines the handlers printed since `from`. */
function revokedByReason(from: number, reason: string): number[] {
  return stack
    .capturedOutput()
    .slice(from)
    .split('\n')
    .filter((line) => line.includes('"_aws"') && line.includes('"SessionsRevokedByReason"'))
    .map((line) => JSON.parse(line) as { reason?: string; SessionsRevokedByReason?: number })
    .filter((line) => line.reason === reason)
    .map((line) => line.SessionsRevokedByReason ?? 0);
}
const auditRecords = async () => (await stack.scanTable()).filter((item) => item.entity === 'audit');

describe('admin API authorization', () => {
  it('refuses an unsigned request, a session token and a wrong signature with a bare 403, before any handler runs', async () => {
    const { userId, tokens } = await personWithSessions(1);
    const before = await auditRecords();
    const path = `${stack.adminUrl}/admin/v1/users/${userId}/sessions`;
    expect((await fetch(path)).status).toBe(403);
    const withSession = await fetch(path, { headers: { authorization: `Bearer ${tokens[0]}` } });
    expect(withSession.status).toBe(403);
    expect(await withSession.json()).toEqual({ message: 'Forbidden' });
    const forger = new AdminClient({ baseUrl: stack.adminUrl, region: 'us-east-1', credentials: { ...stack.operatorKey, secretAccessKey: 'not-the-secret' } });
    expect((await forger.request('GET', `/admin/v1/users/${userId}/sessions`)).status).toBe(403);
    expect((await forger.request('POST', `/admin/v1/users/${userId}/offboard`)).status).toBe(403);
    expect(await sessionItem(tokens[0]!.split('.')[1]!)).toMatchObject({ status: 'active' });
    expect(await auditRecords()).toEqual(before);
  });

  it('is not served by the public API', async () => {
    const { userId } = await personWithSessions(1);
    expect((await stack.request('GET', `/admin/v1/users/${userId}/sessions`)).status).toBe(404);
  });
});

describe('admin routes', () => {
  it("lists a person's sessions by user id and by Facebook id, and keeps an audit record naming the operator", async () => {
    const { userId, facebookUserId, ids } = await personWithSessions(2);
    const byUser = await admin.request('GET', `/admin/v1/users/${userId}/sessions`);
    expect(byUser.status).toBe(200);
    expect(byUser.body).toMatchObject({
      user: { id: userId, facebookUserId },
      sessions: [
        { id: ids[1], status: 'active', via: 'mobile' },
        { id: ids[0], status: 'active', via: 'mobile' },
      ],
    });
    const byFacebook = await admin.request('GET', `/admin/v1/facebook-users/${facebookUserId}/sessions`);
    expect(byFacebook.body).toEqual(byUser.body);
    const audit = (await auditRecords()).filter((item) => (item.target as Record<string, string>).userId === userId);
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'sessions.list',
        principal: stack.operatorKey.userArn,
        outcome: 'done',
        detail: { sessions: 2 },
        ttl: expect.any(Number),
        pk: expect.stringMatching(/^AUDIT#aud_/),
      }),
    ]);
    expect(stack.capturedOutput()).toMatch(new RegExp(`"message":"admin action".*"operator":"${stack.operatorKey.userArn}"`));
  });

  it("erases the audit records that named a person when Facebook asks for the person's data to be deleted", async () => {
    const { userId, facebookUserId, ids } = await personWithSessions(1);
    expect((await admin.request('GET', `/admin/v1/users/${userId}/sessions`)).status).toBe(200);
    expect((await admin.request('GET', `/admin/v1/facebook-users/${facebookUserId}/sessions`)).status).toBe(200);
    expect((await admin.request('DELETE', `/admin/v1/sessions/${ids[0]}`)).status).toBe(204);
    const naming = async () => (await auditRecords()).filter((item) => Object.values(item.target as Record<string, string>).some((value) => value === userId || value === facebookUserId));
    expect(await naming()).toHaveLength(2);

    const deleted = await stack.request('POST', '/_local/facebook/data-deletion', { body: { facebookUserId } });
    expect(deleted.json).toMatchObject({ callback: { status: 200 } });

    expect(await naming()).toEqual([]);
    // The record of ending a session names only the session id, which nothing links to the person any more.
    expect((await auditRecords()).filter((item) => (item.target as Record<string, string>).id === ids[0])).toHaveLength(1);
  });

  it('answers 404 for an unknown person, and keeps that refusal too', async () => {
    const response = await admin.request('GET', '/admin/v1/users/usr_nobody/sessions');
    expect(response.status).toBe(404);
    expect((await auditRecords()).some((item) => item.outcome === 'refused' && item.errorCode === 'not_found')).toBe(true);
  });

  it('refuses a malformed id with a 400 naming it', async () => {
    const response = await admin.request('GET', '/admin/v1/users/no%20spaces/sessions');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'invalid_request', issues: [{ field: 'userId' }] } });
  });

  it('ends one session (ended_by_operator) and answers 404 when there is no live session by that id', async () => {
    const { ids, tokens } = await personWithSessions(2);
    const outputBefore = stack.capturedOutput().length;
    expect((await admin.request('DELETE', `/admin/v1/sessions/${ids[0]}`)).status).toBe(204);
    expect(revokedByReason(outputBefore, 'ended_by_operator')).toEqual([1]);
    expect(await sessionItem(ids[0]!)).toMatchObject({ status: 'revoked', revokedReason: 'ended_by_operator' });
    expect(await sessionItem(ids[1]!)).toMatchObject({ status: 'active' });
    expect((await stack.request('GET', '/v1/sessions/current', { headers: { authorization: `Bearer ${tokens[0]}` } })).json.error.reason).toBe('ended_by_operator');
    expect((await admin.request('DELETE', `/admin/v1/sessions/${ids[0]}`)).status).toBe(404);
    expect(revokedByReason(outputBefore, 'ended_by_operator')).toEqual([1]);
  });

  it('offboards a person: every session ends with reason offboarded, and the report says so', async () => {
    const { userId, ids } = await personWithSessions(3);
    const other = await personWithSessions(1);
    const outputBefore = stack.capturedOutput().length;
    const response = await admin.request('POST', `/admin/v1/users/${userId}/offboard`);
    expect(response.status).toBe(200);
    expect(revokedByReason(outputBefore, 'offboarded')).toEqual([3]);
    expect(response.body).toMatchObject({ userId, steps: { sessions: { ended: 3, alreadyEnded: 0 } } });
    for (const id of ids) expect(await sessionItem(id)).toMatchObject({ status: 'revoked', revokedReason: 'offboarded' });
    expect(await sessionItem(other.ids[0]!)).toMatchObject({ status: 'active' });
    // Again: nothing left to end, and nothing breaks.
    expect((await admin.request('POST', `/admin/v1/users/${userId}/offboard`)).body).toMatchObject({ steps: { sessions: { ended: 0, alreadyEnded: 3 } } });
    const audit = (await auditRecords()).filter((item) => item.action === 'user.offboard' && (item.target as Record<string, string>).userId === userId);
    // The credential inventory's step runs too: this person owns no inventory entry.
    expect(audit.map((item) => item.detail)).toContainEqual({
      'sessions.ended': 3,
      'sessions.alreadyEnded': 0,
      'credentials.marked': 0,
      'credentials.unchanged': 0,
      'credentials.revocableFromCli': '',
      'credentials.revokeInBusinessSettings': '',
    });
  });
});

describe('operator CLI against the local stack', () => {
  function cli(argv: string[], credentials = stack.operatorKey) {
    const out: string[] = [];
    const err: string[] = [];
    const io = { env: { SESSION_GUARD_ADMIN_URL: stack.adminUrl }, stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t), credentials };
    return runAdminCli(argv, io).then((code) => ({ code, out: out.join(''), err: err.join('') }));
  }

  it("shows a person's sessions as a table, and as JSON with --json", async () => {
    const { userId, ids } = await personWithSessions(2);
    const table = await cli(['sessions', userId]);
    expect(table.code).toBe(0);
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toContain(`user ${userId}`);
    expect(lines[1]).toMatch(/^SESSION\s+STATUS\s+VIA\s+DEVICE\s+CREATED\s+EXPIRES$/);
    expect(lines.slice(3).map((line) => line.split(/\s+/)[0])).toEqual([ids[1], ids[0]]);
    const json = await cli(['sessions', userId, '--json']);
    expect(JSON.parse(json.out).sessions).toHaveLength(2);
  });

  it('ends a session and offboards a person', async () => {
    const { userId, ids } = await personWithSessions(2);
    expect((await cli(['end-session', ids[0]!])).out).toBe(`ended ${ids[0]}\n`);
    const offboard = await cli(['offboard', userId]);
    expect(offboard.code).toBe(0);
    expect(offboard.out).toMatch(/sessions\s+ended=1 alreadyEnded=1/);
    expect(await sessionItem(ids[1]!)).toMatchObject({ revokedReason: 'offboarded' });
  });

  it('reports a refusal and a usage mistake with their exit codes', async () => {
    const refused = await cli(['sessions', 'usr_x'], { ...stack.operatorKey, secretAccessKey: 'wrong' });
    expect(refused).toMatchObject({ code: 1, err: expect.stringContaining('403 Forbidden') });
    expect(await cli(['end-session'])).toMatchObject({ code: 2, err: expect.stringContaining('missing <sessionId>') });
    expect(await cli(['no-such-command'])).toMatchObject({ code: 2, err: expect.stringContaining('Usage: npm run admin') });
  });

  it('runs as `npm run admin`, signing with the AWS credentials in the environment', async () => {
    const { userId } = await personWithSessions(1);
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'admin', '--', 'sessions', userId], {
      env: {
        ...process.env,
        SESSION_GUARD_ADMIN_URL: stack.adminUrl,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: stack.operatorKey.accessKeyId,
        AWS_SECRET_ACCESS_KEY: stack.operatorKey.secretAccessKey,
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
      },
    });
    expect(stdout).toContain(`user ${userId}`);
  });
});
