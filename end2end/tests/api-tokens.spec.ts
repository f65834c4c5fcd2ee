// An end user's own API tokens: made on their own page, shown once, acting as them through the
// REST API, and revoked after a confirmation. Admins cannot make one for them.
import { test, expect } from "./fixtures";

const ADELE = "a1b2c3d4-0001-4000-8000-000000000001";

test("an end user makes a token that acts as them and revokes it after confirming", async ({ page, request }) => {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in as Adele Vance" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("Adele Vance");
  await page.getByRole("link", { name: "My API tokens" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My API tokens" })).toBeVisible();

  const name = `e2e script ${Date.now()}`;
  await expect(async () => {
    await page.getByLabel("Name").fill(name);
    await page.getByRole("button", { name: "Create token" }).click();
    await expect(page.getByTestId("api-token-secret")).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  const secret = await page.locator("#api-token-secret").inputValue();
  expect(secret).toMatch(/^ppt_/);
  const row = page.getByTestId("api-tokens-table").locator("tr", { hasText: name });
  await expect(row).toContainText("Adele Vance");

  const me = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).user_id).toBe(ADELE);

  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row.getByRole("alertdialog")).toContainText(`Revoke "${name}"?`);
  await row.getByRole("button", { name: "Yes, revoke" }).click();
  await expect(row).toContainText("revoked");
  const after = await request.get("/api/v1/me", { headers: { Authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
});

test("the admin's token page offers no end-user tokens", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in as Megan Bowen" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("Megan Bowen");
  await page.goto("/admin/api-tokens");
  const roles = await page.getByLabel("Role").locator("option").allTextContents();
  expect(roles).not.toContain("End user");
  expect(roles.length).toBe(3);
});
