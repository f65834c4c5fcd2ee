// The main flows with Dutch chosen: the browser asks for Dutch (Accept-Language nl), so every
// page, toast and date must be Dutch, and <html lang> says so. The fields changed here (Chen's
// and Ben's device management names) are touched by no other spec.
import { test, expect, dutchDeadlineWords, suiteNow } from "./fixtures";
import type { Browser, Page } from "@playwright/test";

test.use({ locale: "nl-NL", extraHTTPHeaders: { "Accept-Language": "nl-NL,nl;q=0.9" } });

async function signIn(page: Page, name: string) {
  await page.goto("/sign-in");
  await expect(page.locator("html")).toHaveAttribute("lang", "nl");
  await expect(page.getByRole("heading", { level: 1, name: "Aanmelden" })).toBeVisible();
  await page.getByRole("button", { name: `Aanmelden als ${name}` }).click();
  await expect(page.getByTestId("signed-in-as")).toContainText(`Aangemeld als ${name}`);
}

async function signedIn(browser: Browser, baseURL: string | undefined, name: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    locale: "nl-NL",
    extraHTTPHeaders: { "Accept-Language": "nl-NL,nl;q=0.9" },
  });
  const page = await context.newPage();
  await signIn(page, name);
  return page;
}

test("een beheerder zoekt een gebruiker, corrigeert een veld en ziet de bevestiging in het Nederlands", async ({ page }) => {
  await signIn(page, "Megan Bowen");
  await page.getByRole("link", { name: "Gebruikers", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Gebruikers" })).toBeVisible();
  const table = page.getByTestId("directory-table");
  const search = page.getByRole("searchbox", { name: "Zoeken" });
  await expect(async () => {
    await search.fill("");
    await search.pressSequentially("chen");
    await expect(table).not.toContainText("Ben Okafor", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await table.getByRole("link", { name: "Chen Li" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Chen Li" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "nl");

  const row = page.locator('tr[data-field="management_name"]').first();
  await row.getByText("Corrigeren", { exact: true }).click();
  await expect(async () => {
    await row.getByLabel("Nieuwe waarde").fill("ChenLi_Werkplek");
    await row.getByLabel("Reden").fill("Naamgevingsconventie");
    await row.getByRole("button", { name: "Correctie opslaan" }).click();
    await expect(page.getByTestId("toast")).toContainText("Correctie opgeslagen", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(row).toContainText("ChenLi_Werkplek");
  // The change is dated in words, with the full Dutch date in the tooltip.
  const changed = row.locator("time");
  await expect(changed).toHaveText("zojuist");
  await expect(changed).toHaveAttribute("title", / (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4}, \d\d:\d\d UTC$/);
  await expect(changed).toHaveAttribute("datetime", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // The portal's clock is the suite's chosen one, not today's: the change is dated then, and the
  // browser, which hydrated with the server's time, still says "zojuist" by its own reckoning.
  const now = suiteNow();
  if (now) {
    const stamped = Date.parse((await changed.getAttribute("datetime")) ?? "");
    expect(Math.abs(stamped - Date.parse(now))).toBeLessThan(3 * 3_600_000);
  }
  await expect(page.getByTestId("history")).toContainText("Naamgevingsconventie");

  // The toast goes away with Escape.
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("toast")).toBeEmpty();
});

test("een eindgebruiker vraagt een correctie aan en een beoordelaar keurt die goed, alles in het Nederlands", async ({ browser, baseURL }) => {
  const ben = await signedIn(browser, baseURL, "Ben Okafor");
  await ben.goto("/me");
  await expect(ben.getByRole("heading", { level: 1, name: "Mijn gegevens" })).toBeVisible();
  const row = ben.locator('tr[data-field="management_name"]').first();
  await row.getByText("Om een correctie vragen", { exact: true }).click();
  await expect(async () => {
    await row.getByLabel("Juiste waarde").fill("Bens Pixel");
    await row.getByLabel("Waarom is de huidige waarde onjuist?").fill("Zo heet mijn toestel.");
    await row.getByRole("button", { name: "Verzoek versturen" }).click();
    await expect(ben.getByTestId("toast")).toContainText("Uw verzoek is verstuurd", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await ben.goto("/me/requests");
  const mine = ben.locator("[data-testid=my-requests] tr", { hasText: "Bens Pixel" });
  await expect(mine.getByTestId("request-status")).toHaveText("In behandeling");
  // A deadline a calendar month away reads as the Dutch words for the suite's day, exactly.
  await expect(mine.locator("time")).toHaveText(dutchDeadlineWords());

  const lee = await signedIn(browser, baseURL, "Lee Gu");
  await lee.goto("/review");
  await expect(lee.getByRole("heading", { level: 1, name: "Beoordelingswachtrij" })).toBeVisible();
  const queued = lee.locator("[data-testid=queue] tr", { hasText: "Ben Okafor" }).filter({ hasText: "Beheernaam" });
  await expect(queued.locator("time").first()).toHaveText("zojuist");
  await queued.getByRole("link", { name: "Beoordelen" }).click();
  await expect(lee.getByTestId("proposed-value")).toHaveText("Bens Pixel");
  await expect(async () => {
    await lee.getByTestId("approve").click();
    await expect(lee.getByTestId("toast")).toContainText("Verzoek goedgekeurd", { timeout: 2_000 });
  }).toPass({ timeout: 20_000 });
  await expect(lee.locator("html")).toHaveAttribute("lang", "nl");

  await ben.goto("/me/requests");
  await expect(mine.getByTestId("request-status")).toHaveText("Goedgekeurd");
  await ben.goto("/notifications");
  await expect(ben.getByTestId("notifications")).toContainText("goedgekeurd");
  await expect(ben.getByTestId("notifications").locator("time").first()).toHaveText(/zojuist|minuut geleden|minuten geleden/);
});

test("de pagina over delen is Nederlands, met data in woorden", async ({ page }) => {
  await signIn(page, "Megan Bowen");
  await page.goto("/sharing");
  await expect(page.locator("html")).toHaveAttribute("lang", "nl");
  await expect(page.getByRole("heading", { level: 1, name: "Gegevens delen" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Functies", exact: true })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Wie krijgt wat" })).toBeVisible();
  // Every date on the page is a <time> in Dutch words, never an English one.
  const times = page.locator("main time");
  await expect(times.first()).toBeVisible();
  for (const text of await times.allTextContents()) {
    expect(text).toMatch(/zojuist|geleden|^over /);
  }
});

test.describe("zonder JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("een correctie zonder JavaScript komt terug op de pagina met de bevestiging", async ({ page }) => {
    await signIn(page, "Megan Bowen");
    await page.goto("/users?q=chen");
    await page.getByTestId("directory-table").getByRole("link", { name: "Chen Li" }).click();
    const row = page.locator('tr[data-field="device_category"]').first();
    await row.getByText("Corrigeren", { exact: true }).click();
    await row.getByLabel("Nieuwe waarde").fill("Ontwikkeling");
    await row.getByLabel("Reden").fill("Afdeling verhuisd");
    await row.getByRole("button", { name: "Correctie opslaan" }).click();
    // The form posted, the server sent the browser back to this page with done=…, and the
    // page rendered the toast itself.
    await expect(page).toHaveURL(/\/users\/[^?]+\?done=users%2Fcorrect$/);
    await expect(page.getByTestId("toast")).toHaveText("Correctie opgeslagen.");
    await expect(page.locator('tr[data-field="device_category"]').first()).toContainText("Ontwikkeling");
  });
});
