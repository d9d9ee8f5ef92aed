// Passwords: node:crypto scrypt, stored as PHC strings ($scrypt$ln=17,r=8,p=1$<salt>$<hash>, base64 without
// padding). N = 2^17, r = 8, p = 1 (OWASP's minimum for scrypt) takes ≈ 0.5 s here: hashed off the event
// loop (the async scrypt runs in libuv's pool) so a login never stalls the pages of other users.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export const MIN_PASSWORD_LENGTH = 12;
const DEFAULT = { ln: 17, r: 8, p: 1 };
const KEY_LENGTH = 32;

export class PasswordError extends Error {}

/** Why a new password is refused (in Japanese: admins and staff read it), or null. */
export function passwordProblem(password: string): string | null {
  if ([...password].length < MIN_PASSWORD_LENGTH) return `パスワードは${MIN_PASSWORD_LENGTH}文字以上にしてください。`;
  if ([...password].length > 256) return 'パスワードは256文字以内にしてください。';
  return null;
}

function derive(password: string, salt: Buffer, p: { ln: number; r: number; p: number }): Promise<Buffer> {
  const N = 2 ** p.ln;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_LENGTH, { N, r: p.r, p: p.p, maxmem: 256 * N * p.r + 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string, params = DEFAULT): Promise<string> {
  const problem = passwordProblem(password);
  if (problem) throw new PasswordError(problem);
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`;
}

const PHC = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const m = PHC.exec(phc);
  if (!m) return false;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await derive(password, Buffer.from(m[4]!, 'base64'), { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

let dummy: Promise<string> | undefined;
/** Spends the time of a real check for a login that does not exist, so the answer's timing does not tell. */
export async function verifyNobody(password: string): Promise<false> {
  dummy ??= hashPassword('not-a-real-password-for-anyone');
  await verifyPassword(password, await dummy);
  return false;
}
