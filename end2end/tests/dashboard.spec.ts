import { test, expect } from "./fixtures";

test("an admin's dashboard shows open requests by deadline, follow-ups, features and disclosures", async ({ page }) => {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in as Megan Bowen" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("Megan Bowen");
  await page.getByRole("link", { name: "Dashboard" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Dashboard" })).toBeVisible();
  await expect(page.getByTestId("tile-requests")).toContainText("Open correction requests");
  await expect(page.getByTestId("next-due")).toContainText("Ben Okafor");
  await expect(page.getByTestId("tile-features")).toContainText("Zebra LifeGuard over-the-air updates");
  await expect(page.getByRole("heading", { name: "Disclosures in the last 30 days" })).toBeVisible();
});
