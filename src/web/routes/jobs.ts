// The admin's jobs page (SPEC §6, the office's calendar): every scheduled job with its schedule in Tokyo time,
// its last and next run, its recent runs and failures, and a "run now" form that calls the same entry point as
// `conken jobs run` (src/app/jobs/run-job.ts). A dry run shows what the job would do and changes nothing. Every
// run asked for here is audited, dry or not.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { JOBS } from '../../app/jobs/index.ts';
import { duePeriod, jobStatuses, type JobRunOutcome } from '../../app/jobs/job-runner.ts';
import { JobRequestError, runJobByHand } from '../../app/jobs/run-job.ts';
import type { JobRunRow } from '../../cases/job-runs-store.ts';
import { tokyoDateTime } from '../labels.ts';

const RECENT = 10;

const STATE_LABELS: Record<string, string> = { running: '実行中', done: '完了', failed: '失敗', skipped: '初回起動のため省略' };
const WEEKDAYS = ['日', '月', '火', '水', '木', '金', '土'];

/** A cron expression in words, for the common shapes our schedules take; null when it is not one of them. */
export function cronInWords(expression: string): string | null {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) return null;
  const [minute, hour, dom, month, dow] = parts as [string, string, string, string, string];
  const num = (s: string) => /^\d{1,2}$/.test(s);
  if (!num(minute)) return null;
  const mm = minute.padStart(2, '0');
  if (hour === '*' && dom === '*' && month === '*' && dow === '*') return `毎時${Number(minute)}分`;
  if (!num(hour)) return null;
  const time = `${Number(hour)}:${mm}`;
  if (dom === '*' && month === '*') {
    if (dow === '*') return `毎日 ${time}`;
    if (dow === '1-5') return `平日（月〜金）${time}`;
    if (/^[0-7](,[0-7])*$/.test(dow)) return `毎週${dow.split(',').map((d) => WEEKDAYS[Number(d) % 7]).join('・')}曜日 ${time}`;
    return null;
  }
  if (dow !== '*' || !num(dom)) return null;
  if (month === '*') return `毎月${Number(dom)}日 ${time}`;
  if (num(month)) return `毎年${Number(month)}月${Number(dom)}日 ${time}`;
  return null;
}

/** A period key (Tokyo wall time, 2027-01-01T10:00) as the page writes it. */
function periodLabel(period: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(period) ? `${period.slice(0, 10).replace(/-/g, '/')} ${period.slice(11)}` : period;
}

// The digest's summary: a list of counts, which grows as the digest learns to say more.
const DIGEST_COUNTS: Record<string, string> = {
  'new cases': '新しい案件', 'waiting exceptions': '滞留中の要対応', 'payments to check': '確認が必要な入金', 'mails retrying': '再送中のメール',
  'failed jobs': '失敗したジョブ', 'letters to print': '印刷待ちの郵送通知', 'CPD audits to check': '要対応のCPD監査',
};

// The jobs record their summaries as one English line (for the logs and `conken jobs`); the page says them in
// Japanese where it knows the line, and shows any other line as it is.
const SUMMARIES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^(\d+) payments linked, (\d+) cases moved on$/, (m) => `入金 ${m[1]}件を申請に照合、案件 ${m[2]}件が次の段階へ`],
  [/^(\d+) unlinked payments would be matched again$/, (m) => `未照合の入金 ${m[1]}件を照合し直します`],
  [/^(\d+) reminders due$/, (m) => `入金のお願い ${m[1]}件が送信対象です`],
  [/^(\d+) reminders queued$/, (m) => `入金のお願い ${m[1]}件を送信待ちにしました`],
  [/^not in the renewal window: no reminders$/, () => '更新申請の受付期間外のため、ご案内はありません'],
  [/^(\d+) (first|second) renewal reminders due$/, (m) => `更新申請のご案内（${m[2] === 'first' ? '受付開始' : '締切前'}）${m[1]}件が送信対象です`],
  [/^(\d+) (first|second) renewal reminders queued$/, (m) => `更新申請のご案内（${m[2] === 'first' ? '受付開始' : '締切前'}）${m[1]}件を送信待ちにしました`],
  [/^nothing needs staff: no digest$/, () => '対応の必要な事項がないため、まとめメールは送りません'],
  [/^digest: (.+)$/, (m) => `まとめメール：${m[1]!.split(', ').map((part) => {
    const count = /^(\d+) (.+)$/.exec(part);
    return count && DIGEST_COUNTS[count[2]!] ? `${DIGEST_COUNTS[count[2]!]} ${count[1]}件` : part;
  }).join('、')}`],
  [/^(\d+) closed cases would be purged$/, (m) => `保存期間を過ぎた案件 ${m[1]}件の個人情報を削除します`],
  [/^no closed case past the retention period$/, () => '保存期間を過ぎた案件はありません'],
  [/^(\d+) closed cases purged, (\d+) files deleted$/, (m) => `案件 ${m[1]}件の個人情報を削除、ファイル ${m[2]}件を削除`],
  [/^(\d+) closed cases purged, (\d+) files deleted, (\d+) audits purged$/, (m) => `案件 ${m[1]}件とCPD監査 ${m[3]}件の個人情報を削除、ファイル ${m[2]}件を削除`],
  [/^(\d+) closed cases would be purged, (\d+) audits$/, (m) => `保存期間を過ぎた案件 ${m[1]}件とCPD監査 ${m[2]}件の個人情報を削除します`],
  [/^(\d+) closed cases purged, (\d+) files deleted(?:, (\d+) audits purged)?, (\d+) statement files deleted$/, (m) => `案件 ${m[1]}件${m[3] ? `とCPD監査 ${m[3]}件` : ''}の個人情報を削除、ファイル ${m[2]}件と保存期間を過ぎた入金明細ファイル ${m[4]}件を削除`],
  [/^(\d+) closed cases would be purged(?:, (\d+) audits)?, (\d+) statement files$/, (m) => `保存期間を過ぎた案件 ${m[1]}件${m[2] ? `とCPD監査 ${m[2]}件` : ''}の個人情報と入金明細ファイル ${m[3]}件を削除します`],
  [/^first start: earlier periods are not run$/, () => '初回起動：それ以前の回は実行しません'],
  [/^(\d{4}): drawn already \((.+)\), nothing to do$/, (m) => `${m[1]}年分は抽選済みです（${m[2]}）`],
  [/^(\d{4}): (\d+) of (\d+) renewals would be drawn \(population sha256 (\w+)…\)$/, (m) => `${m[1]}年分：更新 ${m[3]}件から ${m[2]}件を抽選します（母集団 SHA-256 ${m[4]}…）`],
  [/^(\d{4}): (\d+) of (\d+) renewals drawn( \(recorded draw finished\))?, (\d+) requests queued; seed (\w+), population sha256 (\w+)$/,
    (m) => `${m[1]}年分：更新 ${m[3]}件から ${m[2]}件を抽選${m[4] ? '（記録済みの抽選を完了）' : ''}、書類提出のお願い ${m[5]}件を送信待ちにしました（シード ${m[6]}、母集団 SHA-256 ${m[7]}）`],
  [/^(\d+) audit reminders, (\d+) audits overdue$/, (m) => `CPD監査：提出期限前のご案内 ${m[1]}件、期限切れ ${m[2]}件`],
];

export function summaryInWords(summary: string | null | undefined): string {
  if (!summary) return '';
  const dry = summary.startsWith('[dry run] ');
  const line = dry ? summary.slice('[dry run] '.length) : summary;
  for (const [re, say] of SUMMARIES) {
    const m = re.exec(line);
    if (m) return `${dry ? '（試行）' : ''}${say(m)}`;
  }
  return summary;
}

function runView(r: Pick<JobRunRow, 'period' | 'state' | 'started_at' | 'finished_at' | 'summary' | 'error'> & { attempts?: number }) {
  return {
    period: r.period, periodLabel: periodLabel(r.period), state: r.state, stateLabel: STATE_LABELS[r.state] ?? r.state,
    started: tokyoDateTime(r.started_at), startedAt: r.started_at, finished: tokyoDateTime(r.finished_at), finishedAt: r.finished_at,
    summary: summaryInWords(r.summary), error: r.error, attempts: r.attempts ?? null,
  };
}

/** What a run asked for on this page came to, for the panel at the top of the page. */
function outcomeView(o: JobRunOutcome, dryRun: boolean) {
  const detail = o.result?.detail;
  return {
    job: o.job, period: o.period, periodLabel: periodLabel(o.period), dryRun, ran: o.ran, error: o.error ?? null,
    summary: o.result ? summaryInWords(o.result.summary) : '',
    // The detail holds case and certification numbers or a digest's text, never a name: shown as the job gave it.
    detail: detail === undefined ? null : typeof detail === 'string' ? detail : JSON.stringify(detail, null, 2),
  };
}

export function registerJobsRoutes(server: FastifyInstance): void {
  const wb = server.workbench;

  function jobsPage(request: FastifyRequest, reply: FastifyReply, extra: { outcome?: ReturnType<typeof outcomeView>; error?: string; form?: { job: string; period: string; dryRun: boolean } } = {}, status = 200) {
    const now = new Date();
    const jobs = jobStatuses(wb.app, JOBS, now).map((s) => {
      const recent = wb.app.jobRuns.recentRuns(s.name, RECENT).map(runView);
      return {
        name: s.name, description: s.description, schedule: s.schedule, scheduleWords: cronInWords(s.schedule),
        last: s.last ? runView(s.last) : null,
        next: s.next ? tokyoDateTime(s.next) : null, nextAt: s.next,
        // The latest run's error stands beside it already; the list is of the failures before it.
        recent, failures: recent.filter((r) => r.state === 'failed' && r.period !== s.last?.period),
        due: JOBS.find((j) => j.name === s.name) ? duePeriod(wb.app, JOBS.find((j) => j.name === s.name)!, now) : null,
      };
    });
    return wb.page(request, reply, 'jobs', {
      title: '定期ジョブ', jobs, outcome: extra.outcome ?? null, error: extra.error ?? null, form: extra.form ?? null,
    }, status);
  }

  server.get('/admin/jobs', { config: { roles: ['admin'] } }, async (request, reply) => jobsPage(request, reply));

  server.post<{ Params: { name: string }; Body: { period?: string; dryRun?: string } }>('/admin/jobs/:name/run', { config: { roles: ['admin'] } }, async (request, reply) => {
    const name = request.params.name;
    const period = String(request.body?.period ?? '').normalize('NFKC').trim().replace(' ', 'T');
    const dryRun = request.body?.dryRun === 'on' || request.body?.dryRun === '1';
    const form = { job: name, period, dryRun };
    try {
      const outcome = await runJobByHand(wb.app, name, { period: period || null, dryRun });
      wb.record(request, dryRun ? 'job.dry-run' : 'job.run', {
        target: name, detail: { period: outcome.period, ran: outcome.ran, outcome: outcome.error ? 'failed' : outcome.ran ? 'done' : 'already-ran', summary: outcome.result?.summary ?? null },
      });
      return jobsPage(request, reply, { outcome: outcomeView(outcome, dryRun), form });
    } catch (error) {
      if (!(error instanceof JobRequestError)) throw error;
      return jobsPage(request, reply, { error: error.message, form }, error.code === 'unknown-job' ? 404 : 422);
    }
  });
}
