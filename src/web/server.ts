// The workbench's web server: Fastify 5 and its own plugins. Every route names the roles it allows (or says
// it is public): a route without either refuses to register, so nothing is reachable by default. A state
// change is a POST with a CSRF token (and, when the browser sends one, an Origin of our own). Nothing here
// writes a case: pages read through the case store and src/cases/workbench-queries.ts, and changes go through the
// app's entry points (confirmField).
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import fastifySession from '@fastify/session';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyFormbody from '@fastify/formbody';
import fastifyMultipart from '@fastify/multipart';
import fastifyView from '@fastify/view';
import { Eta } from 'eta';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { App } from '../app/context.ts';
import { AuditLog } from '../cases/audit-log.ts';
import { cookieSecret, SqliteSessionStore } from '../cases/session-store.ts';
import { UsersStore, type Role, type UserRow } from '../cases/users-store.ts';
import { ROLE_LABELS } from './labels.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerQueueRoutes } from './routes/queue.ts';
import { registerCaseRoutes } from './routes/case.ts';
import { registerAdminRoutes } from './routes/admin.ts';
import { registerTriageRoutes } from './routes/triage.ts';
import { registerPostalRoutes } from './routes/postal.ts';
import { registerLetterRoutes } from './routes/letters.ts';
import { registerFinanceRoutes } from './routes/finance.ts';
import { registerReviewRoutes } from './routes/review.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerJobsRoutes } from './routes/jobs.ts';
import { registerFinanceEscalateRoutes } from './routes/finance-escalate.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The roles that may use the route (admin may always); absent only on public routes. */
    roles?: readonly Role[];
    public?: boolean;
  }
  interface FastifyRequest {
    user: UserRow | null;
  }
  interface FastifyInstance {
    workbench: Workbench;
  }
}

declare module '@fastify/session' {
  interface FastifySessionObject {
    userId?: number;
    loginAt?: string;
    flash?: string;
  }
}

export class WebConfigError extends Error {}

export interface Workbench {
  app: App;
  users: UsersStore;
  audit: AuditLog;
  sessions: SqliteSessionStore;
  https: boolean;
  /** Renders a page in the layout, with the user, the CSRF token and the CSP nonce. */
  page(request: FastifyRequest, reply: FastifyReply, view: string, data: Record<string, unknown>, status?: number): Promise<FastifyReply>;
  /** Records who did what from where. */
  record(request: FastifyRequest, action: string, what?: { caseNumber?: string | null; target?: string | null; detail?: unknown; login?: string | null }): void;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const VIEWS = path.join(import.meta.dirname, 'views');
const STATIC = path.join(import.meta.dirname, 'static');

/** Refuses a bind that would expose the workbench without https in front of it. */
export function checkBind(config: App['config']['web']): { https: boolean; origin: string | null } {
  const publicUrl = config.publicUrl.trim();
  if (publicUrl && !/^https:\/\/[^/]+/i.test(publicUrl)) {
    throw new WebConfigError(`CONKEN_WEB_PUBLIC_URL must be an https:// URL (got "${publicUrl}"). ワークベンチの公開URLは https:// で始めてください。`);
  }
  if (!LOOPBACK.has(config.host) && !publicUrl) {
    throw new WebConfigError(`refusing to serve the workbench on ${config.host}: binding to anything but loopback needs CONKEN_WEB_PUBLIC_URL=https://… (a TLS proxy in front). ループバック以外で待ち受けるには CONKEN_WEB_PUBLIC_URL に https のURLを設定してください。`);
  }
  return { https: !!publicUrl, origin: publicUrl ? new URL(publicUrl).origin : null };
}

function staticFile(file: string): { body: Buffer; etag: string } {
  const body = readFileSync(file);
  return { body, etag: `"${body.length.toString(16)}-${randomBytes(4).toString('hex')}"` };
}

export async function buildWorkbench(app: App): Promise<FastifyInstance> {
  const web = app.config.web;
  const bind = checkBind(web);
  const trustProxy = web.trustProxy || (bind.https ? 'loopback' : false);
  const server = Fastify({ logger: false, trustProxy, bodyLimit: 1024 * 1024, routerOptions: { ignoreTrailingSlash: true } });

  const users = new UsersStore(app.db);
  const audit = new AuditLog(app.db);
  const sessions = new SqliteSessionStore(app.db, { idleMs: web.idleMinutes * 60_000, absoluteMs: web.absoluteHours * 3_600_000 });
  server.decorateRequest('user', null);

  // Deny by default: a route must name its roles or say it is public.
  server.addHook('onRoute', (route) => {
    const config = route.config as { roles?: readonly Role[]; public?: boolean } | undefined;
    if (!config?.public && !(config?.roles && config.roles.length)) throw new Error(`route ${route.method} ${route.url} names no roles`);
  });

  // The logs: method, route pattern, status and time; never the URL (a search holds names) nor a login.
  server.addHook('onResponse', (request, reply, done) => {
    app.log.info({ web: { method: request.method, route: request.routeOptions.url ?? '(none)', status: reply.statusCode, ms: Math.round(reply.elapsedTime), user: request.user?.id ?? null } }, 'web request');
    done();
  });

  await server.register(fastifyHelmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        frameSrc: ["'self'"],
        ...(bind.https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: bind.https ? { maxAge: 31_536_000 } : false,
    referrerPolicy: { policy: 'same-origin' },
  });
  await server.register(fastifyRateLimit, { max: 600, timeWindow: '1 minute' });
  await server.register(fastifyFormbody, { bodyLimit: 1024 * 1024 });
  // Uploads (postal applications) come with the pages that take them; the limits hold from now on.
  await server.register(fastifyMultipart, { limits: { fileSize: app.rules.intake.attachments.maxBytes, files: 20, fields: 20 } });
  await server.register(fastifyCookie);
  await server.register(fastifySession, {
    secret: cookieSecret(app.db),
    cookieName: bind.https ? '__Host-conken' : 'conken_session',
    cookie: { path: '/', httpOnly: true, sameSite: 'strict', secure: bind.https },
    store: sessions as unknown as fastifySession.SessionStore,
    rolling: true,
    saveUninitialized: false,
    idGenerator: () => randomBytes(32).toString('base64url'),
  });
  await server.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });
  const eta = new Eta({ views: VIEWS, cache: true, autoEscape: true, autoTrim: false });
  await server.register(fastifyView, { engine: { eta }, root: VIEWS, production: true });

  // Who is asking: the session's user, read again on every request (a disabled user is out at once).
  server.addHook('preHandler', async (request, reply) => {
    const config = request.routeOptions.config as { roles?: readonly Role[]; public?: boolean };
    const userId = request.session?.userId;
    if (userId !== undefined) {
      const user = users.byId(userId);
      if (!user || user.disabled) {
        await request.session.destroy();
      } else request.user = user;
    }
    if (config.public) return;
    if (!request.user) {
      if (request.method === 'GET' && !request.headers['hx-request']) {
        const next = request.url.startsWith('/') && !request.url.startsWith('//') ? `?next=${encodeURIComponent(request.url)}` : '';
        return reply.redirect(`/login${next}`, 303);
      }
      return reply.code(401).type('text/plain; charset=utf-8').send('ログインしてください。');
    }
    const roles = config.roles ?? [];
    if (request.user.role !== 'admin' && !roles.includes(request.user.role)) {
      return workbench.page(request, reply, 'forbidden', { title: 'この画面は使えません' }, 403);
    }
  });

  // A state change: a POST from our own pages (Origin, when sent, is ours), with the CSRF token.
  server.addHook('onRoute', (route) => {
    if (route.method !== 'POST') return;
    const checks = [async (request: FastifyRequest, reply: FastifyReply) => {
      const origin = request.headers.origin;
      const expected = bind.origin ?? `${request.protocol}://${request.host}`;
      if (origin && origin !== expected) return reply.code(403).type('text/plain; charset=utf-8').send('別のサイトからの送信は受け付けません。');
    }, server.csrfProtection];
    const existing = route.preHandler ? (Array.isArray(route.preHandler) ? route.preHandler : [route.preHandler]) : [];
    route.preHandler = [...checks, ...existing] as typeof route.preHandler;
  });

  const workbench: Workbench = {
    app, users, audit, sessions, https: bind.https,
    async page(request, reply, view, data, status = 200) {
      const csrf = request.session ? reply.generateCsrf() : '';
      const flash = request.session?.flash;
      if (flash) request.session.flash = undefined;
      return reply.code(status).header('cache-control', 'no-store').view(`${view}.eta`, {
        ...data, view, user: request.user, roleLabel: request.user ? ROLE_LABELS[request.user.role] : '', csrf, flash: data.flash ?? flash ?? null,
        nonce: (reply as unknown as { cspNonce: { script: string; style: string } }).cspNonce, path: request.url.split('?')[0],
      });
    },
    record(request, action, what = {}) {
      audit.record({ login: what.login !== undefined ? what.login : request.user?.login ?? null, action, caseNumber: what.caseNumber ?? null, target: what.target ?? null, address: request.ip, detail: what.detail });
    },
  };
  server.decorate('workbench', workbench);

  // Static files: our stylesheet and script, and htmx from its npm package (pinned), never a CDN.
  const require = createRequire(import.meta.url);
  const files: Record<string, { file: string; type: string }> = {
    'app.css': { file: path.join(STATIC, 'app.css'), type: 'text/css; charset=utf-8' },
    'app.js': { file: path.join(STATIC, 'app.js'), type: 'text/javascript; charset=utf-8' },
    'finance.js': { file: path.join(STATIC, 'finance.js'), type: 'text/javascript; charset=utf-8' },
    'finance.css': { file: path.join(STATIC, 'finance.css'), type: 'text/css; charset=utf-8' },
    'htmx.min.js': { file: require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  };
  const loaded = new Map(Object.entries(files).map(([name, f]) => [name, { ...staticFile(f.file), type: f.type }]));
  server.get<{ Params: { name: string } }>('/static/:name', { config: { public: true } }, async (request, reply) => {
    const f = loaded.get(request.params.name);
    if (!f) return reply.code(404).type('text/plain; charset=utf-8').send('ありません');
    return reply.type(f.type).header('cache-control', 'private, max-age=300').header('etag', f.etag).send(f.body);
  });

  server.setNotFoundHandler({ preHandler: async () => {} }, async (request, reply) => {
    return reply.code(404).type('text/html; charset=utf-8').send('<!doctype html><html lang="ja"><meta charset="utf-8"><title>ページがありません</title><p>お探しのページはありません。<a href="/">最初の画面へ</a></p></html>');
  });

  server.setErrorHandler(async (error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    // The error's kind only: a message may quote what a user typed.
    app.log.warn({ web: { route: request.routeOptions.url ?? '(none)', status, code: error.code ?? error.name } }, 'web request failed');
    const message = status === 403 && /csrf/i.test(error.code ?? '') ? '画面の有効期限が切れたか、不正な送信です。画面を読み込み直してから、もう一度お試しください。'
      : status === 429 ? 'アクセスが多すぎます。しばらく待ってからお試しください。'
        : status < 500 ? '送信内容を受け付けられませんでした。' : 'システムでエラーが起きました。時間をおいてお試しください。解決しない場合は管理者に連絡してください。';
    return reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-store')
      .send(`<!doctype html><html lang="ja"><meta charset="utf-8"><title>エラー</title><link rel="stylesheet" href="/static/app.css"><main class="narrow"><h1>エラー</h1><p>${message}</p><p><a href="/">最初の画面へ戻る</a></p></main></html>`);
  });

  registerAuthRoutes(server);
  registerQueueRoutes(server);
  registerCaseRoutes(server);
  registerAdminRoutes(server);
  registerTriageRoutes(server);
  registerPostalRoutes(server);
  registerLetterRoutes(server);
  registerFinanceRoutes(server);
  registerReviewRoutes(server);
  registerAuditRoutes(server);
  registerJobsRoutes(server);
  registerFinanceEscalateRoutes(server);
  return server;
}

export interface RunningWorkbench {
  /** Where users go (the public URL behind a proxy, else where it listens). */
  url: string;
  /** Where it listens. */
  listening: string;
  server: FastifyInstance;
  close(): Promise<void>;
}

/** Builds and listens (CONKEN_WEB_HOST:CONKEN_WEB_PORT); logs where, and returns how to stop. */
export async function startWorkbench(app: App): Promise<RunningWorkbench> {
  const server = await buildWorkbench(app);
  await server.listen({ host: app.config.web.host, port: app.config.web.port });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : app.config.web.port;
  const host = app.config.web.host.includes(':') ? `[${app.config.web.host}]` : app.config.web.host;
  const listening = `http://${host}:${port}/`;
  const url = app.config.web.publicUrl || listening;
  app.log.info({ url, port }, 'workbench listening');
  return { url, listening, server, close: () => server.close() };
}
