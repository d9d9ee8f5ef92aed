// The workbench's commands: `conken web` (the pages alone) and `conken users add|list|disable|enable|passwd`.
// Passwords come from standard input (prompted, without echo, on a terminal); there is no default account.
import type { Command } from 'commander';
import { Option } from 'commander';
// Configuration, logger and app are loaded inside the commands: registering them (every `conken` start,
// `--help` too) must not load zod, yaml, pino or the stores' dependencies (node:crypto: the passwords and
// the sessions are imported by the commands that use them).
import type { App } from '../app/context.ts';
import { AuditLog } from '../cases/audit-log.ts';
import type { SqliteSessionStore } from '../cases/session-store.ts';
import { LOGIN_PATTERN, ROLES, UsersStore, type Role } from '../cases/users-store.ts';
import type { RunningWorkbench } from './server.ts';

async function readHidden(question: string): Promise<string> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stderr.write(question);
  muted._writeToOutput = () => {};
  try {
    return await new Promise<string>((resolve) => rl.question('', resolve));
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

/** The new password: typed twice on a terminal, else the first line of standard input. */
async function newPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readStdin();
  const first = await readHidden('パスワード（12文字以上）: ');
  const again = await readHidden('もう一度: ');
  if (first !== again) throw new UsersError('2回の入力が一致しません。');
  return first;
}

class UsersError extends Error {}

async function withUsers(fn: (app: App, users: UsersStore, audit: AuditLog) => Promise<void>): Promise<void> {
  const { loadConfig } = await import('../config/config.ts');
  const { silentLogger } = await import('../shared/log.ts');
  const { createApp, closeApp } = await import('../app/context.ts');
  const app = createApp(loadConfig(), silentLogger());
  return fn(app, new UsersStore(app.db), new AuditLog(app.db)).catch((error: Error) => {
    if (!(error instanceof UsersError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  }).finally(() => closeApp(app));
}

function userOrThrow(users: UsersStore, login: string) {
  const user = users.byLogin(login.trim().toLowerCase());
  if (!user) throw new UsersError(`ユーザー「${login}」はいません。`);
  return user;
}

async function sessionsOf(app: App): Promise<SqliteSessionStore> {
  const { SqliteSessionStore } = await import('../cases/session-store.ts');
  return new SqliteSessionStore(app.db, { idleMs: app.config.web.idleMinutes * 60_000, absoluteMs: app.config.web.absoluteHours * 3_600_000 });
}

/** The hint printed when nobody can log in yet. */
export function firstUserHint(): string {
  return 'No workbench user yet: create one with `npx conken users add <login> --role admin` (the password is read from standard input).';
}

/** Serves the workbench for a running app (conken start and conken web); a bad bind stops start-up. */
export async function serveWorkbench(app: App): Promise<RunningWorkbench> {
  // Fastify and its plugins load only when pages are served: every other command starts without them.
  const { startWorkbench, WebConfigError } = await import('./server.ts');
  try {
    return await startWorkbench(app);
  } catch (error) {
    if (error instanceof WebConfigError) {
      process.stderr.write(`conken: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

export function registerWorkbenchCommands(program: Command): void {
  program.command('web').description('serve the workbench alone (web pages for staff, finance, the reviewer and admins), without the intake daemon')
    .action(async () => {
      const { loadConfig } = await import('../config/config.ts');
      const { createLogger } = await import('../shared/log.ts');
      const { createApp, closeApp } = await import('../app/context.ts');
      const config = loadConfig();
      const log = createLogger(config.log.level);
      const app = createApp(config, log);
      const web = await serveWorkbench(app);
      process.stdout.write(`workbench: ${web.url}${web.url !== web.listening ? ` (listening on ${web.listening})` : ''}\n`);
      if (new UsersStore(app.db).count() === 0) process.stdout.write(`${firstUserHint()}\n`);
      let stopping = false;
      const stop = () => {
        if (stopping) process.exit(1);
        stopping = true;
        void web.close().then(() => { closeApp(app); process.exit(0); });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });

  const users = program.command('users').description('workbench users: add, list, disable, enable, passwd');
  users.command('add').description('add a user; the password (12 characters or more) is read from standard input').argument('<login>')
    .addOption(new Option('--role <role>', 'what the user may do').choices([...ROLES]).makeOptionMandatory())
    .action(async (login: string, options: { role: Role }) => {
      await withUsers(async (_app, store, audit) => {
        const name = login.trim().toLowerCase();
        if (!LOGIN_PATTERN.test(name)) throw new UsersError('ログイン名は半角英小文字・数字・「.」「_」「-」の2〜32文字にしてください。');
        if (store.byLogin(name)) throw new UsersError(`ログイン名「${name}」は既に使われています。`);
        const password = await newPassword();
        const { hashPassword, passwordProblem } = await import('./passwords.ts');
        const problem = passwordProblem(password);
        if (problem) throw new UsersError(problem);
        store.add(name, options.role, await hashPassword(password));
        audit.record({ login: 'cli', action: 'user.add', target: name, detail: { role: options.role } });
        process.stdout.write(`added ${name} (${options.role})\n`);
      });
    });
  users.command('list').description('list the users').option('--json', 'machine-readable output').action(async (options: { json?: boolean }) => {
    await withUsers(async (_app, store) => {
      const rows = store.list().map((u) => ({ login: u.login, role: u.role, disabled: !!u.disabled, createdAt: u.created_at, updatedAt: u.updated_at }));
      process.stdout.write(options.json ? `${JSON.stringify(rows, null, 2)}\n` : `${rows.length ? rows.map((u) => `${u.login.padEnd(20)} ${u.role.padEnd(9)} ${u.disabled ? 'disabled' : 'active'}`).join('\n') : '(no users)'}\n`);
    });
  });
  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    users.command(name).description(disabled ? 'disable a user (their sessions end at once)' : 'enable a disabled user').argument('<login>').action(async (login: string) => {
      await withUsers(async (app, store, audit) => {
        const user = userOrThrow(store, login);
        store.setDisabled(user.id, disabled);
        const ended = disabled ? (await sessionsOf(app)).destroyForUser(user.id) : 0;
        audit.record({ login: 'cli', action: `user.${name}`, target: user.login });
        process.stdout.write(`${user.login} ${disabled ? `disabled (${ended} session(s) ended)` : 'enabled'}\n`);
      });
    });
  }
  users.command('passwd').description('set a new password (read from standard input); the user\'s sessions end').argument('<login>').action(async (login: string) => {
    await withUsers(async (app, store, audit) => {
      const user = userOrThrow(store, login);
      const password = await newPassword();
      const { hashPassword, passwordProblem } = await import('./passwords.ts');
      const problem = passwordProblem(password);
      if (problem) throw new UsersError(problem);
      store.setPassword(user.id, await hashPassword(password));
      (await sessionsOf(app)).destroyForUser(user.id);
      audit.record({ login: 'cli', action: 'user.password', target: user.login });
      process.stdout.write(`password of ${user.login} changed\n`);
    });
  });
}
