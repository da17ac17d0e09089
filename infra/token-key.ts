import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TOKEN_ENCRYPTION_CONTEXT, TOKEN_KEY_ALIAS } from '#commons/crypto/token-key-names';
import type { ConfigurableFunction } from './session-guard-function.ts';

export interface TokenKeyProps {
  /** @default 'alias/session-guard/tokens' */
  readonly alias?: string;
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
 * - `grantOpen`: kms:Decrypt, for the revalidation worker alone (a later issue). Nothing behind the
 *   API may hold it; the infra tests keep an explicit allow-list.
 */
export class TokenKey extends Construct {
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: TokenKeyProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'Session Guard: wraps the data keys that seal Facebook session-info tokens',
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
      alias: props.alias ?? TOKEN_KEY_ALIAS,
    });
  }

  /** Seals new tokens: sets `KMS_KEY_ID`, grants kms:GenerateDataKey under the context only. */
  grantSeal(fn: ConfigurableFunction): iam.Grant {
    return this.grant(fn, ['kms:GenerateDataKey']);
  }

  /** Opens stored tokens: sets `KMS_KEY_ID`, grants kms:Decrypt under the context only. */
  grantOpen(fn: ConfigurableFunction): iam.Grant {
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
