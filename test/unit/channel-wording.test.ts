// Every notice an applicant can receive reads right on paper: rendered for a letter (channel 'post', the templates'
// byPost sections) it never tells to reply to a mail or attach files, it tells to post to the association's address
// printed on the letter; rendered for a mail (the default) it still says how to reply to the mail. The real
// templates in mail-templates/, through composeNotice as the outbox composes them.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/harness.ts';
import { Templates } from '../../src/outbound/templates.ts';
import { composeNotice, type NoticeContext } from '../../src/outbound/compose.ts';
import { NOTICE_NAMES } from '../../src/cases/transition.ts';
import { finding } from '../../src/validate/findings.ts';

const templates = Templates.load(path.join(ROOT, 'mail-templates'));
const APPLICANT = NOTICE_NAMES.filter((n) => templates.audienceOf(n) === 'applicant');

function context(channel?: 'mail' | 'post'): NoticeContext {
  return {
    caseNumber: 'R-2026-000042', kind: 'renewal', kindLabel: 'プロフェッショナル資格 更新審査申請', fee: 11000, applicantName: '今田 健太郎',
    receivedDate: '2026-01-20', findings: [finding('field.missing', 'applicant', '■申請日が未記入です。ご記入ください。', { field: 'applicationDate' }), finding('review.question', 'reviewer', 'D-1の活動の内容を教えてください。')],
    application: null, computed: {}, attachments: [], paymentSummary: '', status: 'missing-items',
    extra: { view: { reason: '要件を満たしていません', reasonText: '', certificationNumber: 'OMP-2026-0001', qualification: 'OMP', qualificationName: 'オペレーションマネジメントプロフェショナル', validFrom: '2026年4月1日', validTo: '2029年3月31日' } },
    ...(channel ? { channel } : {}),
  };
}
const addressing = { from: 'conken@example.jp', to: 'a@example.jp', messageId: '<x@example.jp>', thread: [] };

describe('applicant notices worded for the channel', () => {
  it('covers every applicant notice', () => {
    expect(APPLICANT).toEqual(['acknowledgement', 'missing-items', 'awaiting-payment', 'accepted', 'payment-reminder', 'review-approved', 'review-rejected', 'review-question']);
  });

  it.each(APPLICANT)('%s on paper: no mail to reply to, no files to attach; where to write is the letter’s sender block', (name) => {
    const letter = composeNotice(templates, name, context('post'), addressing).text;
    expect(letter).not.toMatch(/メール|返信|添付/);
    expect(letter).toContain('本状右上に記載');
    expect(letter).toContain('R-2026-000042');
  });

  it.each(APPLICANT)('%s by mail: the mail wording, the same as with no channel given', (name) => {
    const mail = composeNotice(templates, name, context('mail'), addressing).text;
    expect(mail).toBe(composeNotice(templates, name, context(), addressing).text);
    expect(mail).toContain('このメール');
    expect(mail).not.toContain('本状');
  });

  it('a mail to a paper applicant (appliedByPost) says the paper form came, and how to reply by mail', () => {
    const mail = composeNotice(templates, 'acknowledgement', { ...context('mail'), appliedByPost: true }, addressing).text;
    expect(mail).toContain('郵送でお送りいただいた申請書を2026年1月20日に受け付けました。');
    expect(mail).toContain('このメールに返信するか');
    expect(composeNotice(templates, 'acknowledgement', context('mail'), addressing).text).toContain('2026年1月20日にお送りいただいたメールを受け付けました。');
  });

  it('the office’s own mails (no channel) keep the mail signature', () => {
    const digest = templates.render('audit-passed', { name: '今田 健太郎', qualificationLabel: 'OMP', certificationNumber: 'OMP-2026-0001', auditNumber: 'A-2028-000001', year: '2028' }).text;
    expect(digest).toContain('※このメールは送信専用ではありません。');
  });
});
