import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";

const ADELE = "a1b2c3d4-0001-4000-8000-000000000001";
const IPHONE = "d1000000-0000-4000-8000-0000000000d1";

async function signInAsAdmin(page: Page) {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in as Megan Bowen" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("Megan Bowen");
}

function row(page: Page, field: string) {
  return page.locator(`section[aria-labelledby="device-${IPHONE}"] tr[data-field="${field}"]`);
}

test("an admin corrects a field with a reason and sees it in the history", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto(`/users/${ADELE}`);
  await expect(page.getByRole("heading", { level: 1, name: "Adele Vance" })).toBeVisible();
  await expect(row(page, "imei")).toContainText("356938035643809");
  await expect(row(page, "serial_number")).toContainText("Apple");
  const management = row(page, "management_name");
  await management.getByText("Correct", { exact: true }).click();
  await management.getByLabel("New value").fill("Adele iPhone (Retail)");
  await management.getByLabel("Reason").fill("Naming convention");
  await expect(async () => {
    await management.getByRole("button", { name: "Save correction" }).click();
    await expect(page.getByTestId("toast")).toContainText("Correction saved", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(management).toContainText("Adele iPhone (Retail)");
  await expect(management).toContainText("Megan Bowen (version 1)");
  await expect(page.getByTestId("history")).toContainText("Naming convention");
});

test("a bad value is refused in the browser before it is sent", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto(`/users/${ADELE}`);
  const ownership = row(page, "ownership");
  await ownership.getByText("Correct", { exact: true }).click();
  await expect(async () => {
    await ownership.getByLabel("New value").fill("banana");
    await expect(ownership.getByLabel("New value")).toHaveAttribute("aria-invalid", "true", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(ownership.getByRole("button", { name: "Save correction" })).toBeDisabled();
});

test("a correction based on a stale value shows the conflict and keeps the newer value", async ({ page, context }) => {
  await signInAsAdmin(page);
  const other = await context.newPage();
  await page.goto(`/users/${ADELE}`);
  await other.goto(`/users/${ADELE}`);
  const category = row(other, "device_category");
  await category.getByText("Correct", { exact: true }).click();
  await expect(async () => {
    await category.getByLabel("New value").fill("Retail");
    await category.getByLabel("Reason").fill("first");
    await category.getByRole("button", { name: "Save correction" }).click();
    await expect(other.getByTestId("toast")).toContainText("Correction saved", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  const stale = row(page, "device_category");
  await stale.getByText("Correct", { exact: true }).click();
  await stale.getByLabel("New value").fill("Warehouse");
  await stale.getByLabel("Reason").fill("second");
  await stale.getByRole("button", { name: "Save correction" }).click();
  await expect(page.getByTestId("correction-result")).toContainText("Someone else changed this");
  await expect(row(page, "device_category")).toContainText("Retail");
});

test("revealing the bypass code asks for a reason and shows it once", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto(`/users/${ADELE}`);
  const code = row(page, "activation_lock_bypass_code");
  await expect(code).not.toContainText("K2Q7M");
  await code.getByText("Reveal", { exact: true }).click();
  await expect(async () => {
    await code.getByLabel("Why do you need to see it?").fill("Device returned");
    await code.getByRole("button", { name: /Reveal \(recorded/ }).click();
    await expect(code.getByTestId("revealed-secret")).toHaveText("K2Q7M-9XRTA-4MZP-88LA-CD3F-7GHJ", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
});

test("a routed correction of a disclosed field waits for its source and tells nobody yet", async ({ page }) => {
  const DIEGO = "a1b2c3d4-0004-4000-8000-000000000004";
  await signInAsAdmin(page);
  await page.goto(`/users/${DIEGO}`);
  const name = page.locator(`section[aria-labelledby="identity-title"] tr[data-field="display_name"]`);
  await expect(name).toContainText("TeamViewer");
  await name.getByText("Where to correct", { exact: true }).click();
  await expect(name).toContainText("correct it there");
  await expect(async () => {
    await name.getByLabel("Value the source should hold").fill("Diego Siciliani-Rossi");
    await name.getByLabel("Reason").fill("Name changed");
    await name.getByRole("button", { name: "Record routed correction" }).click();
    await expect(page.getByTestId("toast")).toContainText("until the source shows the new value", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  const routed = page.getByTestId("routed").locator("tr", { hasText: "Diego Siciliani-Rossi" });
  await expect(routed).toContainText("Routed to the source");
  await expect(name).toContainText("Diego Siciliani");
});
