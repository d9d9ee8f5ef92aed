// Summariser registry: a new form kind adds its reviewer summary here.
import { summariseRenewal } from './renewal.ts';
import { summariseCertification } from './certification.ts';
import { labelValueTable, type Summariser } from './summary.ts';

const SUMMARISERS: Record<string, Summariser> = {
  renewal: summariseRenewal,
  certification: summariseCertification,
};

/** Fallback for a kind without its own summary: every scalar field as it was read. */
const generic: Summariser = (application) => ({
  fieldsTable: labelValueTable(Object.entries(application)
    .filter(([k, v]) => !['sources', 'invalid', 'kind'].includes(k) && (v === null || typeof v !== 'object'))
    .map(([k, v]) => [k, v === null ? '（空欄）' : String(v)])),
  cpdTable: '',
});

export function summariserFor(kind: string): Summariser {
  return SUMMARISERS[kind] ?? generic;
}
