// The case columns the matcher reads, derived from the application: the payment key (passer digits, name in
// kana, declared transfer name), the company for bulk transfers, and the fee expected. Written with every
// decision that reads a form (a mail, a reply, a confirmed value), so the matcher never parses applications.
import type { App } from './context.ts';
import type { ApplicationBase } from '../extract/forms/form-kind.ts';
import type { CaseColumns } from '../cases/case-writer.ts';
import { openCaseFor } from './analyse-mail.ts';
import { formKind } from '../kinds/index.ts';

export function paymentKeyColumns(app: App, caseId: number, kind: string, application: ApplicationBase | null): CaseColumns {
  const key = application ? openCaseFor(app, caseId, kind, application) : null;
  return {
    payment_digits: key?.digits ?? null,
    payment_kana: key?.kana ?? null,
    payment_declared: key?.declaredTransferName ?? null,
    payment_company: application ? formKind(kind)?.companyKana(application) ?? null : null,
    expected_amount: app.rules.kinds[kind]?.fee ?? null,
  };
}
