// Every page passes axe-core (WCAG 2.2 A/AA rules) with no serious or critical violation,
// signed in as each role, in light mode on a desktop and in dark mode on a 375 px phone, where
// no page may scroll sideways either.
import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

const ADELE = "a1b2c3d4-0001-4000-8000-000000000001";

const PAGES: Record<string, string[]> = {
  "": ["/", "/sign-in", "/no-such-page"],
  "Megan Bowen": [
    "/",
    "/dashboard",
    "/users",
    "/users?q=a",
    `/users/${ADELE}`,
    "/sharing",
    "/admin/accounts",
    "/admin/api-tokens",
    "/review",
    "/audit-log",
    "/notifications",
    "/jobs",
  ],
  "Lee Gu": ["/review", "/notifications"],
  "Irvin Sayers": ["/sharing", "/audit-log"],
  "Adele Vance": ["/me", "/me/requests", "/me/api-tokens", "/notifications"],
};

async function signIn(page: Page, name: string) {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: `Sign in as ${name}` }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(name);
}

for (const scheme of ["light", "dark"] as const) {
  for (const [who, paths] of Object.entries(PAGES)) {
    test(`${who || "a visitor"}'s pages have no serious accessibility violations in ${scheme} mode`, async ({ page }) => {
      test.setTimeout(240_000);
      await page.emulateMedia({ colorScheme: scheme });
      const phone = scheme === "dark";
      if (phone) await page.setViewportSize({ width: 375, height: 740 });
      if (who) await signIn(page, who);
      const problems: string[] = [];
      for (const path of paths) {
        await page.goto(path);
        await page.waitForLoadState("networkidle");
        if (phone) {
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          if (width > 375) problems.push(`${path}: the page is ${width} px wide on a 375 px phone`);
        }
        const results = await new AxeBuilder({ page })
          .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
          .analyze();
        for (const v of results.violations) {
          if (v.impact === "serious" || v.impact === "critical") {
            const targets = v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ");
            problems.push(`${path}: ${v.id} (${v.impact}) ${v.help} → ${targets}`);
          }
        }
      }
      expect(problems, problems.join("\n")).toEqual([]);
    });
  }
}
