import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { BY_USER_INDEX, type EntityName, INDEXES, INVENTORY_PARTITION, type IndexSchema, KEY_PREFIX, STREAM_VIEW_TYPE, SWEEP_INDEX, TABLE_KEY, TTL_ATTRIBUTE } from '#commons/storage/schema';
import type { ConfigurableFunction } from './session-guard-function.ts';

/**
 * The single table declared in `functions/commons/storage/schema.ts` (`pk`/`sk`, GSIs `byUser` and
 * `sweep`, TTL on `ttl` in epoch seconds), which the stores beside it lay out.
 *
 * Encryption: a customer-managed key of its own (`TableKey`), because the table holds session
 * metadata and sealed tokens and a key of ours can be audited, disabled and retained with it. Not
 * the token key: DynamoDB uses a table key with the caller's identity, so every function that
 * reads the table would need Decrypt on it, which the token key refuses to all but the worker.
 * The table key's policy is the one AWS writes for `aws/dynamodb`: any principal of this account
 * may use it through DynamoDB in this region (`kms:ViaService`, `kms:CallerAccount`), so IAM on the
 * table stays the only gate and no function needs a KMS statement for it.
 *
 * `dynamodb:LeadingKeys` narrows the grants of functions that touch one or two kinds of item;
 * docs/deploy.md ("Least privilege") says why the others go without.
 *
 * Access is granted per use, each grant setting `TABLE_NAME` in the same call. The action lists
 * follow what the stores send (TransactWriteItems has no IAM action of its own: each Put,
 * Delete or ConditionCheck inside it is authorized as PutItem, DeleteItem or ConditionCheckItem).
 * Index access is granted per index (`dynamodb:Query` on `<table>/index/<name>`): the Facebook
 * callbacks query `byUser`; the sweep worker gets its own grant on `index/sweep`.
 */
export interface SessionTableProps {
  /** For the table and its key. @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class SessionTable extends Construct {
  readonly table: dynamodb.Table;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: SessionTableProps = {}) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = new kms.Key(this, 'TableKey', {
      description: 'Session Guard: encrypts the session table at rest (used through DynamoDB only)',
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy,
    });
    const stack = Stack.of(this);
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'UseThroughDynamoDbInThisAccount',
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey', 'kms:CreateGrant'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com`, 'kms:CallerAccount': stack.account },
        },
      }),
    );
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_KEY.partition, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_KEY.sort, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      // The outbox of Session Guard's events (infra/events.ts).
      stream: dynamodb.StreamViewType[STREAM_VIEW_TYPE],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      removalPolicy,
    });
    for (const index of INDEXES) this.table.addGlobalSecondaryIndex(globalSecondaryIndex(index));
  }

  /** Reads one session by key (authorizer, get-current-session): `dynamodb:GetItem` only. */
  grantSessionLookup(fn: ConfigurableFunction): iam.Grant {
    return this.grant(fn, ['dynamodb:GetItem'], ['session']);
  }

  /** Reads a person by our id or their Facebook id (operators' listings): `dynamodb:GetItem` on those two items only. */
  grantPersonLookup(fn: ConfigurableFunction): iam.Grant {
    return this.grant(fn, ['dynamodb:GetItem'], ['user', 'facebookUser']);
  }

  /**
   * Ends a session (delete-current-session): reads the session, then in one transaction deletes it,
   * releases its session-info token lock (conditional Deletes) and Puts its `Session Ended` outbox item.
   */
  grantSessionEnd(fn: ConfigurableFunction): iam.Grant {
    return this.grant(fn, ['dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem'], ['session', 'sessionInfoToken', 'sessionEnded']);
  }

  /**
   * Creates a session (create-session): reads the Facebook-user link and the token lock, then in
   * one transaction Puts the user, link, lock and session and Deletes the session it replaces.
   */
  grantSessionCreate(fn: ConfigurableFunction): void {
    this.grantSignIn(fn);
  }

  /**
   * Revokes every session of a person (facebook-deauthorize): reads the Facebook-user link, records
   * the removal on the user record (UpdateItem), lists their sessions on `index/byUser`, turns each
   * live one into a revocation record (UpdateItem) and releases its token lock (DeleteItem).
   */
  grantAppRemoval(fn: ConfigurableFunction): void {
    this.grant(fn, ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
    this.grantIndexQuery(fn, BY_USER_INDEX.name);
  }

  /**
   * Erases a person (facebook-data-deletion): reads the Facebook-user link, lists their sessions
   * on `index/byUser`, deletes sessions and token locks in batches (BatchWriteItem), the user and
   * the link (DeleteItem), and writes the anonymous deletion record (UpdateItem, GetItem).
   */
  grantDataDeletion(fn: ConfigurableFunction): void {
    this.grant(fn, ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']);
    this.grantIndexQuery(fn, BY_USER_INDEX.name);
  }

  /**
   * Starts a browser sign-in (web-login): writes the sign-in state item (`dynamodb:PutItem` only;
   * the function reads nothing).
   */
  grantLoginStart(fn: ConfigurableFunction): iam.Grant {
    return this.grant(fn, ['dynamodb:PutItem'], ['loginState']);
  }

  /**
   * Finishes a browser sign-in (web-login-callback): spends the sign-in state with a conditional
   * DeleteItem, then creates the session exactly as create-session does (GetItem, and one
   * transaction of Puts and a Delete). A state issued by reauth-start finishes a re-authentication
   * instead, exactly as `grantReauthComplete` allows (hence UpdateItem).
   */
  grantWebSignIn(fn: ConfigurableFunction): void {
    this.grantSignIn(fn);
  }

  /**
   * What opening a session takes, for both sign-in functions: reads (the link, the token lock), one
   * transaction (Puts, a Delete of the replaced session, a ConditionCheck that the person's link is
   * unchanged), and the cap on live sessions per person: their sessions on `index/byUser`, the
   * oldest turned into revocation records (UpdateItem) and their token locks released (DeleteItem).
   */
  private grantSignIn(fn: ConfigurableFunction): void {
    this.grant(fn, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:UpdateItem']);
    this.grantIndexQuery(fn, BY_USER_INDEX.name);
  }

  /**
   * Starts a re-authentication (reauth-start): reads the session (GetItem), writes the nonce item
   * and the dialog's state item (PutItem). Nothing is updated or deleted.
   */
  grantReauthStart(fn: ConfigurableFunction): iam.Grant {
    return this.grant(fn, ['dynamodb:GetItem', 'dynamodb:PutItem']);
  }

  /**
   * Completes a re-authentication (reauth-complete): reads the session and the nonce (GetItem), then
   * in one transaction spends the nonce and refreshes the session (two UpdateItems), moves the
   * session-info token lock (PutItem, DeleteItem).
   */
  grantReauthComplete(fn: ConfigurableFunction): iam.Grant {
    return this.grant(fn, ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']);
  }

  /** Reads a data deletion record (data-deletion-status): `dynamodb:GetItem` only. */
  grantDataDeletionStatus(fn: ConfigurableFunction): iam.Grant {
    return this.grant(fn, ['dynamodb:GetItem'], ['dataDeletion']);
  }

  /**
   * Plans a sweep (revalidation-dispatcher): reads the shard cursors with one Query of their
   * partition (`dynamodb:Query` on the table, narrowed to that partition), and nothing else.
   */
  grantSweepPlan(fn: ConfigurableFunction): iam.Grant {
    return this.grant(fn, ['dynamodb:Query'], ['sweepCursor']);
  }

  /**
   * Revalidates sessions (revalidation-worker): reads shards of `index/sweep` (Query), turns a dead
   * session into its revocation record (UpdateItem), releases its token lock (DeleteItem) and keeps
   * the cursor of a shard pass in progress (UpdateItem, and DeleteItem when the pass ends).
   */
  grantSweep(fn: ConfigurableFunction): void {
    this.grant(fn, ['dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
    this.grantIndexQuery(fn, SWEEP_INDEX.name);
  }

  /** Lists a person's sessions (their list, operators' lists): `dynamodb:Query` on `index/byUser` only. */
  grantUserSessionsQuery(fn: ConfigurableFunction): iam.Grant {
    return this.grantIndexQuery(fn, BY_USER_INDEX.name);
  }

  /**
   * Ends sessions with a revocation record (signing out one or all sessions, operators): turns the
   * live session into its record (UpdateItem) and releases its token lock (DeleteItem).
   */
  grantRevocation(fn: ConfigurableFunction): iam.Grant {
    return this.grant(fn, ['dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
  }

  /**
   * Writes admin audit records: `dynamodb:PutItem` on `AUDIT#…` items only (a LeadingKeys
   * condition), so an admin function cannot put any other item.
   */
  grantAuditRecord(fn: ConfigurableFunction): iam.Grant {
    return this.grant(fn, ['dynamodb:PutItem'], ['audit']);
  }

  /**
   * The credential inventory (checker and admin functions): its own partition only, by the
   * `dynamodb:LeadingKeys` condition, so an inventory function cannot touch a session.
   */
  grantInventory(fn: ConfigurableFunction): iam.Grant {
    return this.grantOnLeadingKeys(fn, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], [INVENTORY_PARTITION]);
  }

  private grantIndexQuery(fn: ConfigurableFunction, indexName: string): iam.Grant {
    fn.addEnvironment('TABLE_NAME', this.table.tableName);
    return iam.Grant.addToPrincipal({ grantee: fn, actions: ['dynamodb:Query'], resourceArns: [`${this.table.tableArn}/index/${indexName}`] });
  }

  /**
   * Item actions on the table; with `onlyEntities`, only on items whose partition key has one of
   * those entities' prefixes (`dynamodb:LeadingKeys`, from the schema), for the functions that
   * touch one or two kinds of item. docs/deploy.md ("Least privilege") says where it is not used.
   */
  private grant(fn: ConfigurableFunction, actions: string[], onlyEntities?: readonly EntityName[]): iam.Grant {
    if (onlyEntities) return this.grantOnLeadingKeys(fn, actions, onlyEntities.map((entity) => `${KEY_PREFIX[entity]}#*`));
    fn.addEnvironment('TABLE_NAME', this.table.tableName);
    return iam.Grant.addToPrincipal({ grantee: fn, actions, resourceArns: [this.table.tableArn] });
  }

  /** Item actions on the table, only on partition keys matching `patterns` (`dynamodb:LeadingKeys`, `*` a wildcard). */
  private grantOnLeadingKeys(fn: ConfigurableFunction, actions: string[], patterns: readonly string[]): iam.Grant {
    fn.addEnvironment('TABLE_NAME', this.table.tableName);
    const conditions = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...patterns] } };
    return iam.Grant.addToPrincipal({ grantee: fn, actions, resourceArns: [this.table.tableArn], conditions });
  }
}

function globalSecondaryIndex(index: IndexSchema): dynamodb.GlobalSecondaryIndexProps {
  return {
    indexName: index.name,
    partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
    sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
    ...(index.projection.type === 'ALL'
      ? { projectionType: dynamodb.ProjectionType.ALL }
      : { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.projection.nonKeyAttributes] }),
  };
}
