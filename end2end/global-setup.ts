// Starts what the browser suite talks to: the test OpenID Connect provider (oidc/provider.mjs)
// and the portal (the debug server binary, with a fresh SQLite file or E2E_DATABASE_URL holding
// the demo tenants, in demo mode, signing in through that provider). The portal's port is
// picked here first, since the provider must know the portal's callback and the portal the
// provider's issuer; should another process take that port in between, both start again on
// new ports. The addresses reach the tests through BASE_URL and OIDC_ISSUER (see
// tests/fixtures.ts).
//
// The portal runs at a chosen instant, never today (issue 16): E2E_NOW (RFC 3339, default
// DEFAULT_NOW) is what its clock shows when the suite starts, and it runs on from there at the
// normal rate. Each process (the seed, the server) is started with PORTAL_CLOCK_START set to
// the chosen instant plus the time that has passed since the suite started, so they share one
// timeline. Tests read the instant from E2E_NOW (tests/fixtures.ts).
//
// With BASE_URL set, nothing is started: the suite uses that server as it is, at whatever time
// its clock shows; tests that check exact dates then need E2E_NOW to name the instant that
// server's clock started at, and check looser wording without it. The OpenID
// Connect tests then run only when OIDC_ISSUER names the provider that server signs in with
// (run oidc/provider.mjs by hand for that); otherwise they are skipped.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");
/** Names the file with the process ids of what this run started, for global-teardown.ts. */
export const PID_FILE_VARIABLE = "E2E_PID_FILE";
const ATTEMPTS = 3;
/** The instant the suite runs at unless E2E_NOW names another. */
export const DEFAULT_NOW = "2028-02-29T09:00:00Z";

export default async function globalSetup(): Promise<void> {
  if (process.env.BASE_URL) {
    process.env.E2E_EXTERNAL_SERVER = "1";
    await waitUntilReady(`${process.env.BASE_URL}/readyz`);
    return;
  }
  const chosen = process.env.E2E_NOW || DEFAULT_NOW;
  const shift = Date.parse(chosen) - Date.now();
  if (Number.isNaN(shift) || !/(Z|[+-]\d\d:\d\d)$/.test(chosen)) {
    throw new Error(`E2E_NOW=${chosen} is not an RFC 3339 instant with an offset, e.g. ${DEFAULT_NOW}`);
  }
  // In UTC from here on, so the tests read the day the portal's clock shows.
  process.env.E2E_NOW = new Date(Date.parse(chosen)).toISOString();
  // The portal's clock for a process started now: the chosen instant, moved on by the time since.
  const clockStart = () => new Date(Date.now() + shift).toISOString();
  const binary = process.env.PORTAL_SERVER_BIN ?? join(ROOT, "target/debug/server");
  const dataDir = mkdtempSync(join(tmpdir(), "portal-e2e-"));
  const databaseUrl = process.env.E2E_DATABASE_URL || `sqlite://${dataDir}/portal.db?mode=rwc`;
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    PORTAL_SITE_ROOT: join(ROOT, "target/site"),
    PORTAL_LOG_LEVEL: process.env.PORTAL_LOG_LEVEL ?? "warn",
    // The suite also signs in with the demo identities, as a visitor of the run command would.
    PORTAL_DEMO_MODE: "true",
    // The suite signs in far more often than 60 times a minute from one address (the accessibility
    // scans sign in as every role for every page); the limit itself is tested in
    // server/tests/server/hardening.rs.
    PORTAL_SIGN_IN_RATE_PER_MINUTE: "100000",
    DATABASE_URL: databaseUrl,
  };
  execFileSync(binary, ["seed-demo"], {
    cwd: ROOT,
    env: { ...baseEnv, PORTAL_CLOCK_START: clockStart() },
    stdio: ["ignore", "ignore", "inherit"],
  });

  const clientId = "portal-e2e";
  const clientSecret = randomBytes(24).toString("hex");
  for (let attempt = 1; ; attempt++) {
    const started: ChildProcess[] = [];
    try {
      const port = await freePort();
      const callback = `http://127.0.0.1:${port}/auth/oidc/callback`;
      const provider = spawn(process.execPath, [join(__dirname, "oidc/provider.mjs")], {
        cwd: __dirname,
        env: { ...process.env, OIDC_REDIRECT_URI: callback, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret },
        stdio: ["ignore", "pipe", "inherit"],
      });
      started.push(provider);
      const issuer = await announced(provider, /oidc provider listening on (http:\/\/\S+)/, "the test OpenID Connect provider");
      await waitUntilReady(`${issuer}/.well-known/openid-configuration`);

      const server = spawn(binary, ["serve"], {
        cwd: ROOT,
        env: {
          ...baseEnv,
          PORTAL_HOST: "127.0.0.1",
          PORTAL_PORT: String(port),
          PORTAL_OIDC__ISSUER: issuer,
          PORTAL_OIDC__CLIENT_ID: clientId,
          PORTAL_OIDC__CLIENT_SECRET: clientSecret,
          PORTAL_OIDC__REDIRECT_URL: callback,
          // The provider signs people into the two demo tenants and no other.
          PORTAL_OIDC__TENANTS: '["11111111-2222-3333-4444-555555555555", "22222222-3333-4444-5555-666666666666"]',
          PORTAL_CLOCK_START: clockStart(),
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      started.push(server);
      const baseUrl = await announced(server, /listening on (http:\/\/\S+)/, "the server");
      if (baseUrl !== `http://127.0.0.1:${port}`) {
        throw new Error(`the server listens on ${baseUrl}, not on the port its callback names (${port})`);
      }
      // One file per run, in this run's own folder: runs side by side never stop each other's.
      const pidFile = join(dataDir, "pids");
      writeFileSync(pidFile, started.map((child) => child.pid).join("\n"));
      process.env[PID_FILE_VARIABLE] = pidFile;
      process.env.BASE_URL = baseUrl;
      process.env.OIDC_ISSUER = issuer;
      await waitUntilReady(`${baseUrl}/readyz`);
      return;
    } catch (error) {
      for (const child of started) child.kill("SIGTERM");
      // Only an early exit can be another process having taken the port; anything else, or
      // the last attempt, fails the run.
      if (!(error instanceof EarlyExit) || attempt >= ATTEMPTS) throw error;
      console.warn(`${error.message}; starting again on another port (attempt ${attempt + 1} of ${ATTEMPTS})`);
    }
  }
}

class EarlyExit extends Error {}

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

/** Waits for the line in which `child` names its address; keeps draining its output after. */
function announced(child: ChildProcess, pattern: RegExp, what: string): Promise<string> {
  return new Promise<string>((resolveUrl, reject) => {
    if (child.pid === undefined) {
      reject(new Error(`could not start ${what}`));
      return;
    }
    const timer = setTimeout(() => reject(new Error(`${what} did not announce its address within 60 s`)), 60_000);
    let buffered = "";
    let found = false;
    child.stdout?.on("data", (chunk: Buffer) => {
      if (found) return;
      buffered += chunk.toString();
      const match = buffered.match(pattern);
      if (match) {
        found = true;
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new EarlyExit(`${what} exited early with code ${code}`));
    });
  });
}

async function waitUntilReady(url: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
