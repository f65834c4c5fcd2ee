import { test, expect } from "./fixtures";

const ADELE = "a1b2c3d4-0001-4000-8000-000000000001";

test("a tenant admin finds a user by typing the beginning of her name and opens her data", async ({ page }) => {
  await page.goto("/sign-in");
  await expect(page.getByTestId("demo-banner")).toBeVisible();
  await page.getByRole("button", { name: "Sign in as Megan Bowen" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("Megan Bowen");

  await page.getByRole("link", { name: "Users", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  const table = page.getByTestId("directory-table");
  await expect(table).toContainText("Ben Okafor");

  const search = page.getByRole("searchbox", { name: "Search" });
  // Typed, not submitted: the results follow the text once the page is hydrated (retried
  // until it is).
  await expect(async () => {
    await search.fill("");
    await search.pressSequentially("ade");
    await expect(table).not.toContainText("Ben Okafor", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(table).toContainText("Adele Vance");
  await expect(page).toHaveURL(/\/users\?q=ade$/);
  await expect(page.getByRole("status").filter({ hasText: "on this page" })).toHaveText("1 user on this page.");
  await expect(search).toBeFocused();

  await table.getByRole("link", { name: "Adele Vance" }).click();
  await expect(page).toHaveURL(new RegExp(`/users/${ADELE}$`));
});
