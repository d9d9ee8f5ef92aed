// The annual CPD audit's draw (issue 18, form 001: 「年次毎の監査対象者に選ばれた場合は…」), pure: the same
// seed and population always give the same holders, and anyone can check it by hand:
//   population hash  = SHA-256 of the sorted certification numbers joined by "\n" (UTF-8)
//   a holder's key   = SHA-256 of the seed immediately followed by the certification number (UTF-8)
//   the sample       = the `size` holders with the smallest keys (hex order; ties, impossible in practice,
//                      by number)
// e.g. `printf '%s%s' "$SEED" OMP-2024-0001 | sha256sum`. Never Math.random: the seed is the only chance,
// and it is recorded before the draw (src/app/audit.ts).
import { createHash } from 'node:crypto';

export type SampleRule = { share: number; minimum?: number } | { count: number };

/** Certification numbers as the draw sees them: NFKC, no spaces, upper case, each once, sorted. */
export function canonicalPopulation(numbers: Iterable<string>): string[] {
  const set = new Set<string>();
  for (const n of numbers) set.add(n.normalize('NFKC').replace(/\s/g, '').toUpperCase());
  set.delete('');
  // Code-unit order: the same in every locale and every language a checker may use.
  return [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function populationHash(sorted: readonly string[]): string {
  return createHash('sha256').update(sorted.join('\n'), 'utf8').digest('hex');
}

export function drawKey(seed: string, certificationNumber: string): string {
  return createHash('sha256').update(`${seed}${certificationNumber}`, 'utf8').digest('hex');
}

/** How many holders a rule chooses from a population of n (never more than n). */
export function sampleSize(rule: SampleRule, n: number): number {
  if (n === 0) return 0;
  if ('count' in rule) return Math.min(rule.count, n);
  return Math.min(n, Math.max(rule.minimum ?? 1, Math.ceil(rule.share * n)));
}

export function describeRule(rule: SampleRule): string {
  return 'count' in rule ? `count ${rule.count}` : `share ${rule.share}${rule.minimum !== undefined ? ` (minimum ${rule.minimum})` : ''}`;
}

export interface DrawnHolder {
  rank: number;
  certificationNumber: string;
  key: string;
}

/** The holders with the smallest SHA-256(seed ‖ number), smallest first. */
export function drawSample(seed: string, population: readonly string[], size: number): DrawnHolder[] {
  if (!seed) throw new Error('a draw needs a seed');
  return population
    .map((certificationNumber) => ({ certificationNumber, key: drawKey(seed, certificationNumber) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.certificationNumber < b.certificationNumber ? -1 : 1))
    .slice(0, size)
    .map((h, i) => ({ rank: i + 1, ...h }));
}
