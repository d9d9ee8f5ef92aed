// The reader seam: one reader per file type turns bytes into the document model.
import type { DocumentModel } from '../document.ts';
import type { FileProblem, FileType } from '../../shared/file-type.ts';

export interface DocumentReader {
  /** File types (detected from the bytes) this reader handles. */
  types: readonly FileType[];
  read(bytes: Uint8Array, filename: string): Promise<DocumentModel>;
}

/**
 * The file is of a type we read, but this copy cannot be read (corrupt, protected, truncated, too large).
 * The message is for staff; `problem` is what the applicant is told (never the message: it may carry a
 * library's words).
 */
export class UnreadableFileError extends Error {
  readonly problem: FileProblem;
  constructor(message: string, problem: FileProblem = 'damaged') {
    super(message);
    this.problem = problem;
  }
}
