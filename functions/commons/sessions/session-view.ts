import { type Session, type SessionVia, type SignInMethod, viaOf } from './model.ts';

/** A session as the API shows it (to its person or to an operator): ISO times, no hashes. */
export interface SessionView {
  readonly id: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly authTime: string;
  /** How it was opened (`mobile` / `web`), from `signInMethod`. */
  readonly via: SessionVia | 'unknown';
  /** The stored sign-in method itself, for operators (`session_info_token`, `access_token`, `web`). */
  readonly signInMethod?: SignInMethod;
  readonly device: string;
  readonly status: Session['status'];
  readonly revokedReason?: string;
  readonly revokedAt?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

export function sessionView(session: Session): SessionView {
  return {
    id: session.id,
    createdAt: iso(session.createdAt),
    expiresAt: iso(session.expiresAt),
    authTime: iso(session.authTime),
    // Sessions opened before sign-in recorded these say so rather than guess.
    via: session.signInMethod !== undefined ? viaOf(session.signInMethod) : 'unknown',
    ...(session.signInMethod !== undefined ? { signInMethod: session.signInMethod } : {}),
    device: session.device ?? 'Unknown device',
    status: session.status,
    ...(session.revokedReason !== undefined ? { revokedReason: session.revokedReason } : {}),
    ...(session.revokedAt !== undefined ? { revokedAt: iso(session.revokedAt) } : {}),
  };
}
