import { randomBytes } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog } from '#commons/admin/ports';
import { auditItem } from './audit-mapper.ts';

export interface AuditStoreOptions {
  /** How long an audit record is kept. */
  readonly retentionMs: number;
}

/** Admin audit records: one conditional Put per action, never overwritten. */
export class AuditStore implements AuditLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly options: AuditStoreOptions,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    // Time first, so ids of one day sort together when the records are exported.
    const auditId = `aud_${new Date(entry.at).toISOString()}_${randomBytes(6).toString('base64url')}`;
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: auditItem(auditId, entry, this.options.retentionMs),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}
