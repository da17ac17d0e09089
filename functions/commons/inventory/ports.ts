import type { CheckResult, Credential, CredentialFlag, CredentialStatus, NewCredential, OffboardedOwner } from './model.ts';

/** What the inventory needs from storage (`storage/credential-store.ts`). */
export interface CredentialRepository {
  /** Refuses a label already taken (`CredentialExistsError`). */
  register(credential: NewCredential, at: number): Promise<Credential>;
  get(label: string): Promise<Credential | undefined>;
  /** Every entry, by label. */
  list(): Promise<Credential[]>;
  /** Records a check and the flags it earned; closes the entry when `close` is given. */
  recordCheck(label: string, update: CheckUpdate): Promise<void>;
  /** `active` → `revoke_pending`; true when this call changed it (false: already pending, or closed). */
  markRevokePending(label: string, at: number): Promise<boolean>;
  /** Closes an entry: Facebook said the token is dead, or Graph revoked it. */
  close(label: string, how: NonNullable<Credential['revokedHow']>, at: number): Promise<void>;
  recordOffboardedOwner(owner: OffboardedOwner): Promise<void>;
  offboardedOwners(): Promise<Set<string>>;
  /** Starts of the latest runs of the daily check, newest first. */
  recentRuns(): Promise<number[]>;
  recordRun(startedAt: number): Promise<void>;
}

export interface CheckUpdate {
  /** Absent when this run could not check the entry: the last check stays. */
  readonly check?: CheckResult;
  readonly flags: readonly CredentialFlag[];
  readonly close?: { readonly how: NonNullable<Credential['revokedHow']>; readonly at: number };
}

export class CredentialExistsError extends Error {
  override readonly name = 'CredentialExistsError';
}

/** The secrets the entries point at (`secrets-manager.ts`). Only the checker is allowed to read them. */
export interface SecretVault {
  /** The token the secret holds (the string itself, or JSON `{"accessToken": …}`). */
  readToken(secretArn: string): Promise<string>;
  /** When the secret last rotated, or was created: epoch ms. */
  rotatedAt(secretArn: string): Promise<number>;
}

/** How the admin API starts the checker, the only function that may read the secrets. */
export interface CheckerInvoker {
  invoke(request: CheckerRequest): Promise<unknown>;
}

export type CheckerRequest = { readonly action: 'check' } | { readonly action: 'revoke'; readonly label: string };

export type { CredentialStatus };
