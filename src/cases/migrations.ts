// Schema migrations, applied in order at start-up, each in its own transaction. Append new ones;
// never edit one that has shipped.

export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        dedupe_key TEXT NOT NULL UNIQUE,          -- 'mid:<Message-ID>' or 'sha:<sha256>' (no Message-ID)
        message_id TEXT,                          -- RFC 5322 Message-ID without <>
        sha256 TEXT NOT NULL,
        raw_path TEXT NOT NULL,                   -- in the content store
        source TEXT NOT NULL,
        source_ref TEXT,
        received_at TEXT NOT NULL,                -- ISO instant, server time of receipt
        from_address TEXT,
        subject TEXT,
        classification TEXT NOT NULL,             -- application | reply | near-miss | ignored | automatic | malformed | duplicate
        note TEXT,
        processed_at TEXT NOT NULL
      );
      CREATE INDEX messages_message_id ON messages(message_id);

      CREATE TABLE case_sequences (prefix TEXT NOT NULL, year INTEGER NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (prefix, year));

      CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        applicant_address TEXT,                   -- where notices go (the sender of the first mail)
        received_at TEXT NOT NULL,                -- receipt of the first mail: windows and periods use it
        origin_message_id INTEGER REFERENCES messages(id),
        form_attachment_id INTEGER,
        application_json TEXT,
        computed_json TEXT,
        intake_findings_json TEXT NOT NULL DEFAULT '[]', -- findings about the mail itself (subject, attachments), kept until the next mail
        payment_digits TEXT,
        payment_kana TEXT,
        expected_amount INTEGER,
        revision INTEGER NOT NULL DEFAULT 0,
        notices_suppressed INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX cases_status ON cases(status);

      CREATE TABLE case_messages (
        case_id INTEGER NOT NULL REFERENCES cases(id),
        message_id INTEGER NOT NULL REFERENCES messages(id),
        role TEXT NOT NULL,                       -- original | reply
        PRIMARY KEY (case_id, message_id)
      );

      CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        message_id INTEGER NOT NULL REFERENCES messages(id),
        filename TEXT NOT NULL,
        from_archive TEXT,
        detected_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        store_path TEXT NOT NULL,
        role TEXT NOT NULL,                       -- form | document | unsupported | unreadable
        form_kind TEXT,
        note TEXT
      );
      CREATE TABLE case_attachments (
        case_id INTEGER NOT NULL REFERENCES cases(id),
        attachment_id INTEGER NOT NULL REFERENCES attachments(id),
        PRIMARY KEY (case_id, attachment_id)
      );

      CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        revision INTEGER NOT NULL,
        code TEXT NOT NULL,
        field TEXT,
        row INTEGER,
        audience TEXT NOT NULL,
        message TEXT NOT NULL
      );
      CREATE INDEX findings_case ON findings(case_id, revision);

      -- Append-only audit log: who or what did what, when.
      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        case_id INTEGER REFERENCES cases(id),
        message_id INTEGER REFERENCES messages(id),
        actor TEXT NOT NULL,
        type TEXT NOT NULL,
        data_json TEXT
      );
      CREATE INDEX events_case ON events(case_id);
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

      CREATE TABLE payment_imports (
        id INTEGER PRIMARY KEY,
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        format TEXT NOT NULL,
        actor TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        rows_total INTEGER NOT NULL,
        rows_new INTEGER NOT NULL,
        rows_duplicate INTEGER NOT NULL
      );
      CREATE TABLE payments (
        id INTEGER PRIMARY KEY,
        import_id INTEGER NOT NULL REFERENCES payment_imports(id),
        paid_on TEXT NOT NULL,
        amount INTEGER NOT NULL,
        transfer_name TEXT NOT NULL,              -- as the bank shows it
        digits TEXT,                              -- normalised key parts
        kana TEXT,
        fingerprint TEXT NOT NULL,                -- date|amount|normalised name
        occurrence INTEGER NOT NULL,              -- nth identical row: two genuine identical transfers stay two
        case_id INTEGER REFERENCES cases(id),
        matched_by TEXT,
        matched_at TEXT,
        UNIQUE (fingerprint, occurrence)
      );
      CREATE INDEX payments_case ON payments(case_id);

      -- Transactional outbox: written with the decision that causes the mail; a sender loop delivers it.
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        case_id INTEGER REFERENCES cases(id),
        kind TEXT NOT NULL,                       -- template name
        rfc_message_id TEXT NOT NULL UNIQUE,      -- stable: a retry is recognisable
        to_address TEXT NOT NULL,
        audience TEXT NOT NULL,                   -- applicant | reviewer | staff
        mail_json TEXT NOT NULL,
        status TEXT NOT NULL,                     -- pending | sent | suppressed
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT
      );
      CREATE INDEX outbox_pending ON outbox(status, next_attempt_at);
      CREATE INDEX outbox_to ON outbox(to_address, created_at);
    `,
  },
  {
    version: 2,
    name: 'payment reconciliation: statement formats, links with amounts, candidates, reminders',
    sql: `
      ALTER TABLE payment_imports ADD COLUMN encoding TEXT;
      ALTER TABLE payment_imports ADD COLUMN rows_debit INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE payment_imports ADD COLUMN rows_matched INTEGER NOT NULL DEFAULT 0;

      ALTER TABLE payments ADD COLUMN line INTEGER;                 -- line / record number in the imported file
      ALTER TABLE payments ADD COLUMN entity TEXT;                  -- legal-entity mark of the name (カ for ｶ)), null for a person
      ALTER TABLE payments ADD COLUMN reference TEXT;               -- the bank's reference (照会番号), when given
      ALTER TABLE payments ADD COLUMN value_date TEXT;              -- 起算日, when given
      ALTER TABLE payments ADD COLUMN raw_line TEXT;                -- the statement line as imported
      ALTER TABLE payments ADD COLUMN status TEXT NOT NULL DEFAULT 'unmatched'; -- matched | attention | unmatched
      ALTER TABLE payments ADD COLUMN finding_code TEXT;            -- payment.ambiguous | … when attention
      ALTER TABLE payments ADD COLUMN candidates_json TEXT;         -- ranked candidates [{caseId, score, reason}]
      ALTER TABLE payments ADD COLUMN reason TEXT;
      ALTER TABLE payments ADD COLUMN hold INTEGER NOT NULL DEFAULT 0; -- finance unlinked it: no automatic link again
      CREATE INDEX outbox_case ON outbox(case_id, kind);            -- notices of a case (numbering, reminders)
      CREATE INDEX payments_digits ON payments(digits);             -- does a new application have payments waiting?

      -- Which payment pays which case, for how much, and who linked it (one transfer may pay for several cases).
      -- payments.case_id / matched_by / matched_at mirror the first link for older readers.
      CREATE TABLE payment_links (
        payment_id INTEGER NOT NULL REFERENCES payments(id),
        case_id INTEGER NOT NULL REFERENCES cases(id),
        amount INTEGER NOT NULL,
        accepted INTEGER NOT NULL DEFAULT 0,        -- finance accepted a short amount as the full fee
        linked_by TEXT NOT NULL,                     -- 'matcher:exact' or 'finance:<who>'
        linked_at TEXT NOT NULL,
        PRIMARY KEY (payment_id, case_id)
      );
      CREATE INDEX payment_links_case ON payment_links(case_id);
      INSERT INTO payment_links (payment_id, case_id, amount, accepted, linked_by, linked_at)
        SELECT id, case_id, amount, 0, COALESCE(matched_by, 'matcher:exact'), COALESCE(matched_at, '') FROM payments WHERE case_id IS NOT NULL;
      UPDATE payments SET status = 'matched' WHERE case_id IS NOT NULL;

      ALTER TABLE cases ADD COLUMN payment_declared TEXT;           -- the declared transfer name (振込名義)
      ALTER TABLE cases ADD COLUMN payment_company TEXT;            -- company name in kana (bulk transfers)
      ALTER TABLE cases ADD COLUMN payment_findings_json TEXT NOT NULL DEFAULT '[]'; -- staff findings from matching
      ALTER TABLE cases ADD COLUMN payment_reminded_at TEXT;
      UPDATE cases SET payment_declared = json_extract(application_json, '$.feeTransferName'),
        payment_company = json_extract(application_json, '$.companyKana') WHERE application_json IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'mailbox sync state and daemon status',
    sql: `
      -- IMAP: per mailbox, the UIDVALIDITY seen and the UID up to which every mail has been handled
      -- (processed and moved, or left alone as unrelated). A new UIDVALIDITY resets last_uid to 0:
      -- the mailbox is read again from the start and the message store recognises what it has seen.
      CREATE TABLE mailbox_sync (
        mailbox TEXT PRIMARY KEY,
        uidvalidity TEXT NOT NULL,
        last_uid INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      );
      -- What the running daemon last reported (for conken status): one row per daemon component.
      CREATE TABLE daemon_status (
        component TEXT PRIMARY KEY,               -- daemon | source | transport
        state TEXT NOT NULL,
        detail_json TEXT,
        last_error TEXT,
        last_error_at TEXT,
        updated_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 4,
    name: 'facts read from supporting documents',
    sql: `
      -- JSON DocumentFacts (src/extract/documents): e.g. the exam report's issue date, so a re-evaluation
      -- (a payment arriving) needs no re-reading of stored files.
      ALTER TABLE attachments ADD COLUMN facts_json TEXT;
    `,
  },
  // Versions 5 and 6 are reserved for the intake work in progress on another branch.
  {
    version: 7,
    name: 'bulk statement imports: raw lines per import, notices rendered after the commit',
    sql: `
      -- The source lines of an import's new payments as one JSON array in payment-id order (an import's
      -- payments have consecutive ids); payments.raw_line stays for rows imported before this version.
      ALTER TABLE payment_imports ADD COLUMN raw_lines_json TEXT;
      -- A notice queued by a bulk job before it is rendered (src/app/deferred-notices.ts): the template,
      -- the case and everything about the moment of the decision; mail_json is '' until the notice is
      -- rendered, right after the commit (or by the sender, should the process die in between).
      ALTER TABLE outbox ADD COLUMN notice_json TEXT;
      CREATE INDEX outbox_unrendered ON outbox(id) WHERE mail_json = '';
    `,
  },
  {
    version: 8,
    name: 'application and computed JSON beside the case row',
    sql: `
      -- The form as read (≈ 7 KB) and the figures computed from it change only when the case is evaluated
      -- from a mail; the case row changes with every status move (a statement import moves 16,000 cases).
      -- Kept in the case row, they put each case on overflow pages that every status update rewrote and every
      -- scan of the payment columns (after them in the row) had to walk. The case store joins them back.
      CREATE TABLE case_documents (
        case_id INTEGER PRIMARY KEY REFERENCES cases(id),
        application_json TEXT,
        computed_json TEXT
      );
      INSERT INTO case_documents (case_id, application_json, computed_json)
        SELECT id, application_json, computed_json FROM cases WHERE application_json IS NOT NULL OR computed_json IS NOT NULL;
      ALTER TABLE cases DROP COLUMN application_json;
      ALTER TABLE cases DROP COLUMN computed_json;
    `,
  },
  {
    version: 9,
    name: 'statement imports: lighter payment indexes, packed raw lines, case moves after the commit',
    sql: `
      -- Every index on payments is written once per imported row (100,000 per statement). payments_case
      -- was read by nothing (links live in payment_links; payments.case_id is only their mirror), and most
      -- payments of a busy account are other companies' deposits, without digits. What a new application
      -- asks ("are there unlinked payments with my digits, or with my name and no digits?") needs the
      -- payments with digits, and the persons' names without digits (a transfer marked as a company is
      -- never matched by a person's name).
      DROP INDEX payments_case;
      DROP INDEX payments_digits;
      CREATE INDEX payments_digits ON payments(digits) WHERE digits IS NOT NULL;
      CREATE INDEX payments_person_name ON payments(kana) WHERE digits IS NULL AND entity IS NULL;
      -- The source lines of an import's new payments, packed (src/payments/raw-lines.ts), and the id of the
      -- first of them; raw_lines_json stays for imports made between versions 7 and 9.
      ALTER TABLE payment_imports ADD COLUMN raw_lines BLOB;
      ALTER TABLE payment_imports ADD COLUMN first_payment_id INTEGER;
      -- Cases a matching run changed (a payment linked or unlinked, the matcher's findings about them new),
      -- to be moved on: re-evaluated, with their notices queued. A statement import commits its payments
      -- and links first and moves the cases on in the next transaction (src/app/payment-matching.ts); a row
      -- left here by a crash in between is moved on by the next matching run or daemon start.
      CREATE TABLE payment_case_moves (
        case_id INTEGER PRIMARY KEY REFERENCES cases(id),
        payment_findings_json TEXT NOT NULL,      -- the matcher's payment findings for the case
        queued_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 10,
    name: 'intake attempts: a mail that crashes, hangs or fails is retried a bounded number of times, then quarantined',
    sql: `
      -- One row per mail the daemon has started on (src/cases/intake-attempts.ts), keyed by the source and the
      -- SHA-256 of its raw bytes (stable when a file is renamed or an IMAP folder renumbered). The attempt is
      -- committed BEFORE the mail is processed: a row still 'processing' at start-up is a mail the previous
      -- process died on (a native crash, out of memory, killed by the watchdog), and that counts.
      CREATE TABLE intake_attempts (
        source TEXT NOT NULL,                     -- folder | imap
        sha256 TEXT NOT NULL,
        ref TEXT NOT NULL,                        -- the source's ref when last seen (file name, UIDVALIDITY:UID)
        state TEXT NOT NULL,                      -- processing | failed | done | quarantined
        attempts INTEGER NOT NULL DEFAULT 0,      -- started since the last success
        reasons_json TEXT NOT NULL DEFAULT '[]',  -- why each failed attempt failed (technical, for staff)
        last_error TEXT,                          -- the reason of the attempt in hand, set by the watchdog before it kills
        started_at TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (source, sha256)
      );
      CREATE INDEX intake_attempts_state ON intake_attempts(state) WHERE state IN ('processing', 'failed');
    `,
  },
  {
    version: 20,
    name: 'workbench: users, web sessions, append-only audit log',
    sql: `
      -- Workbench users (src/cases/users-store.ts): a login, one role, a password as a PHC string.
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        login TEXT NOT NULL UNIQUE COLLATE NOCASE,
        role TEXT NOT NULL,                       -- staff | finance | reviewer | admin
        password_hash TEXT NOT NULL,              -- $scrypt$ln=17,r=8,p=1$<salt>$<hash>
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      -- Web sessions (src/cases/session-store.ts); times in ms since the epoch: the store refuses a session
      -- idle or older than the configured limits.
      CREATE TABLE web_sessions (
        sid TEXT PRIMARY KEY,
        user_id INTEGER REFERENCES users(id),
        data_json TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        last_seen_at INTEGER NOT NULL
      );
      CREATE INDEX web_sessions_user ON web_sessions(user_id);
      CREATE INDEX web_sessions_seen ON web_sessions(last_seen_at);
      -- The key that signs the session cookie, made once per database.
      CREATE TABLE web_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL, created_at TEXT NOT NULL);
      -- Who saw or changed what, when (UTC) and from where (src/cases/audit-log.ts). Append-only.
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        login TEXT,                               -- the user (or the login tried, for a failed login)
        action TEXT NOT NULL,                     -- login.success | login.failure | case.view | field.confirm | …
        case_number TEXT,
        target TEXT,                              -- an attachment id, a field, a user's login
        address TEXT,                             -- the client's IP address
        detail_json TEXT
      );
      CREATE INDEX audit_log_login ON audit_log(login, at);
      CREATE INDEX audit_log_case ON audit_log(case_number, at);
      CREATE INDEX audit_log_action ON audit_log(action, at);
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    `,
  },
  {
    version: 30,
    name: 'findings staff marked handled: kept out of every later evaluation of the case',
    sql: `
      -- Staff findings (and reviewer notes) a person decided on, with why (e.g. a late application accepted):
      -- [{code, field, reason, by, at}]. Every evaluation of the case leaves these out (src/cases/evaluate.ts).
      ALTER TABLE cases ADD COLUMN handled_findings_json TEXT NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 40,
    name: 'finance in the workbench: the uploaded statement kept, payments set aside as not ours or refunded',
    sql: `
      -- The statement file as uploaded, in the content store (relative path), so finance can download it again.
      ALTER TABLE payment_imports ADD COLUMN stored_path TEXT;
      -- A payment finance set aside (not ours, refunded): payments.status becomes 'dismissed', it leaves the
      -- queue and the matcher never reads it again. Why, who and when, here.
      CREATE TABLE payment_dismissals (
        payment_id INTEGER PRIMARY KEY REFERENCES payments(id),
        kind TEXT NOT NULL,                       -- not-ours | refunded
        reason TEXT NOT NULL,
        dismissed_by TEXT NOT NULL,
        dismissed_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 50,
    name: 'the reviewer\'s decision and the register of certified holders',
    sql: `
      -- The four-eyes state of a case under review (src/app/review.ts): {firstApproval: {by, at}} while an
      -- approval waits for a second reviewer; null otherwise.
      ALTER TABLE cases ADD COLUMN review_json TEXT;
      -- Every certified person (src/cases/register-store.ts): the number is unique and never reused.
      CREATE TABLE certified_holders (
        id INTEGER PRIMARY KEY,
        certification_number TEXT NOT NULL UNIQUE,
        qualification TEXT NOT NULL,              -- OMP | CAP
        name TEXT NOT NULL,
        name_kana TEXT,
        valid_from TEXT NOT NULL,                 -- YYYY-MM-DD
        valid_to TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'lapsed', 'revoked')),
        email TEXT,
        source TEXT NOT NULL,                     -- import | case
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX certified_holders_valid_to ON certified_holders(valid_to);
      -- The cases that certified or renewed a holder, with the validity each gave.
      CREATE TABLE holder_cases (
        holder_id INTEGER NOT NULL REFERENCES certified_holders(id),
        case_id INTEGER NOT NULL REFERENCES cases(id),
        role TEXT NOT NULL,                       -- certified | renewed
        valid_from TEXT NOT NULL,
        valid_to TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (holder_id, case_id)
      );
      -- The last sequence number issued per (qualification, year): numbers only ever go up.
      CREATE TABLE certification_sequences (qualification TEXT NOT NULL, year INTEGER NOT NULL, last INTEGER NOT NULL, PRIMARY KEY (qualification, year));
    `,
  },
  {
    version: 60,
    name: 'scheduled job runs: one per job and period, so no period runs twice',
    sql: `
      -- src/app/jobs/: a run is claimed by inserting its (job, period) before it starts; a failed or
      -- interrupted run may be claimed again, a finished one never.
      CREATE TABLE job_runs (
        job TEXT NOT NULL,
        period TEXT NOT NULL,                     -- the occurrence it runs for, Tokyo time (YYYY-MM-DDTHH:MM)
        state TEXT NOT NULL,                      -- running | done | failed | skipped (the first start's baseline)
        attempts INTEGER NOT NULL DEFAULT 1,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        summary TEXT,                             -- what it did, for conken jobs and the digest (no personal data)
        error TEXT,
        PRIMARY KEY (job, period)
      );
      CREATE INDEX job_runs_finished ON job_runs(finished_at);
    `,
  },
  {
    version: 61,
    name: 'retention: when a closed case was purged of personal data',
    sql: `
      -- src/cases/retention-store.ts: a purged case keeps its number, kind, dates, decision and history; its
      -- personal data (application, addresses, mails, attachments, notices' text) are gone.
      ALTER TABLE cases ADD COLUMN purged_at TEXT;
      -- Free text people wrote about a case (a note, the reason a finding was handled or a decision made): kept
      -- beside the append-only events, which refer to it by id, so a purge can remove it and the events stay.
      CREATE TABLE case_texts (
        id INTEGER PRIMARY KEY,
        case_id INTEGER REFERENCES cases(id),
        message_id INTEGER REFERENCES messages(id),
        text TEXT NOT NULL
      );
      CREATE INDEX case_texts_case ON case_texts(case_id);
      CREATE INDEX cases_closed_unpurged ON cases(updated_at) WHERE status IN ('approved', 'rejected') AND purged_at IS NULL;
    `,
  },
  {
    version: 70,
    name: 'the annual CPD audit: recorded draws (append-only) and audit cases',
    sql: `
      -- src/cases/audit-store.ts. A draw is recorded before it is made: the year, the seed, the frozen
      -- population (sorted certification numbers) and its SHA-256; the holders chosen are recorded after.
      -- Neither may change: the database refuses UPDATE and DELETE (like the audit log), so a draw can only
      -- be verified (conken audit verify), never redone.
      CREATE TABLE cpd_audit_draws (
        year INTEGER PRIMARY KEY,                 -- the calendar year whose approved renewals are the population
        seed TEXT NOT NULL,
        seed_source TEXT NOT NULL,                -- admin (entered) | generated (crypto random)
        population_json TEXT NOT NULL,            -- the sorted certification numbers
        population_count INTEGER NOT NULL,
        population_sha256 TEXT NOT NULL,
        window_from TEXT NOT NULL,                -- ISO instants: renewals approved in [from, to)
        window_to TEXT NOT NULL,
        sample_size INTEGER NOT NULL,
        sample_rule TEXT NOT NULL,                -- e.g. share 0.1 / count 20, as the rules said
        drawn_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL
      );
      CREATE TABLE cpd_audit_selections (
        year INTEGER NOT NULL REFERENCES cpd_audit_draws(year),
        rank INTEGER NOT NULL,                    -- 1 = the smallest SHA-256(seed || number)
        certification_number TEXT NOT NULL,
        draw_key TEXT NOT NULL,                   -- that SHA-256, hex
        selected_at TEXT NOT NULL,
        PRIMARY KEY (year, rank),
        UNIQUE (year, certification_number)
      );
      CREATE TRIGGER cpd_audit_draws_no_update BEFORE UPDATE ON cpd_audit_draws BEGIN SELECT RAISE(ABORT, 'recorded audit draws are append-only'); END;
      CREATE TRIGGER cpd_audit_draws_no_delete BEFORE DELETE ON cpd_audit_draws BEGIN SELECT RAISE(ABORT, 'recorded audit draws are append-only'); END;
      CREATE TRIGGER cpd_audit_selections_no_update BEFORE UPDATE ON cpd_audit_selections BEGIN SELECT RAISE(ABORT, 'recorded audit draws are append-only'); END;
      CREATE TRIGGER cpd_audit_selections_no_delete BEFORE DELETE ON cpd_audit_selections BEGIN SELECT RAISE(ABORT, 'recorded audit draws are append-only'); END;

      -- One audit case per holder chosen: its own aggregate (src/cases/audit-transition.ts decides, the
      -- audit store writes), numbered from case_sequences like the cases (prefix from rules/audit.yaml).
      CREATE TABLE cpd_audits (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL UNIQUE,
        year INTEGER NOT NULL REFERENCES cpd_audit_draws(year),
        certification_number TEXT NOT NULL,
        holder_id INTEGER REFERENCES certified_holders(id),
        address TEXT,                             -- where the request went (the register's e-mail), null: none
        state TEXT NOT NULL,                      -- requested | received | complete | overdue
        deadline TEXT NOT NULL,                   -- YYYY-MM-DD, Tokyo
        request_message_id TEXT,                  -- our Message-IDs: a reply's In-Reply-To/References find the audit
        reminder_message_id TEXT,
        reminded_at TEXT,
        first_reply_at TEXT,
        outcome TEXT,                             -- passed | failed | waived (null: not decided)
        outcome_by TEXT,
        outcome_reason TEXT,
        outcome_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (year, certification_number)
      );
      CREATE INDEX cpd_audits_state ON cpd_audits(state) WHERE outcome IS NULL;
      CREATE TABLE cpd_audit_events (
        id INTEGER PRIMARY KEY,
        audit_id INTEGER NOT NULL REFERENCES cpd_audits(id),
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        type TEXT NOT NULL,
        data_json TEXT
      );
      CREATE INDEX cpd_audit_events_audit ON cpd_audit_events(audit_id);
      CREATE TRIGGER cpd_audit_events_no_update BEFORE UPDATE ON cpd_audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
      CREATE TRIGGER cpd_audit_events_no_delete BEFORE DELETE ON cpd_audit_events BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
      -- The holder's replies (stored messages; their attachments are the evidence).
      CREATE TABLE cpd_audit_messages (
        audit_id INTEGER NOT NULL REFERENCES cpd_audits(id),
        message_id INTEGER NOT NULL REFERENCES messages(id),
        PRIMARY KEY (audit_id, message_id)
      );
      CREATE INDEX cpd_audits_request ON cpd_audits(request_message_id);
      CREATE INDEX cpd_audits_reminder ON cpd_audits(reminder_message_id);
    `,
  },
  {
    version: 71,
    name: 'a holder recorded revoked, lapsed or active again by a reviewer, with the reason',
    sql: `
      -- src/cases/register-store.ts setStatus: each change of a holder's recorded state (the holder's history
      -- shows it). The reason is free text about a person: here, not in the audit log, which names the change only.
      CREATE TABLE holder_status_changes (
        id INTEGER PRIMARY KEY,
        holder_id INTEGER NOT NULL REFERENCES certified_holders(id),
        at TEXT NOT NULL,
        by TEXT NOT NULL,
        previous TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('active', 'lapsed', 'revoked')),
        reason TEXT NOT NULL
      );
      CREATE INDEX holder_status_changes_holder ON holder_status_changes(holder_id);
    `,
  },
];
