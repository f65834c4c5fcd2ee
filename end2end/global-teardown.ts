// Stops what global-setup.ts started in this run, the server and the test OpenID Connect
// provider (SIGTERM: both shut down gracefully).
import { existsSync, readFileSync, rmSync } from "node:fs";
import { PID_FILE_VARIABLE } from "./global-setup";

export default async function globalTeardown(): Promise<void> {
  const pidFile = process.env[PID_FILE_VARIABLE];
  if (!pidFile || !existsSync(pidFile)) return;
  const pids = readFileSync(pidFile, "utf8").split("\n").map(Number).filter(Boolean);
  rmSync(pidFile);
  for (const pid of pids.reverse()) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}
