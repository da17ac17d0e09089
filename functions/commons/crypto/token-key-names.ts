/**
 * How the key that seals session-info tokens is named and bound, shared by the vault (which sends
 * the context on every KMS call), the CDK stack (which creates the key under the alias and lets IAM
 * grant it only under the context) and the local stack (which creates the key under the same alias).
 * No SDK import, so the CDK app can take it.
 */
export const TOKEN_KEY_ALIAS = 'alias/session-guard/tokens';

/** The KMS encryption context of every data key: the key can seal nothing but session-info tokens. */
export const TOKEN_ENCRYPTION_CONTEXT = { purpose: 'session-info-token' } as const;
