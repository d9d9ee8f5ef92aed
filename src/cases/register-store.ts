// The register of certified holders (migration 50): who holds which qualification, until when, and the
// cases that certified or renewed them; the certificate kept with a case; the review state of a case
// (four eyes). Written by the reviewer's decision (src/app/review.ts) and the import of existing holders
// (src/app/register.ts), in the caller's transaction. A holder's state on a day: src/cases/holder-status.ts.
import { SqlStore } from './sql-store.ts';
import type { ReviewState } from './transition.ts';
import { tokyoDate, type IsoDate } from '../shared/calendar.ts';
import { holderStatusOn, type HolderStatus, type RecordedHolderStatus } from './holder-status.ts';

export { HOLDER_STATUSES, RECORDED_HOLDER_STATUSES, holderStatusOn, type HolderStatus, type RecordedHolderStatus } from './holder-status.ts';

interface StoredHolder extends Omit<HolderRow, 'status' | 'recorded_status'> {
  status: RecordedHolderStatus;
}

export interface HolderRow {
  id: number;
  certification_number: string;
  qualification: string;
  name: string;
  name_kana: string | null;
  valid_from: string;
  valid_to: string;
  /** The state on the day asked (holderStatusOn): 'expired' included. */
  status: HolderStatus;
  /** The state as recorded (never 'expired'). */
  recorded_status: RecordedHolderStatus;
  email: string | null;
  source: 'import' | 'case';
  created_at: string;
  updated_at: string;
}

export interface HolderStatusChange {
  at: string;
  by: string;
  previous: RecordedHolderStatus;
  status: RecordedHolderStatus;
  reason: string;
}

export interface HolderInput {
  certificationNumber: string;
  qualification: string;
  name: string;
  nameKana: string | null;
  validFrom: string;
  validTo: string;
  status: RecordedHolderStatus;
  email: string | null;
}

export interface HolderFilter {
  /** Part of the number, the name or the kana. */
  query?: string;
  qualification?: string;
  /** The calendar year the validity ends in. */
  expiryYear?: number;
  /** The state on `on` ('expired' included). */
  status?: HolderStatus;
  /** The day the states are for (default: today in Tokyo). */
  on?: IsoDate;
  limit?: number;
}

function withStatusOn(row: StoredHolder | undefined, on: IsoDate): HolderRow | undefined {
  return row ? { ...row, status: holderStatusOn(row.status, row.valid_to, on), recorded_status: row.status } : undefined;
}

const today = (): IsoDate => tokyoDate(new Date());

export class RegisterStore extends SqlStore {
  /** Whether the register is kept at all (holders imported or certified): renewals are checked against it then. */
  isKept(): boolean {
    return this.get('SELECT 1 AS one FROM certified_holders LIMIT 1') !== undefined;
  }

  /** A holder by number, with their state on `on` (default today). */
  holderByNumber(number: string, on: IsoDate = today()): HolderRow | undefined {
    return withStatusOn(this.get<StoredHolder>('SELECT * FROM certified_holders WHERE certification_number = ?', number), on);
  }

  holders(filter: HolderFilter = {}): HolderRow[] {
    const on = filter.on ?? today();
    const like = filter.query ? `%${filter.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    // The state filter in SQL (the register may be long): 'active' and 'expired' split the recorded active
    // holders by `valid_to < on`, which is validityEnded's rule; each row's state is then computed by
    // holderStatusOn itself, and a row the two disagreed on would be dropped, never shown under a wrong state.
    const recorded = filter.status === 'expired' ? 'active' : filter.status ?? null;
    const ended = filter.status === 'expired' ? 1 : filter.status === 'active' ? 0 : null;
    return (this.stmt(`SELECT * FROM certified_holders
      WHERE ($like IS NULL OR certification_number LIKE $like ESCAPE '\\' OR name LIKE $like ESCAPE '\\' OR replace(replace(name, ' ', ''), '　', '') LIKE $like ESCAPE '\\' OR name_kana LIKE $like ESCAPE '\\')
        AND ($qualification IS NULL OR qualification = $qualification)
        AND ($expiryYear IS NULL OR substr(valid_to, 1, 4) = $expiryYear)
        AND ($recorded IS NULL OR status = $recorded)
        AND ($ended IS NULL OR (valid_to < $on) = $ended)
      ORDER BY certification_number LIMIT $limit`)
      .all({ like, qualification: filter.qualification ?? null, expiryYear: filter.expiryYear ? String(filter.expiryYear) : null, recorded, ended, on, limit: filter.limit ?? 1000 }) as unknown as StoredHolder[])
      .map((r) => withStatusOn(r, on)!)
      .filter((h) => !filter.status || h.status === filter.status);
  }

  /**
   * An imported holder: a new row, or the existing one (same number) updated — never a duplicate. A line
   * that changes a known holder's recorded state (the office's own register says 取消 now) is kept in the
   * holder's history like a reviewer's change, so the history never misses a state the holder was in.
   */
  upsertImported(h: HolderInput, at: string, source: { by: string; reason: string } = { by: 'import', reason: '名簿の取り込み' }): 'added' | 'updated' {
    const existing = this.holderByNumber(h.certificationNumber);
    if (existing && existing.recorded_status !== h.status) {
      this.stmt('INSERT INTO holder_status_changes (holder_id, at, by, previous, status, reason) VALUES (?, ?, ?, ?, ?, ?)')
        .run(existing.id, at, source.by, existing.recorded_status, h.status, source.reason);
    }
    this.stmt(`INSERT INTO certified_holders (certification_number, qualification, name, name_kana, valid_from, valid_to, status, email, source, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'import', ?, ?)
      ON CONFLICT (certification_number) DO UPDATE SET qualification = excluded.qualification, name = excluded.name, name_kana = excluded.name_kana,
        valid_from = excluded.valid_from, valid_to = excluded.valid_to, status = excluded.status, email = excluded.email, updated_at = excluded.updated_at`)
      .run(h.certificationNumber, h.qualification, h.name, h.nameKana, h.validFrom, h.validTo, h.status, h.email, at, at);
    return existing ? 'updated' : 'added';
  }

  /**
   * The next number of a new certification: the sequence of (qualification, year) only goes up, and a
   * number already in the register (an imported one in the same pattern) is skipped, so none is reused.
   */
  allocateNumber(qualification: string, year: number, format: (seq: number) => string): string {
    for (;;) {
      const row = this.get<{ last: number }>(`INSERT INTO certification_sequences (qualification, year, last) VALUES (?, ?, 1)
        ON CONFLICT (qualification, year) DO UPDATE SET last = last + 1 RETURNING last`, qualification, year);
      const number = format(row!.last);
      if (!this.holderByNumber(number)) return number;
    }
  }

  /** What the next allocateNumber would give (for a certificate drawn before the deciding transaction). */
  peekNumber(qualification: string, year: number, format: (seq: number) => string): string {
    let seq = (this.get<{ last: number }>('SELECT last FROM certification_sequences WHERE qualification = ? AND year = ?', qualification, year)?.last ?? 0) + 1;
    while (this.holderByNumber(format(seq))) seq++;
    return format(seq);
  }

  /** A new holder certified by a case (or renewed by one, when the register did not know them yet). */
  certify(caseId: number, h: Omit<HolderInput, 'status'>, at: string, role: 'certified' | 'renewed' = 'certified'): number {
    const id = this.insert(`INSERT INTO certified_holders (certification_number, qualification, name, name_kana, valid_from, valid_to, status, email, source, created_at, updated_at)
      VALUES ($number, $qualification, $name, $kana, $from, $to, 'active', $email, 'case', $at, $at)`,
    { number: h.certificationNumber, qualification: h.qualification, name: h.name, kana: h.nameKana, from: h.validFrom, to: h.validTo, email: h.email, at });
    this.stmt('INSERT INTO holder_cases (holder_id, case_id, role, valid_from, valid_to, at) VALUES (?, ?, ?, ?, ?, ?)').run(id, caseId, role, h.validFrom, h.validTo, at);
    return id;
  }

  /** A holder's validity extended by a renewal (the period the renewal grants; active again). */
  renew(holderId: number, caseId: number, validFrom: string, validTo: string, at: string): void {
    this.stmt("UPDATE certified_holders SET valid_to = ?, status = 'active', updated_at = ? WHERE id = ?").run(validTo, at, holderId);
    this.stmt('INSERT INTO holder_cases (holder_id, case_id, role, valid_from, valid_to, at) VALUES (?, ?, ?, ?, ?, ?)').run(holderId, caseId, 'renewed', validFrom, validTo, at);
  }

  /**
   * A holder's recorded state changed by a reviewer (revoked, lapsed, or active again), with who and why: the
   * holder's history keeps each change. In the caller's transaction (src/app/register.ts setHolderStatus).
   */
  setStatus(holderId: number, previous: RecordedHolderStatus, status: RecordedHolderStatus, by: string, reason: string, at: string): void {
    this.stmt('UPDATE certified_holders SET status = ?, updated_at = ? WHERE id = ?').run(status, at, holderId);
    this.stmt('INSERT INTO holder_status_changes (holder_id, at, by, previous, status, reason) VALUES (?, ?, ?, ?, ?, ?)').run(holderId, at, by, previous, status, reason);
  }

  /** The changes of a holder's recorded state, oldest first. */
  statusChanges(holderId: number): HolderStatusChange[] {
    return this.all('SELECT at, by, previous, status, reason FROM holder_status_changes WHERE holder_id = ? ORDER BY at, id', holderId);
  }

  /** The cases that certified or renewed a holder, oldest first. */
  holderCases(holderId: number): { case_number: string; role: string; valid_from: string; valid_to: string; at: string }[] {
    return this.all(`SELECT c.number AS case_number, hc.role, hc.valid_from, hc.valid_to, hc.at FROM holder_cases hc JOIN cases c ON c.id = hc.case_id
      WHERE hc.holder_id = ? ORDER BY hc.at, c.number`, holderId);
  }

  /** The holder a case certified or renewed (none before its approval). */
  holderOfCase(caseId: number, on: IsoDate = today()): HolderRow | undefined {
    return withStatusOn(this.get<StoredHolder>('SELECT h.* FROM holder_cases hc JOIN certified_holders h ON h.id = hc.holder_id WHERE hc.case_id = ?', caseId), on);
  }

  reviewStateOf(caseId: number): ReviewState | null {
    const row = this.get<{ review_json: string | null }>('SELECT review_json FROM cases WHERE id = ?', caseId);
    return row?.review_json ? (JSON.parse(row.review_json) as ReviewState) : null;
  }

  /** The certificate kept with the case: an attachment of role 'certificate' (on the case's first mail). */
  addCertificate(caseId: number, messageId: number, file: { filename: string; size: number; sha256: string; storePath: string }): number {
    const id = this.insert(`INSERT INTO attachments (message_id, filename, from_archive, detected_type, size, sha256, store_path, role, form_kind, note)
      VALUES ($messageId, $filename, NULL, 'pdf', $size, $sha256, $storePath, 'certificate', NULL, '認定書（審査結果により発行）')`,
    { messageId, filename: file.filename, size: file.size, sha256: file.sha256, storePath: file.storePath });
    this.stmt('INSERT OR IGNORE INTO case_attachments (case_id, attachment_id) VALUES (?, ?)').run(caseId, id);
    return id;
  }

  /** Whether an attachment refers to a file of the content store (a certificate not kept is removed). */
  isStoredFileReferenced(storePath: string): boolean {
    return this.get('SELECT 1 AS one FROM attachments WHERE store_path = ? LIMIT 1', storePath) !== undefined;
  }

  /** The ready-for-review cases, oldest first, with a pending first approval where there is one. */
  reviewQueue(): { id: number; number: string; kind: string; received_at: string; review_json: string | null }[] {
    return this.all("SELECT id, number, kind, received_at, review_json FROM cases WHERE status = 'ready-for-review' ORDER BY received_at, id");
  }
}
