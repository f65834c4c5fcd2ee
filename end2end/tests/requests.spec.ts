// Correction requests across two people: an end user asks, a reviewer decides in another
// browser context, and the end user sees the outcome.
import { test, expect } from "./fixtures";
import type { Browser, Page } from "@playwright/test";

async function signedIn(browser: Browser, baseURL: string | undefined, name: string): Promise<Page> {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByRole("button", { name: `Sign in as ${name}` }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(name);
  return page;
}

async function requestCorrection(page: Page, field: string, value: string, reason: string) {
  await page.goto("/me");
  const row = page.locator(`tr[data-field="${field}"]`).first();
  await expect(row).toBeVisible();
  await row.getByText("Request a correction", { exact: true }).click();
  await expect(async () => {
    await row.getByLabel("Correct value").fill(value);
    await row.getByLabel("Why is the current value wrong?").fill(reason);
    await row.getByRole("button", { name: "Send request" }).click();
    await expect(page.getByTestId("toast")).toContainText("Your request was sent", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
}

async function approveFromQueue(page: Page, subject: string, fieldLabel: string, proposed: string) {
  await page.goto("/review");
  const row = page.locator("[data-testid=queue] tr", { hasText: subject }).filter({ hasText: fieldLabel });
  await row.getByRole("link", { name: "Review" }).click();
  await expect(page.getByTestId("proposed-value")).toHaveText(proposed);
  // Clicked again only if the first answer does not come within 8 s (hydration may not have
  // attached the handler yet): a second approval of the same request answers with the first
  // one's outcome, so a slow machine must not turn every run into a double submit.
  await expect(async () => {
    await page.getByTestId("approve").click();
    await expect(page.getByTestId("toast")).toContainText("Request approved", { timeout: 8_000 });
  }).toPass({ timeout: 30_000 });
}

test("an end user's correction approved by a reviewer shows the new value and who was informed", async ({ browser, baseURL }) => {
  const ben = await signedIn(browser, baseURL, "Ben Okafor");
  await requestCorrection(ben, "device_category", "Field engineers", "I moved to the field team.");

  const lee = await signedIn(browser, baseURL, "Lee Gu");
  await approveFromQueue(lee, "Ben Okafor", "Device category", "Field engineers");

  await ben.goto("/me");
  await expect(ben.getByTestId("my-device_category")).toHaveText("Field engineers");
  await ben.goto("/me/requests");
  const mine = ben.locator("[data-testid=my-requests] tr", { hasText: "Field engineers" });
  await expect(mine.getByTestId("request-status")).toHaveText("Approved");
  await expect(mine.getByTestId("answer")).toContainText(/Being told of the correction|No outside party had received the old value/);
  await ben.goto("/notifications");
  await expect(ben.getByTestId("notifications")).toContainText("was approved");
});

test("an approved correction of a field held elsewhere tells the requester it waits for the source", async ({ browser, baseURL }) => {
  const adele = await signedIn(browser, baseURL, "Adele Vance");
  await requestCorrection(adele, "managed_apple_id", "adele@appleid.contoso.com", "That Apple ID is not mine.");

  const lee = await signedIn(browser, baseURL, "Lee Gu");
  await approveFromQueue(lee, "Adele Vance", "Managed Apple ID", "adele@appleid.contoso.com");
  await expect(lee.getByTestId("toast")).toContainText("A partner service");

  await adele.goto("/me/requests");
  const mine = adele.locator("[data-testid=my-requests] tr", { hasText: "adele@appleid.contoso.com" });
  await expect(mine.getByTestId("request-status")).toHaveText("Approved");
  await expect(mine.getByTestId("answer")).toContainText("waiting for the partner service");
});

test("an auditor filters the audit log and checks the chain", async ({ browser, baseURL }) => {
  const irvin = await signedIn(browser, baseURL, "Irvin Sayers");
  await irvin.goto("/audit-log?action=request.approved");
  await expect(irvin.getByTestId("audit-events")).toContainText("request.approved");
  await expect(async () => {
    await irvin.getByRole("button", { name: "Check the chain now" }).click();
    await expect(irvin.getByTestId("integrity-result")).toContainText("The chain is intact", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
});
