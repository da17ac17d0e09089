import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Credential, NewCredential, OffboardedOwner } from '#commons/inventory/model';
import { type CheckUpdate, type CredentialRepository, CredentialExistsError } from '#commons/inventory/ports';
import { isConditionFailure } from './conditions.ts';
import { checkAttribute, credentialFromItem, credentialItem, KEPT_RUNS, offboardedOwnerItem, ownerFromItem, runsFromItem } from './credential-mapper.ts';
import type { StoredItem } from './item-fields.ts';
import { keys } from './keys.ts';
import { partitionItems } from './partition-items.ts';
import { INVENTORY_PARTITION, INVENTORY_SORT_PREFIX } from './schema.ts';

/**
 * The long-lived credential inventory in the table: entries, offboarded owners and the check's
 * runs, all in the `INVENTORY` partition. State changes are conditional, so offboarding run twice
 * or a check racing a revocation never reopens a closed entry.
 */
export class CredentialStore implements CredentialRepository {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async register(credential: NewCredential, at: number): Promise<Credential> {
    const item = credentialItem(credential, at);
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (error) {
      if (isConditionFailure(error)) throw new CredentialExistsError(`inventory label ${credential.label} is taken`);
      throw error;
    }
    return credentialFromItem(item);
  }

  async get(label: string): Promise<Credential | undefined> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.credential(label), ConsistentRead: true }));
    return result.Item ? credentialFromItem(result.Item) : undefined;
  }

  async list(): Promise<Credential[]> {
    return (await this.itemsStartingWith(INVENTORY_SORT_PREFIX.credential)).map(credentialFromItem);
  }

  async recordCheck(label: string, update: CheckUpdate): Promise<void> {
    const values: Record<string, unknown> = { ':flags': [...update.flags] };
    const sets = ['flags = :flags'];
    if (update.check) {
      sets.push('lastCheck = :check');
      values[':check'] = checkAttribute(update.check);
    }
    let condition = 'attribute_exists(pk)';
    if (update.close) {
      sets.push('#status = :revoked', 'revokedAt = :at', 'revokedHow = :how');
      Object.assign(values, { ':revoked': 'revoked', ':at': update.close.at, ':how': update.close.how, ':pending': 'revoke_pending' });
      condition += ' AND #status = :pending';
    }
    await this.update(label, `SET ${sets.join(', ')}`, condition, values, update.close !== undefined);
  }

  async markRevokePending(label: string, at: number): Promise<boolean> {
    return this.update(label, 'SET #status = :pending, revokePendingSince = :at', '#status = :active', { ':pending': 'revoke_pending', ':active': 'active', ':at': at }, true);
  }

  async close(label: string, how: NonNullable<Credential['revokedHow']>, at: number): Promise<void> {
    await this.update(label, 'SET #status = :revoked, revokedAt = :at, revokedHow = :how, flags = :none', '#status <> :revoked', { ':revoked': 'revoked', ':at': at, ':how': how, ':none': [] }, true);
  }

  async recordOffboardedOwner(owner: OffboardedOwner): Promise<void> {
    // The first offboarding is the one kept: running it again changes nothing.
    await this.doc
      .send(new PutCommand({ TableName: this.tableName, Item: offboardedOwnerItem(owner), ConditionExpression: 'attribute_not_exists(pk)' }))
      .catch((error: unknown) => {
        if (!isConditionFailure(error)) throw error;
      });
  }

  async offboardedOwners(): Promise<Set<string>> {
    return new Set((await this.itemsStartingWith(INVENTORY_SORT_PREFIX.offboardedOwner)).map(ownerFromItem));
  }

  async recentRuns(): Promise<number[]> {
    const result = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.inventoryRuns(), ConsistentRead: true }));
    return runsFromItem(result.Item);
  }

  async recordRun(startedAt: number): Promise<void> {
    const runs = [startedAt, ...(await this.recentRuns())].slice(0, KEPT_RUNS);
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.inventoryRuns(), entity: 'inventoryRuns', runs } }));
  }

  /** One conditional update of an entry; a failed condition is `false` when `tolerate`, else thrown. */
  private async update(label: string, expression: string, condition: string, values: Record<string, unknown>, tolerate: boolean): Promise<boolean> {
    const usesStatus = expression.includes('#status') || condition.includes('#status');
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.credential(label),
          UpdateExpression: expression,
          ConditionExpression: condition,
          ...(usesStatus ? { ExpressionAttributeNames: { '#status': 'status' } } : {}),
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (tolerate && isConditionFailure(error)) return false;
      throw error;
    }
  }

  private itemsStartingWith(prefix: string): Promise<StoredItem[]> {
    return partitionItems(this.doc, this.tableName, { partitionKey: INVENTORY_PARTITION, sortKeyPrefix: prefix, consistentRead: true });
  }
}
