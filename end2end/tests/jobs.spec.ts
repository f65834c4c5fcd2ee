// Background exports and imports (issue 11): an export started from a user's page runs as a
// job with a progress bar, survives leaving the page, and its file downloads; an import
// reports refused lines by number.
import { test, expect } from "./fixtures";
import type { Page } from "@playwright/test";
import { readFileSync } from "node:fs";

const ADELE = "a1b2c3d4-0001-4000-8000-000000000001";

async function signInAsAdmin(page: Page) {
  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Sign in as Megan Bowen" }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText("Megan Bowen");
}

test("an export started in the background shows its progress, survives leaving the page and downloads", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto(`/users/${ADELE}`);
  await expect(page.getByRole("heading", { level: 1, name: "Adele Vance" })).toBeVisible();
  await page.getByRole("button", { name: "Export JSON in the background" }).click();
  // The form posts and the browser is sent to /jobs with the "export started" confirmation.
  await expect(page).toHaveURL(/\/jobs(\?done=jobs%2Fexport)?$/);
  await expect(page.getByRole("heading", { level: 1, name: "Exports and imports" })).toBeVisible();

  const job = page.getByTestId("job").filter({ hasText: "Personal data export (JSON)" }).first();
  await expect(job).toContainText("Adele Vance");
  const bar = job.getByRole("progressbar");
  await expect(bar).toHaveAccessibleName(/Progress of job \d+/);
  // The page polls while the job runs: it turns done without a reload.
  await expect(job.getByTestId("job-state")).toHaveText("Done", { timeout: 20_000 });
  await expect(bar).toHaveAttribute("value", "100");
  await expect(job.getByTestId("job-progress")).toContainText("3 of 3 steps (100%)");

  // Leave, and come back through the navigation: the job is still there, done.
  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Exports and imports" }).click();
  await expect(page).toHaveURL(/\/jobs$/);
  const again = page.getByTestId("job").filter({ hasText: "Personal data export (JSON)" }).first();
  await expect(again.getByTestId("job-state")).toHaveText("Done");

  const downloading = page.waitForEvent("download");
  await again.getByTestId("job-download").click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe(`personal-data-${ADELE}.json`);
  const file = JSON.parse(readFileSync(await download.path(), "utf8"));
  expect(file.user.id).toBe(ADELE);
  expect(JSON.stringify(file)).toContain("adele.vance@contoso.com");
});

test("an import lists refused lines by number and keeps the good records", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/jobs");
  const lines = [
    JSON.stringify({
      "@odata.type": "#microsoft.graph.user",
      id: "c0000000-0000-4000-8000-0000000000e2",
      userPrincipalName: "browser.import@contoso.com",
      displayName: "Browser Import",
    }),
    JSON.stringify({
      "@odata.type": "#microsoft.graph.user",
      id: "c0000000-0000-4000-8000-0000000000e3",
      userPrincipalName: "not an address",
      displayName: "Refused Person",
    }),
  ];
  await page.getByLabel(/File \(JSON Lines/).setInputFiles({
    name: "users.jsonl",
    mimeType: "application/x-ndjson",
    buffer: Buffer.from(lines.join("\n")),
  });
  await page.getByRole("button", { name: "Start import" }).click();
  await expect(page).toHaveURL(/\/jobs$/);
  const job = page.getByTestId("job").filter({ hasText: "Import of users and devices" }).first();
  await expect(job.getByTestId("job-state")).toHaveText("Done", { timeout: 20_000 });
  await expect(job.getByTestId("job-counts")).toHaveText("Records accepted: 1. Lines refused: 1.");
  const refused = job.getByTestId("job-rejections");
  await expect(refused.getByRole("row")).toHaveCount(2);
  await expect(refused.getByRole("row").nth(1)).toContainText("2");
  await expect(refused).toContainText("userPrincipalName");
  await expect(refused).not.toContainText("not an address");

  await page.goto("/users?q=browser");
  await expect(page.getByRole("link", { name: "Browser Import" })).toBeVisible();
});

test("the import form refuses an empty file without the browser bundle's help", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/jobs");
  await page.getByLabel(/File \(JSON Lines/).setInputFiles({ name: "empty.jsonl", mimeType: "application/x-ndjson", buffer: Buffer.from("\n") });
  await page.getByRole("button", { name: "Start import" }).click();
  await expect(page).toHaveURL(/\/jobs\?import=empty$/);
  await expect(page.getByTestId("import-error")).toHaveText("Choose a file that is not empty.");
});
