// An outbound mail as the outbox stores it: everything needed to build the same message again on a
// retry, including its stable Message-ID. Attachments are references into the content store.

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  attachments?: { filename: string; storePath: string; contentType?: string }[];
  /** RFC 3834: our mails are automatic, so other robots do not answer them. */
  headers: Record<string, string>;
}

