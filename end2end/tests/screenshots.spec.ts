// Screenshots of the main pages for people who review the look of the portal without running
// it: each page in English and Dutch, light and dark, on a 1280 px desktop and a 375 px phone,
// as PNG files in end2end/artifacts/screenshots/<lang>-<scheme>-<device>-<page>.png (git-ignored).
// They record how the pages look; they compare nothing. The pages do not depend on the storage
// engine, so the PostgreSQL pass of the test command leaves them out (--grep-invert in
// scripts/test.sh), like the accessibility scans.
import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

const OUT = join(__dirname, "..", "artifacts", "screenshots");
const ADELE = "a1b2c3d4-0001-4000-8000-000000000001";

/** Who sees each page: sign-in as nobody, the rest as the role that works there. */
const SHOTS: { name: string; path: string; who?: string }[] = [
  { name: "sign-in", path: "/sign-in" },
  { name: "dashboard", path: "/dashboard", who: "Megan Bowen" },
  { name: "directory", path: "/users", who: "Megan Bowen" },
  { name: "user", path: `/users/${ADELE}`, who: "Megan Bowen" },
  { name: "sharing", path: "/sharing", who: "Megan Bowen" },
  { name: "audit-log", path: "/audit-log", who: "Megan Bowen" },
  { name: "review-queue", path: "/review", who: "Lee Gu" },
  { name: "my-data", path: "/me", who: "Adele Vance" },
];

const DEVICES = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 375, height: 740 },
} as const;

async function signIn(page: Page, name: string, lang: "en" | "nl") {
  await page.goto("/sign-in");
  const button = lang === "nl" ? `Aanmelden als ${name}` : `Sign in as ${name}`;
  await page.getByRole("button", { name: button }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(name);
}

for (const lang of ["en", "nl"] as const) {
  for (const scheme of ["light", "dark"] as const) {
    test(`screenshots of the main pages in ${lang}, ${scheme} mode, desktop and phone`, async ({ browser, baseURL }) => {
      test.setTimeout(180_000);
      mkdirSync(OUT, { recursive: true });
      for (const [device, viewport] of Object.entries(DEVICES)) {
        let signedInAs: string | undefined;
        const context = await browser.newContext({
          baseURL,
          viewport,
          colorScheme: scheme,
          locale: lang === "nl" ? "nl-NL" : "en-GB",
          extraHTTPHeaders: { "Accept-Language": lang },
          deviceScaleFactor: 1,
        });
        const page = await context.newPage();
        for (const shot of SHOTS) {
          if (shot.who !== signedInAs) {
            await context.clearCookies();
            if (shot.who) await signIn(page, shot.who, lang);
            signedInAs = shot.who;
          }
          await page.goto(shot.path);
          await page.waitForLoadState("networkidle");
          await expect(page.locator("html")).toHaveAttribute("lang", lang);
          await page.screenshot({ path: join(OUT, `${lang}-${scheme}-${device}-${shot.name}.png`), fullPage: true });
        }
        await context.close();
      }
    });
  }
}
