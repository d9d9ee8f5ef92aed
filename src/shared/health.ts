// What a connected component (the IMAP source, the SMTP transport) tells `conken status`.

export interface Health {
  /** e.g. connected, idle, connecting, disconnected, ok, failing. */
  state: string;
  /** Mails waiting at this component (IMAP: not yet handled; SMTP: not applicable). */
  backlog?: number;
  lastError: string | null;
  lastErrorAt: string | null;
  /** Anything else worth showing; never personal data. */
  detail?: Record<string, unknown>;
}
