import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";

async function signInAs(page: Page, name: string) {
  await page.goto("/sign-in");
  await expect(page.getByTestId("demo-banner")).toBeVisible();
  await page.getByRole("button", { name: `Sign in as ${name}` }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(name);
}

test("a tenant admin signs in with a demo identity, manages roles, and signs out", async ({ page }) => {
  await signInAs(page, "Megan Bowen");
  await expect(page.getByTestId("signed-in-as")).toContainText("Contoso Ltd");
  await page.getByRole("link", { name: "Accounts and roles" }).click();
  const table = page.getByTestId("accounts-table");
  await expect(table).toContainText("Adele Vance");
  await expect(table).not.toContainText("Nestor Wilke");
  const adele = table.getByRole("row", { name: /Adele Vance/ });
  // Retried until the page is hydrated and the action form answers.
  await expect(async () => {
    await adele.getByLabel("Role to grant").selectOption("auditor");
    await adele.getByRole("button", { name: "Grant" }).click();
    await expect(adele.locator(".badge", { hasText: "Auditor" })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await adele.getByRole("button", { name: "Revoke Auditor" }).click();
  await expect(adele.locator(".badge", { hasText: "Auditor" })).toHaveCount(0);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Accounts and roles" })).toHaveCount(0);
});

test("an end user neither sees nor reaches the admin pages", async ({ page }) => {
  await signInAs(page, "Adele Vance");
  await expect(page.getByRole("link", { name: "Accounts and roles" })).toHaveCount(0);
  await page.goto("/admin/accounts");
  await expect(page.getByRole("alert")).toContainText("You do not have permission to do this.");
});

test("a refused sign-in explains why", async ({ page }) => {
  await page.goto("/sign-in?error=state");
  await expect(page.getByTestId("sign-in-error")).toContainText("does not belong to this browser's sign-in");
});
