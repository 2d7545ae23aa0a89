import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The data folder and binary of the server that playwright.config.ts starts; the command line
// works on the same SQLite file while the server runs (WAL mode).
const data = fileURLToPath(new URL('../../../target/e2e-data', import.meta.url));
const bin =
  process.env.NUANXIN_BIN ??
  fileURLToPath(new URL('../../../target/debug/nuanxin', import.meta.url));

/** The server's administration command line. */
export class ServerCli {
  private run(...args: string[]): string {
    return execFileSync(bin, args, {
      env: { ...process.env, NUANXIN_DATA: data, NUANXIN_NO_DEMO: '1' },
      encoding: 'utf8',
    });
  }

  /** Creates an invite code for a county and returns it (the first word printed). */
  createInvite(county = 'youyang', uses = 5): string {
    const out = this.run('invite', 'create', '--county', county, '--uses', String(uses));
    const code = out.trim().split(/\s+/)[0];
    if (!code) throw new Error(`no invite code in: ${out}`);
    return code;
  }

  /** Ends every session of an account, as an administrator would. */
  logoutUser(login: string) {
    this.run('user', 'logout', login);
  }
}

/** A random mainland mobile number that no demo account uses. */
export function randomPhone(): string {
  return '139' + String(Math.floor(Math.random() * 1e8)).padStart(8, '0');
}
