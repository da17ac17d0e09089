import type { User } from '#commons/sessions/model';

/**
 * What Facebook's data-deletion callback needs from storage: erasing everything held on one
 * person, and the anonymous record behind the status page. The record names no person: only its
 * confirmation code, status, times and counts. Implemented by `#commons/storage/person-data-store`.
 */

/** A stored session (live or revoked) and the session-info token lock it may hold. */
export interface StoredSessionRef {
  readonly sessionId: string;
  readonly sessionInfoTokenHash?: string;
}

export type DataDeletionStatus = 'in_progress' | 'completed';

export interface DataDeletionCounts {
  /** Session records removed, live ones and revocation records alike. */
  readonly sessions: number;
  /** The user record and the Facebook-id link: 0, 1 or 2. */
  readonly userRecords: number;
}

export interface DataDeletionRecord {
  readonly confirmationCode: string;
  readonly status: DataDeletionStatus;
  readonly requestedAt: number;
  readonly completedAt?: number;
  readonly deleted?: DataDeletionCounts;
  /** When the record (and so the status page) goes away. */
  readonly expiresAt: number;
}

/** Whose data a deletion erases: the Facebook id always, our user id when we knew the person. */
export interface DataDeletionSubject {
  readonly facebookUserId: string;
  readonly userId?: string;
}

export interface PersonDataRepository {
  /**
   * Marks the person's Facebook-id link as being erased (and bumps its version) before anything is
   * deleted, so no sign-in can write a session for them meanwhile. The person, or undefined when
   * we hold no link for this Facebook id.
   */
  markDeletionStarted(facebookUserId: string): Promise<User | undefined>;
  /**
   * Every session record of a person (live or revoked), a page at a time. Eventually consistent:
   * a caller that must see everything asks again until nothing new shows.
   */
  sessionPagesOfUser(userId: string): AsyncIterable<StoredSessionRef[]>;
  /** Deletes these sessions and their token locks; throws if some could not be deleted. */
  deleteSessions(sessions: readonly StoredSessionRef[]): Promise<void>;
  /**
   * Deletes the admin API's audit records that name the person, by our id (when we know them) or
   * by their Facebook id; answers how many. Eventually consistent like the session pages: one that
   * was being written as this ran may be left, to its TTL.
   */
  deleteAuditRecordsAbout(person: { readonly userId?: string; readonly facebookUserId: string }): Promise<number>;
  /** Deletes the user record, then the Facebook-id link; answers how many of the two existed. */
  deleteUser(userId: string, facebookUserId: string): Promise<number>;
  /**
   * The record for this code, created `in_progress` unless it already exists. While in progress it
   * also holds whose data it is, so that its completion (which removes them again) can tell the
   * app on the table's stream; a completed record names no one.
   */
  startDataDeletion(confirmationCode: string, retentionMs: number, person: DataDeletionSubject): Promise<DataDeletionRecord>;
  /** Marks the deletion done with its counts; a racing duplicate that finished first wins. */
  completeDataDeletion(confirmationCode: string, counts: DataDeletionCounts): Promise<DataDeletionRecord>;
  /** The record, or undefined when unknown or past its retention. */
  getDataDeletion(confirmationCode: string): Promise<DataDeletionRecord | undefined>;
}
