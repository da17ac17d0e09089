import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { adminHandler } from '#commons/admin/admin-http';
import type { AuditEntry } from '#commons/admin/ports';
import { NotFoundError } from '#commons/platform/errors';

const OPERATOR_ARN = 'arn:aws:iam::123456789012:user/alice';
const event = (withIam: boolean) =>
  ({
    routeKey: 'DELETE /admin/v1/sessions/{id}',
    pathParameters: { id: 'ses_1' },
    requestContext: {
      requestId: 'r1',
      ...(withIam ? { authorizer: { iam: { userArn: OPERATOR_ARN, accountId: '123456789012', accessKey: 'AKIA…' } } } : {}),
    },
  }) as unknown as APIGatewayProxyEventV2;

function recorder() {
  const entries: AuditEntry[] = [];
  return { entries, audit: { record: async (entry: AuditEntry) => void entries.push(entry) }, now: () => 42 };
}

describe('adminHandler', () => {
  it('keeps an audit record of a done action with the principal, the target ids and the counts', async () => {
    const deps = recorder();
    const handler = adminHandler('session.end', deps, async () => ({ status: 204, detail: { userId: 'usr_1' } }));
    expect((await handler(event(true))).statusCode).toBe(204);
    expect(deps.entries).toEqual([
      { action: 'session.end', operator: { principal: OPERATOR_ARN, accountId: '123456789012' }, target: { id: 'ses_1' }, outcome: 'done', detail: { userId: 'usr_1' }, at: 42 },
    ]);
  });

  it('keeps a refused action too, with the code the operator got', async () => {
    const deps = recorder();
    const handler = adminHandler('session.end', deps, async () => {
      throw new NotFoundError('No live session by that id.');
    });
    expect((await handler(event(true))).statusCode).toBe(404);
    expect(deps.entries).toMatchObject([{ outcome: 'refused', errorCode: 'not_found', operator: { principal: OPERATOR_ARN } }]);
  });

  it('refuses a request without IAM context (a route left without AWS_IAM) and runs nothing', async () => {
    const deps = recorder();
    let ran = false;
    const handler = adminHandler('session.end', deps, async () => {
      ran = true;
      return { status: 204 };
    });
    expect((await handler(event(false))).statusCode).toBe(403);
    expect(ran).toBe(false);
    expect(deps.entries).toEqual([]);
  });
});
