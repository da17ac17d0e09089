import { describe, expect, it } from 'vitest';
import { auditItem } from '#commons/storage/audit-mapper';

const operator = { principal: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' };
const AT = Date.UTC(2026, 10, 28, 12, 0, 0);
const entry = (target: Record<string, string>) => ({ action: 'sessions.list', operator, target, outcome: 'done' as const, at: AT });

describe('an audit record in the byUser index', () => {
  it('is filed under the person its path named by our id, after their sessions’ prefix', () => {
    expect(auditItem('aud_1', entry({ userId: 'usr_1' }), 1000)).toMatchObject({ pk: 'AUDIT#aud_1', sk: 'AUDIT', userPk: 'USER#usr_1', userSk: 'AUDIT#2026-11-28T12:00:00.000Z#aud_1' });
  });

  it('is filed under the Facebook id when that is what the path named', () => {
    expect(auditItem('aud_2', entry({ facebookUserId: '1017' }), 1000)).toMatchObject({ userPk: 'FBUSER#1017', userSk: 'AUDIT#2026-11-28T12:00:00.000Z#aud_2' });
  });

  it('is not in the index when its path named no person (a session id, an inventory label)', () => {
    for (const target of [{ id: 'ses_1' }, { label: 'ads-bot' }, {}] as Record<string, string>[]) {
      const item = auditItem('aud_3', entry(target), 1000);
      expect(item).not.toHaveProperty('userPk');
      expect(item).not.toHaveProperty('userSk');
    }
  });
});
