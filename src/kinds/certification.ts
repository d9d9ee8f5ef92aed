// The initial certification (資格認定申請, SPEC §4) as a form kind.
import { eraseKind } from './form-kind.ts';
import { certificationMapper, type CertificationApplication, type ExperienceRow, type SubstitutionRow } from '../extract/forms/certification.ts';
import { CERTIFICATION_FIELD_LABELS, certificationValidator } from '../validate/certification.ts';
import { summariseCertification } from '../outbound/summaries/certification.ts';

const experienceRow = (row: Record<string, unknown>): string => {
  const r = row as unknown as ExperienceRow;
  return `#${r.rowInGrid}: 分野${r.field ?? '-'} ${r.from ?? '-'}〜${r.ongoing ? '現在' : r.to ?? '-'} ${r.years ?? '-'}年  ${r.organization ?? ''}`;
};
const substitutionRow = (row: Record<string, unknown>): string => {
  const r = row as unknown as SubstitutionRow;
  return `#${r.rowInGrid}: ${r.obtainedOn ?? '-'} ${r.years ?? '-'}年  ${r.title ?? ''}`;
};

export const certificationKind = eraseKind<CertificationApplication, Parameters<typeof certificationValidator.validate>[1]>({
  kind: 'certification',
  mapper: certificationMapper,
  validator: certificationValidator,
  summarise: summariseCertification,
  fieldLabels: CERTIFICATION_FIELD_LABELS,
  findingCodes: [
    'field.missing', 'field.invalid', 'field.unconfirmed', 'qualification.none', 'qualification.multiple',
    'exam-report.missing', 'exam-report.expired', 'exam-report.mismatch', 'exam-report.unread',
    'experience.total-short', 'experience.fields-too-few', 'experience.required-field-short', 'experience.row-incomplete', 'experience.stated-total-mismatch',
    'substitution.over-limit', 'certifier.missing', 'certifier.unsigned', 'oath.not-agreed', 'oath.unsigned', 'signature.typed',
  ],
  paymentKey: (app) => certificationValidator.paymentKey(app),
  companyKana: (app) => app.companyKana,
  rowLists: { experience: experienceRow, substitutions: substitutionRow },
});
