// A reviewer records a holder revoked (取消), lapsed (失効) or active again, with a reason: the app function
// (src/app/register.ts setHolderStatus) against a real SQLite file, its refusals, the holder's history, the
// audit log (the change, never the reason), what it means downstream (no renewal reminder, a renewal from
// them is a staff finding), and `conken registry set-status` calling the same function.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataEnv, harness, mail, SAMPLES, type Harness } from '../support/harness.ts';
import { conken } from '../support/cli.ts';
import { HolderStatusError, importRegister, setHolderStatus, showHolder } from '../../src/app/register.ts';
import { runJob } from '../../src/app/jobs/job-runner.ts';
import { jobNamed } from '../../src/app/jobs/index.ts';
import { periodKey } from '../../src/app/jobs/schedule.ts';

let h: Harness | undefined;
afterEach(() => h?.close());

const REASON = '協会理事会の決定により取消（2026年11月の理事会議事録 第3号）';
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HolderStatusError);
    return (error as Error).message;
  }
  throw new Error('not refused');
};

describe('recording a holder revoked, lapsed or active again', () => {
  it('records the state with who and why in the holder\'s history; audits the change without the reason; refuses what makes no sense', async () => {
    h = harness();
    const app = h.app;
    importRegister(app, path.join(SAMPLES, 'registry.csv'));
    const at = new Date('2026-12-06T03:00:00Z');

    // Refused, nothing written: no reason, an unknown number, a state that is not recorded, the state it has.
    expect(refusal(() => setHolderStatus(app, 'OMP-2023-0123', { status: 'revoked', reason: '  ', by: 'reviewer:ito' }, at))).toBe('理由を入力してください');
    expect(refusal(() => setHolderStatus(app, 'OMP-2099-0001', { status: 'revoked', reason: REASON, by: 'reviewer:ito' }, at))).toBe('認定番号 OMP-2099-0001 は登録されていません');
    expect(refusal(() => setHolderStatus(app, 'OMP-2023-0123', { status: 'expired' as never, reason: REASON, by: 'reviewer:ito' }, at))).toContain('状態は active（有効） / lapsed（失効） / revoked（取消）');
    expect(refusal(() => setHolderStatus(app, 'OMP-2023-0123', { status: 'active', reason: REASON, by: 'reviewer:ito' }, at))).toContain('既に「有効」として記録されています');
    // The confirmation step's check writes nothing either.
    expect(setHolderStatus(app, 'OMP-2023-0123', { status: 'revoked', reason: REASON, by: 'reviewer:ito', dryRun: true }, at)).toMatchObject({ previous: 'active', status: 'revoked' });
    expect(showHolder(app, 'OMP-2023-0123')!).toMatchObject({ holder: { recorded_status: 'active' }, statusChanges: [] });
    expect(app.db.prepare("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'register.set-status'").get()).toEqual({ n: 0 });

    // Revoked (the number typed in full width, as a person might): recorded, in the history, audited.
    expect(setHolderStatus(app, 'ｏｍｐ－２０２３－０１２３', { status: 'revoked', reason: `  ${REASON}\n`, by: 'reviewer:ito', address: '127.0.0.1' }, at))
      .toEqual({ certificationNumber: 'OMP-2023-0123', previous: 'active', status: 'revoked', statusToday: 'revoked' });
    const d = showHolder(app, 'OMP-2023-0123')!;
    expect(d.holder).toMatchObject({ status: 'revoked', recorded_status: 'revoked' });
    expect(d.statusChanges).toEqual([{ at: at.toISOString(), by: 'reviewer:ito', previous: 'active', status: 'revoked', reason: REASON }]);
    const audit = app.db.prepare("SELECT login, action, target, address, detail_json, case_number FROM audit_log WHERE action = 'register.set-status'").all();
    expect(audit).toEqual([{ login: 'reviewer:ito', action: 'register.set-status', target: 'OMP-2023-0123', address: '127.0.0.1', case_number: null, detail_json: JSON.stringify({ from: 'active', to: 'revoked' }) }]);
    // The reason is free text about a person: nowhere in the audit log.
    expect(JSON.stringify(app.db.prepare('SELECT * FROM audit_log').all())).not.toContain('理事会');

    // What revoked means downstream. The renewal window for validities ending 2026-03-31 opens on 1 January
    // 2026: every other active holder with an address is reminded, the revoked one is not.
    const day = new Date('2026-01-01T10:00:00+09:00');
    const r = await runJob(app, jobNamed('renewal-reminders')!, periodKey(day), day);
    expect(r.error).toBeUndefined();
    const reminded = (app.db.prepare("SELECT to_address FROM outbox WHERE kind = 'renewal-reminder'").all() as { to_address: string }[]).map((x) => x.to_address);
    expect(reminded).toContain('hanako.y@example.com');
    expect(reminded).not.toContain('k.konda@example.jp');
    // A renewal from them (the default form is OMP-2023-0123's) is the staff finding register.not-active.
    const o = await h.process(await mail());
    expect(o.cases[0]!.findings.filter((f) => f.code.startsWith('register.')).map((f) => `${f.code}/${f.audience}`)).toEqual(['register.not-active/staff']);
    expect(o.cases[0]!.status).toBe('exception');

    // Active again (a decision reversed): a second entry in the history; the state today comes from the dates.
    expect(setHolderStatus(app, 'OMP-2023-0123', { status: 'active', reason: '取消の撤回', by: 'admin:sato' }, new Date('2026-12-07T00:00:00Z')))
      .toMatchObject({ previous: 'revoked', status: 'active', statusToday: 'expired' }); // its validity ended 2026-03-31
    expect(showHolder(app, 'OMP-2023-0123')!.statusChanges.map((c) => [c.previous, c.status, c.by, c.reason])).toEqual([['active', 'revoked', 'reviewer:ito', REASON], ['revoked', 'active', 'admin:sato', '取消の撤回']]);
  }, 120_000);

  it('conken registry set-status calls the same function; a missing reason or the same state is refused', async () => {
    h = harness();
    importRegister(h.app, path.join(SAMPLES, 'registry.csv'));
    const env = { ...dataEnv(h.dir), CONKEN_USER: 'ito' };
    const lapsed = await conken(['registry', 'set-status', 'OMP-2023-0777', 'lapsed', '--reason', '更新手続きなしのため失効', '--json'], env);
    expect(lapsed.code, lapsed.stderr).toBe(0);
    expect(JSON.parse(lapsed.stdout)).toEqual({ certificationNumber: 'OMP-2023-0777', previous: 'active', status: 'lapsed', statusToday: 'lapsed' });
    expect(showHolder(h.app, 'OMP-2023-0777')!.statusChanges).toEqual([expect.objectContaining({ by: 'reviewer:ito', previous: 'active', status: 'lapsed', reason: '更新手続きなしのため失効' })]);
    expect(h.app.db.prepare("SELECT login, address, detail_json FROM audit_log WHERE action = 'register.set-status'").all())
      .toEqual([{ login: 'reviewer:ito', address: 'cli', detail_json: JSON.stringify({ from: 'active', to: 'lapsed' }) }]);
    const again = await conken(['register', 'set-status', 'OMP-2023-0777', 'lapsed', '--reason', '重複'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('既に「失効」として記録されています');
    const noReason = await conken(['registry', 'set-status', 'OMP-2023-0777', 'revoked'], env);
    expect(noReason.code).not.toBe(0);
    expect(noReason.stderr).toContain('--reason');
    expect(showHolder(h.app, 'OMP-2023-0777')!.statusChanges).toHaveLength(1);
  }, 120_000);
});
