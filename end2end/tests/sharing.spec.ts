import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";

const ADELE = "a1b2c3d4-0001-4000-8000-000000000001";

async function signIn(page: Page, name: string) {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: `Sign in as ${name}` }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(name);
}

test("an admin turns a feature on through the consent step, sees its disclosures, and turns it off", async ({ page }) => {
  await signIn(page, "Megan Bowen");
  await page.goto("/sharing");
  const card = page.getByTestId("feature-teamviewer");
  await expect(card).toContainText("Off");
  await expect(card).toContainText("Independent third party");

  // The confirmation step shows the impact and the terms; confirming needs "I agree".
  const confirm = card.getByTestId("confirm");
  await expect(async () => {
    await card.getByTestId("turn-on").click();
    await expect(confirm).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  // Contoso's users: 7 in the demo data, more once another spec (jobs) has imported some.
  await expect(confirm.getByTestId("preview-scope")).toContainText(/In scope: ([7-9]|\d\d+) users/);
  await expect(confirm.getByTestId("terms")).toContainText("TeamViewer");
  await confirm.getByLabel("I agree to these terms on behalf of the tenant.").check();
  await confirm.getByTestId("confirm-on").click();
  await expect(card.locator(".badge").first()).toHaveText("On");
  await expect(card).toContainText("Consent in force: terms version 1 (en), given by Megan Bowen");

  // A sharing cycle records the new disclosures, which show on the user's page.
  await page.getByTestId("run-sharing").click();
  await expect(page.getByRole("status").filter({ hasText: "disclosures recorded" })).toBeVisible();
  await page.goto(`/users/${ADELE}`);
  await expect(page.locator('tr[data-field="display_name"]').first()).toContainText("TeamViewer");

  // Turning off says what happens, stops sharing and asks the recipient to delete.
  await page.goto("/sharing");
  await expect(async () => {
    await card.getByTestId("turn-off").click();
    await expect(confirm).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(confirm).toContainText("does not delete data at the recipient");
  await confirm.getByTestId("confirm-off").click();
  await expect(card.locator(".badge").first()).toHaveText("Off");
  await expect(page.getByTestId("tasks")).toContainText("Ask to delete the data of TeamViewer remote assistance");
});

test("an auditor reads the sharing page, the matrix and the report without controls", async ({ page }) => {
  await signIn(page, "Irvin Sayers");
  await page.goto("/sharing");
  await expect(page.getByText("only tenant admins change sharing")).toBeVisible();
  await expect(page.getByTestId("matrix")).toContainText("Serial number");
  await expect(page.getByTestId("turn-on")).toHaveCount(0);
  await expect(page.getByTestId("report-total")).toBeVisible();
  await expect(page.getByTestId("report-csv")).toHaveAttribute("href", /report\.csv/);
});
