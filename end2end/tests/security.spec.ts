// The Content-Security-Policy (issue 10) must not cost the portal its interactivity: pages
// hydrate under it, and the browser reports no violation on any page a role reaches.
import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";

const ADELE = "a1b2c3d4-0001-4000-8000-000000000001";

/** Collects CSP violations and console errors on a page. */
function watch(page: Page): string[] {
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" || /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  return problems;
}

async function violations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);
}

test("every page hydrates under the content security policy without a single violation", async ({ page }) => {
  const problems = watch(page);
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { __csp: string[] }).__csp = seen;
    document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const response = await page.goto("/sign-in");
  const policy = response?.headers()["content-security-policy"] ?? "";
  expect(policy).toContain("frame-ancestors 'none'");
  const scripts = policy.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
  expect(scripts).toContain("'nonce-");
  expect(scripts).not.toContain("'unsafe-inline'");
  await expect(async () => {
    await page.getByRole("button", { name: "Sign in as Megan Bowen" }).click();
    await expect(page.getByTestId("signed-in-as")).toContainText("Megan Bowen", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  for (const path of ["/", "/users", `/users/${ADELE}`, "/sharing", "/admin/accounts", "/admin/api-tokens", "/review", "/audit-log"]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
    expect(await violations(page), `${path}: CSP violations`).toEqual([]);
  }
  // Hydrated: client-side navigation works (a dead page would do a full load or nothing).
  await page.goto("/");
  await expect(async () => {
    await page.getByTestId("status-check").click();
    await expect(page.getByTestId("status-result")).toContainText("Database reachable", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  expect(problems, "no console errors or CSP reports").toEqual([]);
});
