// Plain-text rendering for the CLI (staff read it in a terminal; --json is for machines).
import type { CaseRow } from '../cases/case-store.ts';
import type { Finding } from '../validate/findings.ts';

const AUDIENCE: Record<string, string> = { applicant: '申請者', staff: '事務局', reviewer: '審査' };

export function findingLines(findings: readonly Finding[], indent = '    '): string[] {
  return findings.map((f) => `${indent}[${AUDIENCE[f.audience] ?? f.audience}] ${f.code}${f.row ? ` (row ${f.row})` : ''}: ${f.message}`);
}

export function caseLine(c: CaseRow): string {
  return `${c.number}  ${c.kind.padEnd(13)} ${c.status.padEnd(17)} received ${c.received_at.slice(0, 10)}`;
}

/** The JSON shape of a finding (stable keys, as SPEC §8 lists them). */
export function findingJson(f: Finding): { code: string; field: string | null; row: number | null; audience: string; message: string } {
  return { code: f.code, field: f.field ?? null, row: f.row ?? null, audience: f.audience, message: f.message };
}
