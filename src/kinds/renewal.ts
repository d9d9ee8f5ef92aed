// The renewal application (更新審査申請, SPEC §3) as a form kind.
import { eraseKind } from './form-kind.ts';
import { renewalMapper, type CpdRow, type RenewalApplication } from '../extract/forms/renewal.ts';
import { renewalValidator } from '../validate/renewal.ts';
import { summariseRenewal } from '../outbound/summaries/renewal.ts';

const cpdRow = (row: Record<string, unknown>): string => {
  const r = row as unknown as CpdRow;
  return `${r.grid} #${r.rowInGrid}: ${r.completedOn ?? '-'} ${r.hours ?? '-'}h ${r.points ?? '-'}pt  ${r.title ?? ''}`;
};

export const renewalKind = eraseKind<RenewalApplication, Parameters<typeof renewalValidator.validate>[1]>({
  kind: 'renewal',
  mapper: renewalMapper,
  validator: renewalValidator,
  summarise: summariseRenewal,
  fieldLabels: {},
  findingCodes: [
    'field.missing', 'field.invalid', 'field.unconfirmed', 'qualification.none', 'qualification.multiple', 'ethics.not-agreed',
    'cpd.insufficient', 'cpd.row-incomplete', 'cpd.row-out-of-period', 'cpd.points-exceed-hours', 'cpd.stated-total-mismatch', 'cpd.cap-applied',
    'proof.missing', 'window.outside',
  ],
  paymentKey: (app) => renewalValidator.paymentKey(app),
  companyKana: (app) => app.companyKana,
  rowLists: { cpd: cpdRow },
});
