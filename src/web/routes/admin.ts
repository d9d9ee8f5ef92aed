// Admin pages: the audit log with filters (user, case, date) and the users (add, disable, enable, new
// password, role). Every change here is audited too.
import type { FastifyInstance } from 'fastify';
import { LOGIN_PATTERN, ROLES, type Role } from '../../cases/users-store.ts';
import { hashPassword, passwordProblem } from '../passwords.ts';
import { ROLE_LABELS, tokyoDateTime } from '../labels.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const PAGE = 100;

/** A Tokyo calendar day's first instant, as an ISO UTC instant. */
function tokyoMidnight(day: string, plusDays = 0): string {
  const d = new Date(`${day}T00:00:00+09:00`);
  d.setUTCDate(d.getUTCDate() + plusDays);
  return d.toISOString();
}

const ACTION_LABELS: Record<string, string> = {
  'login.success': 'ログイン', 'login.failure': 'ログイン失敗', 'login.throttled': 'ログイン制限', logout: 'ログアウト',
  'case.view': '案件の閲覧', 'attachment.view': '添付の閲覧', 'attachment.download': '添付のダウンロード', 'field.confirm': '値の確定',
  'user.add': 'ユーザー追加', 'user.disable': 'ユーザー無効化', 'user.enable': 'ユーザー有効化', 'user.password': 'パスワード変更', 'user.role': '役割の変更',
  'job.run': 'ジョブの実行', 'job.dry-run': 'ジョブの試行',
  'letters.view': '印刷待ちの郵便の閲覧', 'letter.view': '郵便（印刷用PDF）の閲覧', 'letter.posted': '郵便を郵送済みにした',
  'postal.upload': '郵送の申請の登録', 'postal.reply': '郵送の返信を案件に追加',
};

export function registerAdminRoutes(server: FastifyInstance): void {
  const wb = server.workbench;

  server.get<{ Querystring: { login?: string; case?: string; from?: string; to?: string; action?: string; page?: string } }>('/admin/audit', { config: { roles: ['admin'] } }, async (request, reply) => {
    const q = request.query;
    const login = String(q.login ?? '').trim().toLowerCase();
    const caseNumber = String(q.case ?? '').normalize('NFKC').trim().toUpperCase();
    const from = DAY.test(String(q.from ?? '')) ? String(q.from) : '';
    const to = DAY.test(String(q.to ?? '')) ? String(q.to) : '';
    const action = String(q.action ?? '');
    const page = Math.max(1, Number.parseInt(String(q.page ?? '1'), 10) || 1);
    const { rows, total } = wb.audit.list({
      login: login || undefined, caseNumber: caseNumber || undefined, action: action || undefined,
      from: from ? tokyoMidnight(from) : undefined, to: to ? tokyoMidnight(to, 1) : undefined, limit: PAGE, offset: (page - 1) * PAGE,
    });
    const params = new URLSearchParams(Object.entries({ login, case: caseNumber, from, to, action }).filter(([, v]) => v));
    return wb.page(request, reply, 'audit', {
      title: '監査ログ', filter: { login, case: caseNumber, from, to, action }, total, page, pages: Math.max(1, Math.ceil(total / PAGE)), query: params.toString(),
      actions: Object.entries(ACTION_LABELS).map(([value, label]) => ({ value, label })),
      rows: rows.map((r) => ({ ...r, when: tokyoDateTime(r.at), label: ACTION_LABELS[r.action] ?? r.action })),
    });
  });

  function usersPage(request: Parameters<typeof wb.page>[0], reply: Parameters<typeof wb.page>[1], extra: { error?: string | null; flash?: string | null; form?: { login: string; role: string } } = {}, status = 200) {
    return wb.page(request, reply, 'users', {
      title: 'ユーザー管理', error: extra.error ?? null, flash: extra.flash ?? null, form: extra.form ?? { login: '', role: 'staff' },
      roles: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] })),
      users: wb.users.list().map((u) => ({ id: u.id, login: u.login, role: u.role, roleLabel: ROLE_LABELS[u.role], disabled: !!u.disabled, created: tokyoDateTime(u.created_at), updated: tokyoDateTime(u.updated_at), self: u.id === request.user!.id })),
    }, status);
  }

  server.get('/admin/users', { config: { roles: ['admin'] } }, async (request, reply) => usersPage(request, reply));

  server.post<{ Body: { login?: string; role?: string; password?: string } }>('/admin/users', { config: { roles: ['admin'] } }, async (request, reply) => {
    const login = String(request.body?.login ?? '').trim().toLowerCase();
    const role = String(request.body?.role ?? '') as Role;
    const password = String(request.body?.password ?? '');
    const form = { login, role };
    if (!LOGIN_PATTERN.test(login)) return usersPage(request, reply, { error: 'ログイン名は半角英小文字・数字・「.」「_」「-」の2〜32文字にしてください。', form }, 422);
    if (!ROLES.includes(role)) return usersPage(request, reply, { error: '役割を選んでください。', form }, 422);
    if (wb.users.byLogin(login)) return usersPage(request, reply, { error: `ログイン名「${login}」は既に使われています。`, form }, 422);
    const problem = passwordProblem(password);
    if (problem) return usersPage(request, reply, { error: problem, form }, 422);
    wb.users.add(login, role, await hashPassword(password));
    wb.record(request, 'user.add', { target: login, detail: { role } });
    return usersPage(request, reply, { flash: `ユーザー「${login}」（${ROLE_LABELS[role]}）を追加しました。` });
  });

  server.post<{ Params: { id: string }; Body: { op?: string; password?: string; role?: string } }>('/admin/users/:id', { config: { roles: ['admin'] } }, async (request, reply) => {
    const user = wb.users.byId(Number(request.params.id));
    if (!user) return usersPage(request, reply, { error: 'そのユーザーはいません。' }, 404);
    const op = String(request.body?.op ?? '');
    const self = user.id === request.user!.id;
    if (op === 'disable' || op === 'enable') {
      if (self) return usersPage(request, reply, { error: '自分自身は無効にできません。' }, 422);
      wb.users.setDisabled(user.id, op === 'disable');
      if (op === 'disable') wb.sessions.destroyForUser(user.id);
      wb.record(request, `user.${op}`, { target: user.login });
      return usersPage(request, reply, { flash: `ユーザー「${user.login}」を${op === 'disable' ? '無効にしました（ログイン中の画面も終了します）' : '有効にしました'}。` });
    }
    if (op === 'password') {
      const password = String(request.body?.password ?? '');
      const problem = passwordProblem(password);
      if (problem) return usersPage(request, reply, { error: problem }, 422);
      wb.users.setPassword(user.id, await hashPassword(password));
      if (!self) wb.sessions.destroyForUser(user.id);
      wb.record(request, 'user.password', { target: user.login });
      return usersPage(request, reply, { flash: `ユーザー「${user.login}」のパスワードを変更しました。` });
    }
    if (op === 'role') {
      const role = String(request.body?.role ?? '') as Role;
      if (!ROLES.includes(role)) return usersPage(request, reply, { error: '役割を選んでください。' }, 422);
      if (self && role !== 'admin') return usersPage(request, reply, { error: '自分自身の管理者権限は外せません。' }, 422);
      wb.users.setRole(user.id, role);
      wb.record(request, 'user.role', { target: user.login, detail: { role } });
      return usersPage(request, reply, { flash: `ユーザー「${user.login}」の役割を「${ROLE_LABELS[role]}」にしました。` });
    }
    return usersPage(request, reply, { error: '操作を選んでください。' }, 422);
  });
}
