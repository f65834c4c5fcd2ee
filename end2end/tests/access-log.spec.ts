// The access log in the browser: an admin's look at a person's page is listed there with the
// admin's name, and the person sees on their own page that an administrator looked, unnamed.
import { test, expect } from "./fixtures";

const BEN = "a1b2c3d4-0002-4000-8000-000000000002";

test("an admin's look at a person is shown to admins by name and to the person without it", async ({ page, context }) => {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in as Megan Bowen" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("Megan Bowen");
  await page.goto(`/users/${BEN}`);
  const log = page.getByTestId("access-log");
  await expect(log.getByRole("heading", { name: "Who looked at this data" })).toBeVisible();
  await expect(log.locator("tbody tr").first()).toContainText("Megan Bowen");
  await expect(log.locator("tbody tr").first()).toContainText("Person page");

  await context.clearCookies();
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in as Ben Okafor" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("Ben Okafor");
  await page.goto("/me");
  const mine = page.getByTestId("access-log");
  await expect(mine.getByRole("heading", { name: "Who looked at your data" })).toBeVisible();
  await expect(mine.locator("tbody tr").first()).toContainText("An administrator");
  await expect(mine.locator("tbody tr").first()).toContainText("Person page");
  await expect(mine).not.toContainText("Megan Bowen");
});
