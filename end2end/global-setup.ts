// Starts the portal for the browser suite: the debug server binary on port 0 with a fresh
// SQLite file (or E2E_DATABASE_URL) holding the demo tenants, in demo mode, waits for the line announcing its address, then polls
// /readyz. The address reaches the tests through BASE_URL (see tests/fixtures.ts).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..");
export const PID_FILE = join(tmpdir(), "privacy-portal-e2e.pid");

export default async function globalSetup(): Promise<void> {
  if (process.env.BASE_URL) {
    await waitUntilReady(process.env.BASE_URL);
    return;
  }
  const binary = process.env.PORTAL_SERVER_BIN ?? join(ROOT, "target/debug/server");
  const dataDir = mkdtempSync(join(tmpdir(), "portal-e2e-"));
  const databaseUrl = process.env.E2E_DATABASE_URL || `sqlite://${dataDir}/portal.db?mode=rwc`;
  const env = {
    ...process.env,
    PORTAL_PORT: "0",
    PORTAL_SITE_ROOT: join(ROOT, "target/site"),
    PORTAL_LOG_LEVEL: process.env.PORTAL_LOG_LEVEL ?? "warn",
    // The suite signs in with the demo identities, as a visitor of the run command would.
    PORTAL_DEMO_MODE: "true",
    DATABASE_URL: databaseUrl,
  };
  execFileSync(binary, ["seed-demo"], { cwd: ROOT, env, stdio: ["ignore", "ignore", "inherit"] });
  const server = spawn(binary, ["serve"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
  if (server.pid === undefined) throw new Error(`could not start ${binary}`);
  writeFileSync(PID_FILE, String(server.pid));

  const baseUrl = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not announce its address within 60 s")), 60_000);
    let buffered = "";
    server.stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const match = buffered.match(/listening on (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    });
    server.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited early with code ${code}`));
    });
  });
  process.env.BASE_URL = baseUrl;
  await waitUntilReady(baseUrl);
}

async function waitUntilReady(baseUrl: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const response = await fetch(`${baseUrl}/readyz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${baseUrl} was not ready within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
