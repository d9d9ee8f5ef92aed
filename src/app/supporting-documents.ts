// A case's supporting documents as the validators see them, rebuilt from the stored attachments.
import type { AttachmentRow } from '../cases/case-store.ts';
import type { DocumentFacts } from '../extract/documents/document-facts.ts';
import type { SupportingDocument } from '../validate/validator.ts';

export function supportingDocuments(rows: readonly AttachmentRow[]): SupportingDocument[] {
  return rows
    .filter((a) => a.role === 'document')
    // Attachments stored before facts were recorded count as proofs whose content was not read.
    .map((a) => ({ filename: a.filename, facts: a.facts_json ? (JSON.parse(a.facts_json) as DocumentFacts) : { kind: 'proof', read: false } }));
}
