// Reader registry (loaded by the reading worker, isolated-worker.ts): a new file type is one reader added
// here, and its type added to the parsed types of extract-file.ts.
import type { FileType } from '../../shared/file-type.ts';
import { docxReader } from './docx.ts';
import { pdfReader } from './pdf.ts';
import type { DocumentReader } from './reader.ts';

export const READERS: readonly DocumentReader[] = [docxReader, pdfReader];

export function readerFor(type: FileType): DocumentReader | undefined {
  return READERS.find((r) => r.types.includes(type));
}

export { UnreadableFileError, type DocumentReader } from './reader.ts';
