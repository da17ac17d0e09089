import { Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TOKEN_ENCRYPTION_CONTEXT, TOKEN_KEY_ALIAS } from '#commons/crypto/token-key-names';
import type { ConfigurableFunction } from './session-guard-function.ts';

/** What the key policy refuses to everyone but the openers and the break-glass role. */
export const OPENING_ACTIONS = ['kms:Decrypt', 'kms:ReEncryptFrom'] as const;

export interface TokenKeyProps {
  /** @default 'alias/session-guard/tokens' */
  readonly alias?: string;
  /**
   * ARN of the IAM role people assume in an emergency to open sealed tokens by hand (the only
   * principal besides the functions given `grantOpen`). It need not exist yet.
   */
  readonly breakGlassRoleArn: string;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The customer-managed key that wraps the data keys sealing Facebook session-info tokens
 * (envelope encryption, see functions/commons/crypto/vault.ts). Rotation on; retained when the stack goes,
 * because sealed tokens in a retained table would otherwise be unreadable forever.
 *
 * Two grants, each bound to the encryption context by an IAM condition so the key cannot be used
 * for anything but session-info tokens:
 * - `grantSeal`: kms:GenerateDataKey only. Internet-facing functions get at most this: they can
 *   seal new tokens but never open stored ones.
 * - `grantOpen`: kms:Decrypt, for the revalidation worker alone. Nothing behind the API may hold it.
 *
 * IAM alone cannot hold that line: the key policy's usual first statement gives the account root
 * `kms:*`, so any administrator's identity policy could add Decrypt. The key policy therefore
 * denies Decrypt, and ReEncryptFrom (which would move a data key under a key the caller can open),
 * to every principal whose ARN is not an opener's role or the break-glass role. An explicit deny
 * beats every allow, grants included. What remains is kms:PutKeyPolicy, which CloudFormation needs
 * to manage the key; changing the policy is a CloudTrail event (docs/runbook.md).
 */
export class TokenKey extends Construct {
  readonly key: kms.Key;
  readonly breakGlassRoleArn: string;
  private readonly openerRoleArns: string[] = [];

  constructor(scope: Construct, id: string, props: TokenKeyProps) {
    super(scope, id);
    this.breakGlassRoleArn = props.breakGlassRoleArn;
    this.key = new kms.Key(this, 'Key', {
      description: 'Session Guard: wraps the data keys that seal Facebook session-info tokens',
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      alias: props.alias ?? TOKEN_KEY_ALIAS,
    });
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyOpeningTokensToAllButOpenersAndBreakGlass',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...OPENING_ACTIONS],
        resources: ['*'],
        conditions: {
          // aws:PrincipalArn is the role's ARN for any session of that role.
          ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => [...this.openerRoleArns, this.breakGlassRoleArn] }) },
        },
      }),
    );
  }

  /** Seals new tokens: sets `KMS_KEY_ID`, grants kms:GenerateDataKey under the context only. */
  grantSeal(fn: ConfigurableFunction): iam.Grant {
    return this.grant(fn, ['kms:GenerateDataKey']);
  }

  /**
   * Opens stored tokens: sets `KMS_KEY_ID`, grants kms:Decrypt under the context only, and exempts
   * the function's role from the key policy's deny.
   */
  grantOpen(fn: ConfigurableFunction): iam.Grant {
    const principal = fn.grantPrincipal;
    if (!(principal instanceof iam.Role)) throw new Error(`${this.node.path}: grantOpen needs a function with its own role`);
    this.openerRoleArns.push(principal.roleArn);
    return this.grant(fn, ['kms:Decrypt']);
  }

  private grant(fn: ConfigurableFunction, actions: string[]): iam.Grant {
    // The key ARN, not the alias: IAM evaluates the key, and an alias can be repointed.
    fn.addEnvironment('KMS_KEY_ID', this.key.keyArn);
    return iam.Grant.addToPrincipal({
      grantee: fn,
      actions,
      resourceArns: [this.key.keyArn],
      conditions: {
        // Every pair of the context the vault sends, so the condition follows it if it grows.
        StringEquals: Object.fromEntries(Object.entries(TOKEN_ENCRYPTION_CONTEXT).map(([name, value]) => [`kms:EncryptionContext:${name}`, value])),
      },
    });
  }
}
