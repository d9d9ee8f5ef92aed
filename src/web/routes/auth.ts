// Login and logout. A login is throttled per login and per address (failed attempts counted from the audit
// log, so a restart forgives nothing), the session is regenerated at login (a planted session id is worth
// nothing), and every attempt is audited, successful or not.
import type { FastifyInstance } from 'fastify';
import { verifyNobody, verifyPassword } from '../passwords.ts';

/** Only a path of our own after login (never another site). */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[^\\]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

export function registerAuthRoutes(server: FastifyInstance): void {
  const wb = server.workbench;
  const web = wb.app.config.web;

  server.get<{ Querystring: { next?: string } }>('/login', { config: { public: true } }, async (request, reply) => {
    if (request.user) return reply.redirect(safeNext(request.query.next), 303);
    return wb.page(request, reply, 'login', { title: 'ログイン', next: safeNext(request.query.next), error: null, login: '' });
  });

  server.post<{ Body: { login?: string; password?: string; next?: string } }>('/login', {
    config: { public: true, rateLimit: { max: 30, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const login = String(request.body?.login ?? '').trim().toLowerCase().slice(0, 64);
    const password = String(request.body?.password ?? '');
    const next = safeNext(request.body?.next);
    const since = new Date(Date.now() - web.loginWindowMinutes * 60_000).toISOString();
    if (wb.audit.failuresSince({ login }, since) >= web.loginMaxFailuresPerLogin || wb.audit.failuresSince({ address: request.ip }, since) >= web.loginMaxFailuresPerAddress) {
      wb.record(request, 'login.throttled', { login });
      return wb.page(request, reply, 'login', { title: 'ログイン', next, login, error: `ログインの失敗が続いたため、しばらくログインできません。${web.loginWindowMinutes}分ほど待ってからお試しください。` }, 429);
    }
    const user = login ? wb.users.byLogin(login) : undefined;
    const ok = user ? await verifyPassword(password, user.password_hash) : await verifyNobody(password);
    if (!user || !ok || user.disabled) {
      wb.record(request, 'login.failure', { login, detail: { reason: !user ? 'unknown-login' : user.disabled ? 'disabled' : 'wrong-password' } });
      return wb.page(request, reply, 'login', { title: 'ログイン', next, login, error: 'ログイン名またはパスワードが違います。' }, 401);
    }
    await request.session.regenerate();
    request.session.userId = user.id;
    request.session.loginAt = new Date().toISOString();
    request.user = user;
    wb.record(request, 'login.success');
    return reply.redirect(next, 303);
  });

  server.post('/logout', { config: { roles: ['staff', 'finance', 'reviewer', 'admin'] } }, async (request, reply) => {
    wb.record(request, 'logout');
    await request.session.destroy();
    return reply.redirect('/login', 303);
  });

  server.get('/', { config: { roles: ['staff', 'finance', 'reviewer', 'admin'] } }, async (request, reply) => {
    const role = request.user!.role;
    if (role === 'staff' || role === 'admin') return reply.redirect('/queue', 303);
    if (role === 'finance') return reply.redirect('/finance/queue', 303);
    if (role === 'reviewer') return reply.redirect('/review', 303);
    return wb.page(request, reply, 'home', { title: 'ホーム' });
  });
}
