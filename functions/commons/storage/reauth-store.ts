import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ReauthChallenge, ReauthChallengeStore, ReauthCommit, SessionRefresh } from '#commons/reauth/ports';
import { isConditionFailure } from './conditions.ts';
import { keys } from './keys.ts';
import { projectionOf } from './projection.ts';
import { TTL_ATTRIBUTE } from './schema.ts';
import { reauthNonceFromItem, reauthNonceGone, reauthNonceItem } from './reauth-nonce-mapper.ts';
import { lockHashOfSessionItem } from './session-mapper.ts';
import { tokenLockItem } from './token-lock-mapper.ts';
import { toEpochSeconds } from './ttl.ts';

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

/** Two completions at the same instant: DynamoDB cancels one as a conflict; it is run again. */
const MAX_CONFLICT_ATTEMPTS = 4;

/**
 * Re-authentication nonces, and the one transaction that spends a nonce while refreshing its
 * session (its authTime, sealed token and session-info token lock).
 */
export class ReauthStore implements ReauthChallengeStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async putChallenge(challenge: ReauthChallenge): Promise<void> {
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: reauthNonceItem(challenge),
        // 190 random bits never collide; refuse rather than overwrite if they somehow did.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async getChallenge(nonceHash: string): Promise<ReauthChallenge | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.reauthNonce(nonceHash), ConsistentRead: true }));
    if (!result.Item || reauthNonceGone(result.Item, this.now())) return undefined;
    return reauthNonceFromItem(nonceHash, result.Item);
  }

  /**
   * One transaction: the nonce goes from `issued` to `spent` (only if still issued, live and this
   * session's), the session gets its new authTime and sealed token (only if still active and the
   * token it holds is the one read just before), and the session-info token lock moves to the new
   * token. A cancelled transaction wrote nothing; the nonce's old item, handed back with the
   * cancellation, says why.
   */
  async commitReauthentication(nonceHash: string, refresh: SessionRefresh): Promise<ReauthCommit> {
    const now = this.now();
    const current = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.session(refresh.sessionId),
        ConsistentRead: true,
        ...projectionOf(['sessionInfoTokenHash', 'expiresAt', 'status']),
      }),
    );
    const session = current.Item;
    if (!session || session.status !== 'active' || typeof session.expiresAt !== 'number' || session.expiresAt <= now) return { status: 'session_ended' };
    const items = this.refreshItems(nonceHash, refresh, lockHashOfSessionItem(session), session.expiresAt, now);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
        return { status: 'completed' };
      } catch (error) {
        if (isConditionFailure(error)) return whyCancelled(error as TransactionCanceledException, refresh.sessionId, now);
        if (!isTransactionConflict(error) || attempt >= MAX_CONFLICT_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  }

  private refreshItems(nonceHash: string, refresh: SessionRefresh, previousHash: string | undefined, sessionExpiresAt: number, now: number): TransactItems {
    const items: TransactItems = [
      {
        Update: {
          TableName: this.tableName,
          Key: keys.reauthNonce(nonceHash),
          ConditionExpression: 'attribute_exists(pk) AND #status = :issued AND sessionId = :sessionId AND expiresAt > :now',
          UpdateExpression: 'SET #status = :spent, spentAt = :now',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':issued': 'issued', ':spent': 'spent', ':sessionId': refresh.sessionId, ':now': now },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      },
      {
        Update: {
          TableName: this.tableName,
          Key: keys.session(refresh.sessionId),
          ConditionExpression: `#status = :active AND userId = :userId AND ${previousHash ? 'sessionInfoTokenHash = :previous' : 'attribute_not_exists(sessionInfoTokenHash)'}`,
          UpdateExpression: 'SET authTime = :authTime, sealedToken = :sealed, sessionInfoTokenHash = :hash',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':active': 'active',
            ':userId': refresh.userId,
            ':authTime': refresh.authTime,
            ':sealed': refresh.sealedToken,
            ':hash': refresh.sessionInfoTokenHash,
            ...(previousHash ? { ':previous': previousHash } : {}),
          },
        },
      },
    ];
    if (previousHash === refresh.sessionInfoTokenHash) return items;
    items.push({
      Put: {
        TableName: this.tableName,
        Item: tokenLockItem(refresh.sessionInfoTokenHash, refresh.sessionId, sessionExpiresAt),
        ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :nowSeconds',
        ExpressionAttributeNames: { '#ttl': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':nowSeconds': toEpochSeconds(now) },
      },
    });
    if (previousHash) {
      items.push({
        Delete: {
          TableName: this.tableName,
          Key: keys.sessionInfoToken(previousHash),
          ConditionExpression: 'attribute_not_exists(pk) OR sessionId = :sessionId',
          ExpressionAttributeValues: { ':sessionId': refresh.sessionId },
        },
      });
    }
    return items;
  }
}

/** Reads the cancellation reasons: the nonce's own (with its old item) first, then the session's. */
function whyCancelled(error: TransactionCanceledException, sessionId: string, now: number): ReauthCommit {
  const [nonceReason] = error.CancellationReasons ?? [];
  if (nonceReason?.Code === 'ConditionalCheckFailed') {
    // Transactions hand back the old item marshalled, whatever the client.
    const old = nonceReason.Item ? unmarshall(nonceReason.Item) : undefined;
    if (!old || old.sessionId !== sessionId) return { status: 'nonce_unknown' };
    if (old.status === 'spent') return { status: 'nonce_spent' };
    if (typeof old.expiresAt !== 'number' || old.expiresAt <= now) return { status: 'nonce_expired' };
  }
  // The nonce was fine: the session changed under us (revoked, signed out, replaced).
  return { status: 'session_ended' };
}

function isTransactionConflict(error: unknown): boolean {
  return error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict');
}
