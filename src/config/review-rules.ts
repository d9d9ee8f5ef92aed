// rules/review.yaml: what the reviewer's decision reads (src/app/review.ts) — the reasons a rejection may
// give, the four-eyes option, the pattern of new certification numbers and the qualifications' names as
// the certificate prints them. Validated with zod at start-up like every rule file.
import { z } from 'zod';

export const reviewRulesSchema = z.object({
  /** An approval takes effect only when a second, different reviewer confirms it. */
  requireSecondApproval: z.boolean().default(false),
  /** The reasons a rejection may give: a stable code and the words the applicant reads. */
  rejectionReasons: z.array(z.object({ code: z.string().regex(/^[a-z0-9-]+$/), label: z.string().min(1) }).strict()).min(1),
  certificationNumber: z.object({
    /**
     * Numbers of initial certifications: {qualification}, {year} (the first fiscal year of the validity)
     * and {seq:N} (the sequence of that qualification and year, N digits at least). E.g. OMP-2026-0001.
     */
    pattern: z.string().regex(/\{seq(:\d)?\}/, 'the pattern needs {seq} or {seq:N}'),
  }).strict(),
  /** Each qualification's full name as the certificate and the register show it. */
  qualifications: z.record(z.string().regex(/^[A-Z]+$/), z.object({ name: z.string().min(1) }).strict()),
}).strict();
export type ReviewRules = z.infer<typeof reviewRulesSchema>;

export const DEFAULT_REVIEW_RULES: ReviewRules = {
  requireSecondApproval: false,
  rejectionReasons: [{ code: 'requirements-not-met', label: '認定要件を満たしていないため' }],
  certificationNumber: { pattern: '{qualification}-{year}-{seq:4}' },
  qualifications: {
    OMP: { name: 'コンタクトセンター・オペレーションマネジメントプロフェッショナル' },
    CAP: { name: 'コンタクトセンター・アーキテクチャプロフェッショナル' },
  },
};

/** A new certification number from the pattern. */
export function formatCertificationNumber(pattern: string, qualification: string, year: number, seq: number): string {
  return pattern
    .replaceAll('{qualification}', qualification)
    .replaceAll('{year}', String(year))
    .replace(/\{seq(?::(\d))?\}/g, (_, width: string | undefined) => String(seq).padStart(Number(width ?? 1), '0'));
}
