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

  /** Creates an account, as an administrator would. */
  addUser(login: string, name: string, role: string, county: string, password = 'nuanxin-demo') {
    this.run('user', 'add', '--login', login, '--name', name, '--role', role, '--county', county, '--password', password);
  }

  /**
   * Writes `count` made-up reports of a rider straight into the index (one a minute back from
   * now), and one filed `daysAgo` days ago with `oldNote`: a county's worth of reports for
   * the console, without phones to file them.
   */
  indexReports(riderLogin: string, county: string, count: number, oldNote: string, daysAgo: number) {
    const script = [
      'import sqlite3, sys, time, uuid',
      'db, login, county, count, old_note, days = sys.argv[1:7]',
      'con = sqlite3.connect(db, timeout=30)',
      'rider = con.execute("SELECT id FROM users WHERE login = ?", (login,)).fetchone()[0]',
      'now = int(time.time() * 1000)',
      'rows = [(f"第 {i} 条 路灯不亮", now - i * 60000) for i in range(int(count))]',
      'rows.append((old_note, now - int(days) * 86400000))',
      'con.executemany("INSERT INTO reports (rider_id, id, doc_id, county, category, note, lat, lon, "',
      '  "accuracy_m, location_source, place, created_at, photos, received_at, status) VALUES "',
      '  "(?, ?, \'made-up\', ?, \'street_light\', ?, 32.89, 108.51, 10.0, \'gps\', \'\', ?, \'[]\', ?, \'new\')",',
      '  [(rider, str(uuid.uuid4()), county, n, t, t) for (n, t) in rows])',
      'con.commit()',
    ].join('\n');
    execFileSync('python3', ['-c', script, `${data}/nuanxin.db`, riderLogin, county, String(count), oldNote, String(daysAgo)]);
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
